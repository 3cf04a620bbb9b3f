// The schedule risk analysis page: its charts (histogram, S-curve, what moves go-live most),
// drawn with the locally served plotly.js from the page's JSON; or, while the analysis is
// being worked out, the progress, polled from status.json until it is done.
(function () {
  "use strict";

  // As on the dashboard's burn-up: nothing that sends a chart to another host, no selection
  // tools that do nothing here, no "Double-click to zoom back out" hint left on screen.
  var CONFIG = {
    displaylogo: false,
    responsive: true,
    showTips: false,
    showLink: false,
    showSendToCloud: false,
    showEditInChartStudio: false,
    modeBarButtonsToRemove: ["lasso2d", "select2d", "sendDataToCloud", "editInChartStudio",
      "toggleSpikelines", "hoverClosestCartesian", "hoverCompareCartesian"],
  };
  var FONT = { family: "Arial, sans-serif" };

  function marker(x, text, colour) {
    return {
      shape: { type: "line", xref: "x", yref: "paper", x0: x, x1: x, y0: 0, y1: 1,
               line: { color: colour, width: 2, dash: "dot" } },
      annotation: { x: x, y: 1, xref: "x", yref: "paper", text: text, showarrow: false,
                    xanchor: "left", yanchor: "top", font: { size: 12 } },
    };
  }

  function markers(d) {
    var target = marker(d.target, "Target", "#d5281b");
    var p80 = marker(d.p80, "P80", "#212b32");
    return { shapes: [target.shape, p80.shape], annotations: [target.annotation, p80.annotation] };
  }

  function draw(d) {
    var Plotly = window.Plotly;
    var histogram = document.getElementById("risk-histogram-chart");
    var m = markers(d);
    if (histogram) {
      Plotly.newPlot(histogram, [{
        type: "bar", x: d.histogram.x, y: d.histogram.y, name: "Iterations",
        marker: { color: "#005eb8" },
        hovertemplate: "%{y} iterations went live on %{x|%-d %B %Y}<extra></extra>",
      }], {
        height: 320, margin: { l: 60, r: 20, t: 10, b: 50 }, font: FONT, bargap: 0.1,
        xaxis: { type: "date", tickformat: "%-d %b %Y" },
        yaxis: { title: { text: "Iterations" }, rangemode: "tozero" },
        shapes: m.shapes, annotations: m.annotations,
      }, CONFIG);
    }
    var curve = document.getElementById("risk-s-curve-chart");
    if (curve) {
      Plotly.newPlot(curve, [{
        type: "scatter", mode: "lines", x: d.s_curve.x, y: d.s_curve.y, name: "Chance",
        line: { color: "#007f3b", width: 3, shape: "hv" },
        hovertemplate: "%{y:.0f} % by %{x|%-d %B %Y}<extra></extra>",
      }], {
        height: 320, margin: { l: 60, r: 20, t: 10, b: 50 }, font: FONT,
        xaxis: { type: "date", tickformat: "%-d %b %Y" },
        yaxis: { title: { text: "Chance of having gone live (%)" }, range: [0, 100] },
        shapes: m.shapes, annotations: m.annotations,
      }, CONFIG);
    }
    var tornado = document.getElementById("risk-drivers-chart");
    if (tornado && d.drivers.length) {
      var rows = d.drivers.slice().reverse(); // largest at the top
      Plotly.newPlot(tornado, [{
        type: "bar", orientation: "h",
        x: rows.map(function (r) { return r.days; }),
        y: rows.map(function (r) { return r.label; }),
        marker: { color: rows.map(function (r) { return r.kind === "risk" ? "#ed8b00" : "#005eb8"; }) },
        hovertemplate: "%{y}: %{x} working days<extra></extra>",
      }], {
        height: 80 + 32 * rows.length, margin: { l: 10, r: 20, t: 10, b: 50 }, font: FONT,
        xaxis: { title: { text: "Working days later when it goes badly" }, zeroline: true },
        yaxis: { automargin: true },
      }, CONFIG);
    }
  }

  function poll(box) {
    var url = box.getAttribute("data-status-url");
    var status = document.getElementById("risk-progress");
    var tick = function () {
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
        .then(function (s) {
          if (s.state === "done" || s.state === "failed") {
            window.location.reload();
            return;
          }
          if (status) status.textContent = s.message;
          window.setTimeout(tick, 1000);
        })
        .catch(function () { window.setTimeout(tick, 5000); });
    };
    window.setTimeout(tick, 1000);
  }

  var source = document.getElementById("risk-chart-data");
  if (source && window.Plotly) draw(JSON.parse(source.textContent));
  var working = document.getElementById("risk-working");
  if (working && window.fetch) poll(working);
})();

// The dashboard's burn-up chart: cumulative milestones complete, planned against actual.
(function () {
  "use strict";
  var source = document.getElementById("burn-up-data");
  var target = document.getElementById("burn-up-chart");
  if (!source || !target || !window.Plotly) return;
  var d = JSON.parse(source.textContent);
  var line = function (name, y, colour, dash, width) {
    return {
      type: "scatter", mode: "lines", name: name, x: d.weeks, y: y,
      line: { color: colour, dash: dash || "solid", width: width || 2, shape: "hv" },
      hovertemplate: "%{y} by %{x|%-d %B %Y}<extra>" + name + "</extra>",
    };
  };
  var traces = [line("Planned (current plan)", d.planned, "#005eb8")];
  if (d.baseline) traces.push(line("Baseline", d.baseline, "#768692", "dot"));
  traces.push(line("Actual", d.actual, "#007f3b", "solid", 3));
  traces.push(line("Forecast", d.forecast, "#ed8b00", "dash"));
  var layout = {
    height: 360,
    margin: { l: 50, r: 20, t: 10, b: 40 },
    xaxis: { type: "date", tickformat: "%b %Y" },
    yaxis: { title: { text: "Milestones complete" }, range: [0, d.total * 1.05], rangemode: "tozero" },
    legend: { orientation: "h", y: -0.15 },
    shapes: [{ type: "line", xref: "x", yref: "paper", x0: d.today, x1: d.today, y0: 0, y1: 1,
               line: { color: "#212b32", width: 1, dash: "dot" } }],
    annotations: [{ x: d.today, y: 1, xref: "x", yref: "paper", text: "Today", showarrow: false,
                    xanchor: "left", yanchor: "top", font: { size: 12 } }],
    font: { family: "Arial, sans-serif" },
  };
  // Nothing that sends the chart to another host, no selection tools that do nothing here,
  // and no "Double-click to zoom back out" hint left on screen.
  window.Plotly.newPlot(target, traces, layout, {
    displaylogo: false,
    responsive: true,
    showTips: false,
    showLink: false,
    showSendToCloud: false,
    showEditInChartStudio: false,
    modeBarButtonsToRemove: ["lasso2d", "select2d", "sendDataToCloud", "editInChartStudio",
      "toggleSpikelines", "hoverClosestCartesian", "hoverCompareCartesian"],
  });
})();

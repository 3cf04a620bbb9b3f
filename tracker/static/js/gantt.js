// The Gantt chart, drawn with plotly.js from the JSON the page carries (domain/gantt.py).
// Rows are grouped by workstream; the critical and driving paths have their own colours;
// baseline and forecast sit as thin bars beside the plan; links join dependent milestones.
(function () {
  "use strict";
  var source = document.getElementById("gantt-json");
  var target = document.getElementById("gantt");
  if (!source || !target || !window.Plotly) return;
  var data = JSON.parse(source.textContent);
  var col = {};
  data.columns.forEach(function (name, k) { col[name] = k; });

  var DAY = 86400000;
  var MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December"];
  var ms = function (iso) { return Date.parse(iso + "T00:00:00Z"); };
  var iso = function (t) { return new Date(t).toISOString().slice(0, 10); };
  var stamp = function (t) { return new Date(t).toISOString().slice(0, 16); };
  var longDate = function (value) {
    if (!value) return "";
    var d = new Date(ms(value));
    return d.getUTCDate() + " " + MONTHS[d.getUTCMonth()] + " " + d.getUTCFullYear();
  };
  var esc = function (text) {
    return String(text).replace(/[&<>"]/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c];
    });
  };
  var words = function (status) {
    var s = status.replace(/_/g, " ");
    return s.charAt(0).toUpperCase() + s.slice(1);
  };
  var plural = function (n) { return n + " working day" + (Math.abs(n) === 1 ? "" : "s"); };

  // One slot per workstream heading, then one per milestone.
  var rowY = new Array(data.rows.length);
  var tickVals = [];
  var tickText = [];
  var bands = [];
  var slot = 0;
  data.groups.forEach(function (group, g) {
    var code = group[0], name = group[1], first = group[2], count = group[3];
    tickVals.push(slot);
    var heading = code + ": " + name;
    tickText.push("<b>" + esc(heading.length > 44 ? heading.slice(0, 43) + "…" : heading) + "</b>");
    if (g % 2 === 0) bands.push([slot - 0.5, slot + count + 0.5]);
    slot += 1;
    for (var k = first; k < first + count; k += 1) {
      var r = data.rows[k];
      rowY[k] = slot;
      var title = r[col.title].length > 40 ? r[col.title].slice(0, 39) + "…" : r[col.title];
      tickVals.push(slot);
      tickText.push(esc(r[col.ref] + " " + title));
      slot += 1;
    }
  });

  var hover = function (r) {
    var lines = ["<b>" + esc(r[col.ref]) + "</b> " + esc(r[col.title]), "Owner: " + esc(r[col.owner])];
    if (r[col.point]) lines.push("Due: " + longDate(r[col.due]));
    else lines.push("Planned: " + longDate(r[col.start]) + " to " + longDate(r[col.due]));
    if (r[col.forecast_due] !== r[col.due]) {
      lines.push((r[col.status] === "complete" ? "Completed: " : "Forecast: ") + longDate(r[col.forecast_due]));
    }
    if (r[col.baseline_due]) lines.push("Baseline due: " + longDate(r[col.baseline_due]));
    if (r[col.status] !== "complete") lines.push("Float: " + plural(r[col.float]));
    lines.push("Status: " + words(r[col.status]) + " · RAG: " + words(r[col.rag]));
    return lines.join("<br>");
  };

  var traces = [];
  var barTrace = function (name, colour, width, offset, extra) {
    return Object.assign({
      type: "bar", orientation: "h", name: name, base: [], x: [], y: [], width: width,
      offset: offset, marker: { color: colour }, hoverinfo: "skip", legendgroup: name,
    }, extra || {});
  };
  var diamondTrace = function (name, colour, size, extra) {
    return Object.assign({
      type: "scatter", mode: "markers", name: name, x: [], y: [], hoverinfo: "skip",
      marker: { symbol: "diamond", size: size, color: colour, line: { color: "#212b32", width: 1 } },
      legendgroup: name, showlegend: false,
    }, extra || {});
  };

  // Baseline and forecast first, so the plan draws on top of them.
  var baseBars = barTrace("Baseline", "#aeb7bd", 0.14, 0.22);
  var baseDiamonds = diamondTrace("Baseline", "#aeb7bd", 9, { marker: { symbol: "diamond-open", size: 9, color: "#768692" } });
  var foreBars = barTrace("Forecast (where it differs)", "#ed8b00", 0.14, -0.42);
  var foreDiamonds = diamondTrace("Forecast (where it differs)", "#ed8b00", 10);
  var plan = {};
  Object.keys(data.categories).forEach(function (key) {
    var label = data.categories[key][0], colour = data.categories[key][1];
    plan[key] = {
      bars: barTrace(label, colour, 0.5, -0.28, { meta: "milestone", hoverinfo: "text", hovertext: [], showlegend: true }),
      diamonds: diamondTrace(label, colour, 13, { meta: "milestone", hoverinfo: "text", hovertext: [] }),
    };
  });

  var lo = Infinity, hi = -Infinity;
  var stretch = function (a, b) { lo = Math.min(lo, a); hi = Math.max(hi, b); };
  data.rows.forEach(function (r, k) {
    var y = rowY[k];
    var p = plan[r[col.category]];
    var start = ms(r[col.start]), end = ms(r[col.due]) + DAY;
    if (r[col.point]) {
      p.diamonds.x.push(iso(end - DAY) + "T12:00");
      p.diamonds.y.push(y);
      p.diamonds.hovertext.push(hover(r));
    } else {
      p.bars.base.push(r[col.start]);
      p.bars.x.push(end - start);
      p.bars.y.push(y);
      p.bars.hovertext.push(hover(r));
    }
    stretch(start, end);
    if (r[col.baseline_due]) {
      var bs = ms(r[col.baseline_start]), be = ms(r[col.baseline_due]) + DAY;
      if (r[col.point]) { baseDiamonds.x.push(iso(be - DAY) + "T12:00"); baseDiamonds.y.push(y + 0.3); }
      else { baseBars.base.push(r[col.baseline_start]); baseBars.x.push(be - bs); baseBars.y.push(y); }
      stretch(bs, be);
    }
    var fs = ms(r[col.forecast_start]), fe = ms(r[col.forecast_due]) + DAY;
    if (r[col.forecast_due] !== r[col.due] || (!r[col.point] && r[col.forecast_start] !== r[col.start])) {
      if (r[col.point]) { foreDiamonds.x.push(iso(fe - DAY) + "T12:00"); foreDiamonds.y.push(y - 0.3); }
      else { foreBars.base.push(r[col.forecast_start]); foreBars.x.push(fe - fs); foreBars.y.push(y); }
    }
    stretch(fs, fe);
  });

  // Dependency links on forecast dates: from the predecessor's finish (FS, FF) or start
  // (SS, SF) to the successor's start (FS, SS) or finish (FF, SF), as elbows.
  var links = { type: "scatter", mode: "lines", name: "Dependency", x: [], y: [], hoverinfo: "skip",
    line: { color: "#4c6272", width: 1 }, opacity: 0.35 };
  data.links.forEach(function (link) {
    var a = data.rows[link[0]], b = data.rows[link[1]], type = link[2];
    var fromEnd = type === "FS" || type === "FF", toStart = type === "FS" || type === "SS";
    var x0 = fromEnd ? ms(a[col.forecast_due]) + (a[col.point] ? DAY / 2 : DAY) : ms(a[col.forecast_start]);
    var x1 = toStart ? ms(b[col.forecast_start]) + (b[col.point] ? DAY / 2 : 0) : ms(b[col.forecast_due]) + DAY;
    links.x.push(stamp(x0), stamp(x0), stamp(x1), null);
    links.y.push(rowY[link[0]], rowY[link[1]], rowY[link[1]], null);
  });

  // Only traces with something in them, so the legend lists only what the chart shows.
  var add = function (trace) { if (trace.y.length) traces.push(trace); };
  if (!baseBars.y.length) baseDiamonds.showlegend = true;
  if (!foreBars.y.length) foreDiamonds.showlegend = true;
  [baseBars, baseDiamonds, foreBars, foreDiamonds, links].forEach(add);
  Object.keys(plan).forEach(function (key) {
    var p = plan[key];
    if (!p.bars.y.length) p.diamonds.showlegend = true;
    add(p.bars);
    add(p.diamonds);
  });

  var line = function (when, colour, dash, label, row, anchor) {
    return {
      shape: { type: "line", xref: "x", yref: "paper", x0: when, x1: when, y0: 0, y1: 1,
               line: { color: colour, width: 2, dash: dash } },
      note: { x: when, y: 1, xref: "x", yref: "paper", yanchor: "bottom", showarrow: false,
              text: label, font: { color: colour, size: 12 }, yshift: 28 + row * 16,
              xanchor: anchor },
    };
  };
  var marks = [line(data.today + "T12:00", "#212b32", "dot", "Today " + longDate(data.today), 0, "right"),
    line(data.go_live_target + "T23:59", "#007f3b", "solid", "Go-live target " + longDate(data.go_live_target), 1, "right")];
  if (data.forecast_go_live !== data.go_live_target) {
    marks.push(line(data.forecast_go_live + "T23:59", "#d5281b", "dash", "Forecast go-live " + longDate(data.forecast_go_live), 2, "left"));
  }
  [data.today, data.go_live_target, data.forecast_go_live].forEach(function (d) { stretch(ms(d), ms(d) + DAY); });

  var shapes = bands.map(function (band) {
    return { type: "rect", xref: "paper", yref: "y", x0: 0, x1: 1, y0: band[0], y1: band[1],
             fillcolor: "#f0f4f5", line: { width: 0 }, layer: "below" };
  });
  var layout = {
    barmode: "overlay",
    height: Math.max(320, slot * 24 + 190),
    margin: { l: 330, r: 30, t: 170, b: 30 },
    xaxis: { type: "date", side: "top", range: [iso(lo - 7 * DAY), iso(hi + 14 * DAY)],
             gridcolor: "#d8dde0", tickformat: "%b %Y" },
    yaxis: { range: [slot - 0.5, -0.7], tickvals: tickVals, ticktext: tickText, fixedrange: true,
             tickfont: { size: 11 }, automargin: false, showgrid: false },
    legend: { orientation: "h", x: 0, y: 1, xref: "container", yref: "container", yanchor: "top" },
    shapes: shapes.concat(marks.map(function (m) { return m.shape; })),
    annotations: marks.map(function (m) { return m.note; }),
    hovermode: "closest",
    font: { family: "Arial, sans-serif", color: "#212b32" },
  };
  window.Plotly.newPlot(target, traces, layout, { displaylogo: false, responsive: true });
})();

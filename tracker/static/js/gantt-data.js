// The Gantt chart's data (tracker/domain/gantt.py) read into plain objects, with the
// dependency graph for tracing chains, and the words every view of it shares.
export const DAY = 86400000;
const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
  "September", "October", "November", "December"];
export const SHORT_MONTHS = MONTHS.map((m) => m.slice(0, 3));

export const ms = (iso) => (iso ? Date.parse(iso + "T00:00:00Z") : null);

export function longDate(t) {
  if (t === null || t === undefined) return "";
  const d = new Date(t);
  return d.getUTCDate() + " " + MONTHS[d.getUTCMonth()] + " " + d.getUTCFullYear();
}

export function shortDate(t) {
  const d = new Date(t);
  return d.getUTCDate() + " " + SHORT_MONTHS[d.getUTCMonth()] + " " + d.getUTCFullYear();
}

const ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
export const esc = (text) => String(text).replace(/[&<>"']/g, (c) => ESCAPES[c]);

export function words(status) {
  const s = String(status).replace(/_/g, " ");
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export const plural = (n) => n + " working day" + (Math.abs(n) === 1 ? "" : "s");

// Rows as objects with times in ms (end = the day after the last day), groups with their
// rows' range, and each milestone's links in and out.
export function load(data) {
  const c = {};
  data.columns.forEach((name, k) => { c[name] = k; });
  const gc = {};
  data.group_columns.forEach((name, k) => { gc[name] = k; });
  let lo = Infinity;
  let hi = -Infinity;
  const stretch = (a, b) => { if (a < lo) lo = a; if (b > hi) hi = b; };
  const rows = data.rows.map((r, i) => {
    const row = {
      i: i, ref: r[c.ref], title: r[c.title], ws: r[c.workstream], owner: r[c.owner],
      point: r[c.point] === 1, start: ms(r[c.start]), due: ms(r[c.due]),
      fs: ms(r[c.forecast_start]), fd: ms(r[c.forecast_due]),
      bs: ms(r[c.baseline_start]), bd: ms(r[c.baseline_due]),
      status: r[c.status], rag: r[c.rag], float: r[c.float], cat: r[c.category],
      late: r[c.late] === 1, done: ms(r[c.completed_on]), overdue: r[c.overdue] === 1, g: 0,
    };
    stretch(row.start, row.due + DAY);
    stretch(row.fs, row.fd + DAY);
    if (row.bd !== null) stretch(row.bs, row.bd + DAY);
    return row;
  });
  const groups = data.groups.map((g, k) => {
    for (let i = g[gc.first]; i < g[gc.first] + g[gc.count]; i += 1) rows[i].g = k;
    return {
      k: k, code: g[gc.code], name: g[gc.name], first: g[gc.first], count: g[gc.count],
      start: ms(g[gc.start]), end: ms(g[gc.end]) + DAY, complete: g[gc.complete],
      rag: g[gc.rag], open: true,
    };
  });
  const into = rows.map(() => []);
  const out = rows.map(() => []);
  data.links.forEach((link, k) => { out[link[0]].push(k); into[link[1]].push(k); });
  const marks = { today: ms(data.today), target: ms(data.go_live_target),
    forecast: ms(data.forecast_go_live) };
  stretch(marks.today, marks.today + DAY);
  stretch(marks.target, marks.target + DAY);
  stretch(marks.forecast, marks.forecast + DAY);
  return {
    rows: rows, groups: groups, links: data.links, into: into, out: out, marks: marks,
    driving: data.driving, goLive: data.go_live, baseline: data.baseline,
    categories: data.categories, lo: lo, hi: hi,
  };
}

// The milestone, everything it waits for and everything that waits for it.
export function chain(model, start) {
  const found = new Set([start]);
  const walk = (edges, end) => {
    const todo = [start];
    while (todo.length) {
      const i = todo.pop();
      for (const k of edges[i]) {
        const next = model.links[k][end];
        if (!found.has(next)) { found.add(next); todo.push(next); }
      }
    }
  };
  walk(model.into, 0);
  const before = found.size - 1;
  walk(model.out, 1);
  return { set: found, before: before, after: found.size - 1 - before };
}

export function statusWords(r) {
  let text = words(r.status) + " · RAG " + words(r.rag);
  if (r.overdue) text += " · Overdue";
  else if (r.late) text += " · Late";
  return text;
}

// The tooltip's lines: planned, forecast, actual and baseline dates, float, owner, status.
export function details(model, r) {
  const lines = [];
  const plan = r.point ? "Due " + longDate(r.due) : longDate(r.start) + " to " + longDate(r.due);
  lines.push(["Planned", plan]);
  if (r.done !== null) lines.push(["Completed", longDate(r.done)]);
  else {
    const fc = r.point || r.fs === r.start ? longDate(r.fd) : longDate(r.fs) + " to " + longDate(r.fd);
    lines.push(["Forecast", fc]);
  }
  if (r.bd !== null) {
    const base = r.point || r.bs === r.bd ? longDate(r.bd) : longDate(r.bs) + " to " + longDate(r.bd);
    lines.push(["Baseline", base + (model.baseline ? " (" + model.baseline + ")" : "")]);
  }
  lines.push(["Float", r.float === null ? "None (complete)" : plural(r.float)]);
  lines.push(["Owner", r.owner]);
  lines.push(["Status", statusWords(r)]);
  return lines;
}

export function tipHtml(model, r) {
  return "<strong>" + esc(r.ref) + "</strong> " + esc(r.title) + "<dl>" +
    details(model, r).map((l) => "<dt>" + l[0] + "</dt><dd>" + esc(l[1]) + "</dd>").join("") +
    "</dl>";
}

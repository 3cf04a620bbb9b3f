// The chart's two other forms: a list by workstream for narrow screens (each workstream's
// milestones filled in when it is opened), and one table per workstream for paper, whose
// head (the workstream and the time axis) the browser repeats on every printed page.
import { DAY, esc, longDate, statusWords, words } from "./gantt-data.js";
import { scale, ticks } from "./gantt-scale.js";

function groupSummary(g) {
  return esc(g.code) + ": " + esc(g.name) + " · " + g.count + " milestone" + (g.count === 1 ? "" : "s") +
    " · " + g.complete + "% complete · RAG " + words(g.rag);
}

export function listHtml(model) {
  return '<h2 class="nhsuk-heading-s gantt-list__heading">Milestones by workstream</h2>' +
    model.groups.map((g) => '<details class="gantt-list__ws" data-g="' + g.k + '"><summary>' +
      groupSummary(g) + '</summary><ol class="nhsuk-list gantt-list__items"></ol></details>').join("");
}

function itemHtml(model, r, url) {
  const dates = r.point ? "Due " + longDate(r.due) : longDate(r.start) + " to " + longDate(r.due);
  const outcome = r.done !== null ? "Completed " + longDate(r.done) : "Forecast " + longDate(r.fd);
  return '<li><a href="' + esc(url + r.ref) + '">' + esc(r.ref) + "</a> " + esc(r.title) +
    '<br><span class="gantt-list__dates">' + dates + " · " + outcome + "</span><br>" +
    '<span class="gantt-list__status' + (r.late || r.overdue ? " gantt-list__status--late" : "") + '">' +
    esc(statusWords(r)) + "</span></li>";
}

export function fillGroup(details, model, url) {
  const list = details.querySelector("ol");
  if (list.childElementCount) return;
  const g = model.groups[Number(details.dataset.g)];
  let html = "";
  for (let i = g.first; i < g.first + g.count; i += 1) html += itemHtml(model, model.rows[i], url);
  list.innerHTML = html;
}

// Paper: positions as shares of the programme's span, so the chart fits the page's width.
export function printHtml(model) {
  const s = scale(model.lo, model.hi, 1);
  const span = s.t1 - s.t0;
  const pct = (t) => ((100 * (t - s.t0)) / span).toFixed(3) + "%";
  const width = (a, b) => Math.max(0.15, (100 * (b - a)) / span).toFixed(3) + "%";
  const bar = (cls, a, b) => '<span class="' + cls + '" style="left:' + pct(a) + ";width:" + width(a, b) + '"></span>';
  const dot = (cls, t) => '<span class="' + cls + '" style="left:' + pct(t + DAY / 2) + '"></span>';
  // Ticks as for a time area about 1,000 px wide (A3 landscape less the text columns).
  const labelled = ticks(scale(model.lo, model.hi, 1000 / s.days)).filter((t) => t.label);
  const marks = [["today", model.marks.today + DAY / 2], ["target", model.marks.target + DAY]];
  if (model.marks.forecast !== model.marks.target) marks.push(["forecast", model.marks.forecast + DAY]);
  let axis = labelled.map((t) => '<span class="gantt-ptick" style="left:' + pct(t.t) + '">' + t.label + "</span>").join("");
  axis += marks.map((m) => '<span class="gantt-pline gantt-pline--' + m[0] + '" style="left:' + pct(m[1]) + '"></span>').join("");
  const lines = labelled.map((t) => '<span class="gantt-pgrid" style="left:' + pct(t.t) + '"></span>').join("") +
    marks.map((m) => '<span class="gantt-pline gantt-pline--' + m[0] + '" style="left:' + pct(m[1]) + '"></span>').join("");
  const head = '<tr><th scope="col">Milestone</th><th scope="col">Forecast</th><th scope="col">Status</th>' +
    '<th scope="col" class="gantt-ptime"><span class="nhsuk-u-visually-hidden">Time</span><div class="gantt-paxis">' + axis + "</div></th></tr>";
  return model.groups.map((g) => {
    let body = "";
    for (let i = g.first; i < g.first + g.count; i += 1) {
      const r = model.rows[i];
      const cue = r.overdue ? " gantt-bar--overdue" : r.late ? " gantt-bar--late" : "";
      let marksHtml = "";
      if (r.bd !== null) marksHtml += r.point ? dot("gantt-ghost gantt-ghost--point", r.bd) : bar("gantt-ghost", r.bs, r.bd + DAY);
      marksHtml += r.point ? dot("gantt-bar gantt-bar--point gantt-bar--" + r.cat + cue, r.due)
        : bar("gantt-bar gantt-bar--" + r.cat + cue, r.start, r.due + DAY);
      if (r.done === null && r.fd !== r.due) {
        marksHtml += r.point ? dot("gantt-fc gantt-fc--point", r.fd) : bar("gantt-fc", r.fs, r.fd + DAY);
      }
      body += '<tr data-i="' + i + '"><td>' + esc(r.ref) + " " + esc(r.title) + "</td><td>" +
        longDate(r.done !== null ? r.done : r.fd) + "</td><td>" + esc(statusWords(r)) + '</td><td class="gantt-ptime"><div class="gantt-ptrack">' +
        lines + marksHtml + "</div></td></tr>";
    }
    return '<table class="gantt-ptable"><colgroup><col class="gantt-pcol-name"><col class="gantt-pcol-date"><col class="gantt-pcol-status"><col></colgroup>' +
      '<thead><tr><th colspan="4" scope="colgroup" class="gantt-pws">' + groupSummary(g) + "</th></tr>" + head +
      "</thead><tbody>" + body + "</tbody></table>";
  }).join("");
}

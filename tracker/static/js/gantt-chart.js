// The Gantt chart on screen: a label column and a time area in one scrolling viewport, the
// axis sticky at its top. Only the rows in view (and a margin) are in the DOM, so thousands
// of milestones draw as fast as a hundred. Links are drawn only for a highlighted chain.
import { DAY, chain, esc, longDate, tipHtml, words } from "./gantt-data.js";
import { ZOOMS, scale, ticks, weeks } from "./gantt-scale.js";

const ROW = 28; // px per row
const MARGIN = 15; // rows kept in the DOM beyond each edge of the viewport
const ROOM = 150; // px after the last month for the labels beside the latest bars
const ZOOM_LABELS = [["weeks", "Weeks"], ["months", "Months"], ["quarters", "Quarters"],
  ["whole", "Whole programme"], ["fit", "Fit to window"]];

function button(attrs, text) {
  return '<button type="button" class="nhsuk-button nhsuk-button--secondary nhsuk-button--small" ' +
    attrs + ">" + text + "</button>";
}

function legendHtml(model) {
  const c = model.categories;
  const items = [
    ["critical", c.critical[0]], ["driving", c.driving[0]], ["planned", c.planned[0]],
    ["complete", c.complete[0]], ["point", "Point milestone (diamond)"],
    ["fc", "Forecast, where it differs from the plan"],
    ["late", "Late or overdue: hatched and labelled “Late” or “Overdue”"],
  ];
  if (model.baseline) items.push(["ghost", "Baseline: " + model.baseline]);
  items.push(["sum", "Workstream: earliest start to latest forecast, the dark part complete"],
    ["today", "Today"], ["target", "Go-live target"], ["forecast", "Forecast go-live"],
    ["link", "Dependency (drawn for the highlighted chain)"]);
  return '<ul class="gantt-legend" aria-label="Key">' + items.map((it) =>
    '<li><span class="gantt-key gantt-key--' + it[0] + '" aria-hidden="true"></span>' + esc(it[1]) + "</li>",
  ).join("") + "</ul>";
}

function skeleton(model) {
  return '<div class="gantt-controls">' +
    '<div class="gantt-group" role="group" aria-label="Zoom"><span class="gantt-group__label" aria-hidden="true">Zoom</span>' +
    ZOOM_LABELS.map((z) => button('data-zoom="' + z[0] + '" aria-pressed="false"', z[1])).join("") + "</div>" +
    '<div class="gantt-group" role="group" aria-label="Workstreams"><span class="gantt-group__label" aria-hidden="true">Workstreams</span>' +
    button('data-fold="all"', "Fold all") + button('data-fold="none"', "Unfold all") + "</div>" +
    '<div class="gantt-group">' + button('data-driving aria-pressed="false"', "Driving path to go-live") + "</div>" +
    "</div>" +
    '<div class="gantt-trace"><p class="gantt-status" role="status"></p>' +
    button("data-clear hidden", "Clear the highlight") + "</div>" +
    legendHtml(model) +
    '<div class="gantt-viewport" role="region" aria-label="Gantt chart, workstreams and milestones against time">' +
    '<div class="gantt-canvas"><div class="gantt-head"><div class="gantt-corner">Workstream and milestone</div>' +
    '<div class="gantt-axis" aria-hidden="true"></div></div>' +
    '<div class="gantt-body"><div class="gantt-grid" aria-hidden="true"></div>' +
    '<svg class="gantt-links" aria-hidden="true" focusable="false"><defs><marker id="gantt-arrow" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto">' +
    '<path d="M0,0 L8,4 L0,8 z"></path></marker></defs><g></g></svg>' +
    '<div class="gantt-rows"></div></div></div></div>' +
    '<div class="gantt-tip" id="gantt-tip" role="tooltip" hidden></div>';
}

export function mount(root, model, options) {
  root.insertAdjacentHTML("afterbegin", skeleton(model));
  const $ = (selector) => root.querySelector(selector);
  const viewport = $(".gantt-viewport");
  const canvas = $(".gantt-canvas");
  const axis = $(".gantt-axis");
  const body = $(".gantt-body");
  const grid = $(".gantt-grid");
  const svg = $(".gantt-links");
  const linkLayer = svg.querySelector("g");
  const rowsBox = $(".gantt-rows");
  const tip = $(".gantt-tip");
  const status = $(".gantt-status");
  const clear = $("[data-clear]");
  const driving = $("[data-driving]");
  const template = document.createElement("template");
  const rows = model.rows;
  const rowPos = new Int32Array(rows.length);
  const groupPos = [];
  const shown = new Map(); // item index: its row element
  let items = []; // what each row shows: a milestone's index, or -1 - a workstream's index
  let range = [0, -1];
  let labelW = 300;
  let s = null;
  let zoom = null;
  let trace = null; // {set, groups, chosen}: the highlighted chain or driving path
  let firstTip = true;

  if (options.folded) model.groups.forEach((g) => { g.open = false; });

  function layoutItems() {
    items = [];
    rowPos.fill(-1);
    model.groups.forEach((g) => {
      groupPos[g.k] = items.length;
      items.push(-1 - g.k);
      if (!g.open) return;
      for (let i = g.first; i < g.first + g.count; i += 1) { rowPos[i] = items.length; items.push(i); }
    });
    body.style.height = items.length * ROW + "px";
    svg.setAttribute("height", String(items.length * ROW));
  }

  const left = (t) => labelW + s.x(t);
  const box = (cls, a, b) => '<span class="' + cls + '" style="left:' + left(a).toFixed(1) +
    "px;width:" + Math.max(3, s.x(b) - s.x(a)).toFixed(1) + 'px"></span>';
  const diamond = (cls, t) => '<span class="' + cls + '" style="left:' + left(t + DAY / 2).toFixed(1) + 'px"></span>';

  function traceClass(inChain) {
    if (!trace) return "";
    return inChain ? " is-chain" : " is-faded";
  }

  function milestoneHtml(r, top) {
    let marks = "";
    if (r.bd !== null) {
      marks += r.point ? diamond("gantt-ghost gantt-ghost--point", r.bd) : box("gantt-ghost", r.bs, r.bd + DAY);
    }
    const cue = r.overdue ? " gantt-bar--overdue" : r.late ? " gantt-bar--late" : "";
    const kind = "gantt-bar gantt-bar--" + r.cat + cue;
    marks += r.point ? diamond(kind + " gantt-bar--point", r.due) : box(kind, r.start, r.due + DAY);
    if (r.done === null && (r.fd !== r.due || (!r.point && r.fs !== r.start))) {
      marks += r.point ? diamond("gantt-fc gantt-fc--point", r.fd) : box("gantt-fc", r.fs, r.fd + DAY);
    }
    if (r.late || r.overdue) {
      marks += '<span class="gantt-flag" style="left:' + (left(Math.max(r.due, r.fd) + DAY) + 8).toFixed(1) +
        'px">' + (r.overdue ? "Overdue" : "Late") + "</span>";
    }
    const chosen = trace && trace.chosen === r.i;
    return '<div class="gantt-row gantt-row--m' + traceClass(trace && trace.set.has(r.i)) +
      (chosen ? " is-chosen" : "") + '" data-i="' + r.i + '" style="top:' + top + 'px">' +
      '<div class="gantt-label"><button type="button" class="gantt-name" data-i="' + r.i +
      '" aria-pressed="' + (chosen ? "true" : "false") + '" aria-describedby="gantt-tip">' +
      esc(r.ref) + ' <span class="gantt-title">' + esc(r.title) + "</span></button></div>" + marks + "</div>";
  }

  function groupHtml(g, top) {
    return '<div class="gantt-row gantt-row--ws' + traceClass(trace && trace.groups.has(g.k)) +
      '" data-g="' + g.k + '" style="top:' + top + 'px"><div class="gantt-label">' +
      '<button type="button" class="gantt-ws" data-g="' + g.k + '" aria-expanded="' + g.open + '">' +
      '<span class="gantt-caret" aria-hidden="true"></span>' + esc(g.code) + ": " + esc(g.name) +
      ' <span class="gantt-count">(' + g.count + ")</span></button></div>" +
      '<span class="gantt-sum" style="left:' + left(g.start).toFixed(1) + "px;width:" +
      Math.max(3, s.x(g.end) - s.x(g.start)).toFixed(1) + 'px"><span class="gantt-sum__done" style="width:' +
      g.complete + '%"></span></span><span class="gantt-sum__text" style="left:' + (left(g.end) + 8).toFixed(1) +
      'px">' + g.complete + "% complete · RAG " + words(g.rag) + "</span></div>";
  }

  const rowHtml = (idx) => (items[idx] < 0 ? groupHtml(model.groups[-1 - items[idx]], idx * ROW)
    : milestoneHtml(rows[items[idx]], idx * ROW));

  function insert(list, before) {
    if (!list.length) return;
    template.innerHTML = list.map(rowHtml).join("");
    Array.from(template.content.children).forEach((node, k) => shown.set(list[k], node));
    rowsBox.insertBefore(template.content, before);
  }

  // Puts the rows in view (and a margin) in the DOM, in order, keeping those already there.
  function update(force) {
    const top = viewport.scrollTop - body.offsetTop;
    const first = Math.max(0, Math.floor(top / ROW) - MARGIN);
    const last = Math.min(items.length - 1, Math.ceil((top + viewport.clientHeight) / ROW) + MARGIN);
    if (!force && first === range[0] && last === range[1]) return;
    range = [first, last];
    shown.forEach((node, idx) => { if (idx < first || idx > last) { node.remove(); shown.delete(idx); } });
    let cursor = rowsBox.firstChild;
    let pending = [];
    for (let idx = first; idx <= last; idx += 1) {
      const node = shown.get(idx);
      if (!node) { pending.push(idx); continue; }
      insert(pending, node);
      pending = [];
      cursor = node.nextSibling;
    }
    insert(pending, cursor);
    drawLinks();
  }

  function redraw() {
    shown.clear();
    rowsBox.textContent = "";
    update(true);
  }

  function drawAxis() {
    let head = "";
    let lines = "";
    ticks(s).forEach((t) => {
      const x = t.x.toFixed(1);
      head += '<span class="gantt-tick' + (t.label ? " gantt-tick--major" : "") + '" style="left:' + x + 'px">' +
        (t.label ? '<span class="gantt-tick__label">' + t.label + "</span>" : "") + "</span>";
      lines += '<span class="gantt-grid__line' + (t.label ? " gantt-grid__line--major" : "") +
        '" style="left:' + (labelW + t.x).toFixed(1) + 'px"></span>';
    });
    weeks(s).forEach((w) => {
      head += '<span class="gantt-week" style="left:' + w.x.toFixed(1) + 'px">' + w.label + "</span>";
    });
    const marks = [["today", "Today", model.marks.today + DAY / 2, model.marks.today],
      ["target", "Go-live target", model.marks.target + DAY, model.marks.target]];
    if (model.marks.forecast !== model.marks.target) {
      marks.push(["forecast", "Forecast go-live", model.marks.forecast + DAY, model.marks.forecast]);
    }
    marks.forEach((m, k) => {
      const x = s.x(m[2]);
      const flip = x + 210 > s.width ? " gantt-mark--flip" : "";
      head += '<span class="gantt-mark gantt-mark--' + m[0] + flip + '" style="left:' + x.toFixed(1) +
        "px;top:" + (44 + k * 17) + 'px">' + m[1] + " " + longDate(m[3]) + "</span>";
      lines += '<span class="gantt-grid__mark gantt-grid__mark--' + m[0] + '" style="left:' +
        (labelW + x).toFixed(1) + 'px"></span>';
    });
    axis.innerHTML = head;
    axis.style.width = s.width + "px";
    grid.innerHTML = lines;
    canvas.style.width = labelW + s.width + ROOM + "px";
    svg.setAttribute("width", String(s.width));
    svg.style.left = labelW + "px";
  }

  const avail = () => Math.max(240, viewport.clientWidth - labelW - ROOM - 4);

  function rangeInView() {
    let lo = Infinity;
    let hi = -Infinity;
    const top = viewport.scrollTop - body.offsetTop;
    const first = Math.max(0, Math.floor(top / ROW));
    const last = Math.min(items.length - 1, Math.floor((top + viewport.clientHeight) / ROW));
    for (let idx = first; idx <= last; idx += 1) {
      const item = items[idx];
      const r = item < 0 ? model.groups[-1 - item] : rows[item];
      const a = item < 0 ? r.start : Math.min(r.start, r.fs);
      const b = item < 0 ? r.end : Math.max(r.due, r.fd) + DAY;
      if (a < lo) lo = a;
      if (b > hi) hi = b;
    }
    return lo < hi ? [lo, hi] : [model.lo, model.hi];
  }

  function setZoom(name) {
    const width = avail();
    const centre = s ? s.t0 + ((viewport.scrollLeft + width / 2) / s.ppd) * DAY : null;
    let ppd = ZOOMS[name];
    let fitted = null;
    if (name === "whole") ppd = width / scale(model.lo, model.hi, 1).days;
    if (name === "fit") {
      fitted = rangeInView();
      ppd = width / ((fitted[1] - fitted[0]) / DAY + 10);
    }
    zoom = name;
    s = scale(model.lo, model.hi, ppd);
    drawAxis();
    redraw();
    if (fitted) viewport.scrollLeft = s.x(fitted[0]) - 5 * ppd;
    else if (name === "whole") viewport.scrollLeft = 0;
    else if (centre !== null) viewport.scrollLeft = s.x(centre) - width / 2;
    root.querySelectorAll("[data-zoom]").forEach((b) => {
      b.setAttribute("aria-pressed", b.dataset.zoom === name ? "true" : "false");
    });
  }

  function linkPath(k) {
    const link = model.links[k];
    const a = rows[link[0]];
    const b = rows[link[1]];
    const fromEnd = link[2] === "FS" || link[2] === "FF";
    const toStart = link[2] === "FS" || link[2] === "SS";
    const xa = s.x(fromEnd ? a.fd + (a.point ? DAY / 2 : DAY) : a.fs + (a.point ? DAY / 2 : 0));
    const xb = s.x(toStart ? b.fs + (b.point ? DAY / 2 : 0) : b.fd + (b.point ? DAY / 2 : DAY));
    const ya = rowPos[link[0]] * ROW + ROW / 2;
    const yb = rowPos[link[1]] * ROW + ROW / 2;
    return "M" + xa.toFixed(1) + "," + ya + "h6V" + yb + "H" + xb.toFixed(1);
  }

  // Links of the highlighted chain with an end in the rows drawn; never all of them at once.
  function drawLinks() {
    if (!trace) { linkLayer.textContent = ""; return; }
    const seen = new Set();
    let d = "";
    for (let idx = range[0]; idx <= range[1]; idx += 1) {
      const i = items[idx];
      if (i < 0 || !trace.set.has(i)) continue;
      for (const list of [model.into[i], model.out[i]]) {
        for (const k of list) {
          const link = model.links[k];
          if (seen.has(k) || !trace.set.has(link[0]) || !trace.set.has(link[1])) continue;
          if (rowPos[link[0]] < 0 || rowPos[link[1]] < 0) continue;
          seen.add(k);
          d += '<path class="gantt-link" d="' + linkPath(k) + '" marker-end="url(#gantt-arrow)"></path>';
        }
      }
    }
    linkLayer.innerHTML = d;
  }

  function restyle() {
    shown.forEach((node, idx) => {
      const item = items[idx];
      const inChain = trace && (item < 0 ? trace.groups.has(-1 - item) : trace.set.has(item));
      node.classList.toggle("is-chain", Boolean(trace && inChain));
      node.classList.toggle("is-faded", Boolean(trace && !inChain));
      const chosen = Boolean(trace && item >= 0 && trace.chosen === item);
      node.classList.toggle("is-chosen", chosen);
      if (item >= 0) node.querySelector(".gantt-name").setAttribute("aria-pressed", String(chosen));
    });
    root.classList.toggle("is-tracing", Boolean(trace));
    clear.hidden = !trace;
    drawLinks();
  }

  function highlight(set, chosen, message) {
    const groups = new Set();
    set.forEach((i) => groups.add(rows[i].g));
    trace = { set: set, groups: groups, chosen: chosen };
    status.innerHTML = message;
    restyle();
  }

  function unhighlight() {
    trace = null;
    status.textContent = "";
    driving.setAttribute("aria-pressed", "false");
    restyle();
  }

  function choose(i) {
    if (trace && trace.chosen === i) { unhighlight(); return; }
    const r = rows[i];
    const found = chain(model, i);
    driving.setAttribute("aria-pressed", "false");
    const g = model.groups[r.g];
    if (!g.open) { g.open = true; layoutItems(); redraw(); }
    highlight(found.set, i, "Highlighted: <strong>" + esc(r.ref) + "</strong> " + esc(r.title) + ", with the " +
      found.before + " milestone" + (found.before === 1 ? "" : "s") + " it waits for and the " + found.after +
      " that wait for it; the rest are faded. " + '<a href="' + esc(options.milestoneUrl + r.ref) +
      '">Open ' + esc(r.ref) + "</a>");
  }

  function toggleDriving() {
    if (driving.getAttribute("aria-pressed") === "true") { unhighlight(); return; }
    highlight(new Set(model.driving), null, "Highlighted: the driving path to go-live, " +
      model.driving.length + " milestone" + (model.driving.length === 1 ? "" : "s") + "; the rest are faded.");
    driving.setAttribute("aria-pressed", "true");
  }

  function fold(g) {
    g.open = !g.open;
    layoutItems();
    redraw();
    const again = rowsBox.querySelector('.gantt-ws[data-g="' + g.k + '"]');
    if (again) again.focus();
  }

  function foldAll(open) {
    model.groups.forEach((g) => { g.open = open; });
    layoutItems();
    viewport.scrollTop = 0;
    redraw();
  }

  function placeTip(x, y) {
    const w = tip.offsetWidth;
    const h = tip.offsetHeight;
    tip.style.left = Math.max(4, Math.min(x + 14, window.innerWidth - w - 8)) + "px";
    tip.style.top = (y + 18 + h > window.innerHeight ? Math.max(4, y - h - 10) : y + 18) + "px";
  }

  function showTip(target, x, y, event) {
    const i = target.dataset.i;
    if (i !== undefined) tip.innerHTML = tipHtml(model, rows[Number(i)]);
    else {
      const g = model.groups[Number(target.dataset.g)];
      tip.innerHTML = "<strong>" + esc(g.code) + ": " + esc(g.name) + "</strong><dl><dt>Milestones</dt><dd>" + g.count +
        "</dd><dt>From</dt><dd>" + longDate(g.start) + "</dd><dt>To (forecast)</dt><dd>" + longDate(g.end - DAY) +
        "</dd><dt>Complete</dt><dd>" + g.complete + "%</dd><dt>RAG</dt><dd>" + words(g.rag) + "</dd></dl>";
    }
    tip.hidden = false;
    placeTip(x, y);
    if (firstTip && event) {
      firstTip = false;
      const started = event.timeStamp;
      requestAnimationFrame(() => {
        document.documentElement.dataset.ganttTip = String(Math.round(performance.now()));
        document.documentElement.dataset.ganttTipLatency = String(Math.round(performance.now() - started));
      });
    }
  }

  const hideTip = () => { tip.hidden = true; };

  rowsBox.addEventListener("click", (event) => {
    const ws = event.target.closest(".gantt-ws");
    if (ws) { fold(model.groups[Number(ws.dataset.g)]); return; }
    const row = event.target.closest(".gantt-row--m");
    if (row) choose(Number(row.dataset.i));
  });
  rowsBox.addEventListener("mouseover", (event) => {
    const row = event.target.closest(".gantt-row");
    if (row) showTip(row, event.clientX, event.clientY, event);
  });
  rowsBox.addEventListener("mousemove", (event) => { if (!tip.hidden) placeTip(event.clientX, event.clientY); });
  rowsBox.addEventListener("mouseleave", hideTip);
  rowsBox.addEventListener("focusin", (event) => {
    const row = event.target.closest(".gantt-row");
    if (!row) return;
    const rect = event.target.getBoundingClientRect();
    showTip(row, rect.left, rect.bottom - 14, null);
  });
  rowsBox.addEventListener("focusout", hideTip);
  root.addEventListener("keydown", (event) => {
    if (event.key === "Escape") { hideTip(); if (trace) unhighlight(); }
  });
  root.querySelectorAll("[data-zoom]").forEach((b) => b.addEventListener("click", () => setZoom(b.dataset.zoom)));
  root.querySelector('[data-fold="all"]').addEventListener("click", () => foldAll(false));
  root.querySelector('[data-fold="none"]').addEventListener("click", () => foldAll(true));
  driving.addEventListener("click", toggleDriving);
  clear.addEventListener("click", unhighlight);

  let queued = false;
  viewport.addEventListener("scroll", () => {
    hideTip();
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => { queued = false; update(false); });
  }, { passive: true });

  function resize() {
    labelW = Math.round(Math.min(360, Math.max(200, viewport.clientWidth * 0.28)));
    root.style.setProperty("--gantt-label", labelW + "px");
    setZoom(zoom || options.zoom || "whole");
  }
  let lastWidth = 0;
  window.addEventListener("resize", () => {
    if (!viewport.clientWidth || viewport.clientWidth === lastWidth) return;
    lastWidth = viewport.clientWidth;
    resize();
  });

  layoutItems();
  lastWidth = viewport.clientWidth;
  resize();
  return { resize: resize, choose: choose };
}

// The Gantt chart, drawn from the JSON the page carries (tracker/domain/gantt.py) as HTML
// rows with bars, by this app's own script: no charting library (docs/gantt.md says why).
// Wide screens get the interactive chart, narrow ones a list by workstream, paper a table per
// workstream. When the chart is drawn, <html data-gantt-drawn> holds the time since navigation.
import { load } from "./gantt-data.js";
import { mount } from "./gantt-chart.js";
import { fillGroup, listHtml, printHtml } from "./gantt-list.js";

const source = document.getElementById("gantt-json");
const root = document.getElementById("gantt");
if (source && root) {
  const model = load(JSON.parse(source.textContent));
  const url = root.dataset.milestoneUrl || "";
  const narrow = window.matchMedia("(max-width: 40.0525em)");
  const paper = window.matchMedia("print");
  let chart = null;

  const list = document.createElement("div");
  list.className = "gantt-list";
  const printed = document.createElement("div");
  printed.className = "gantt-print";
  root.append(list, printed);

  const showList = () => {
    if (!list.childElementCount) {
      list.innerHTML = listHtml(model);
      list.addEventListener("toggle", (event) => fillGroup(event.target, model, url), true);
    }
  };
  const showChart = () => {
    if (!chart) {
      chart = mount(root, model, { folded: location.hash === "#folded", milestoneUrl: url });
    } else chart.resize();
  };
  const choose = () => {
    root.classList.toggle("is-narrow", narrow.matches);
    if (narrow.matches) showList();
    else showChart();
  };
  // Every row on paper, drawn only when asked to print: thousands of rows stay off screen.
  const forPaper = () => { if (!printed.childElementCount) printed.innerHTML = printHtml(model); };

  // The skip link (#gantt-data) opens the table when a large plan's is closed.
  const reveal = () => {
    const found = location.hash && document.getElementById(location.hash.slice(1));
    const closed = found && found.closest("details:not([open])");
    if (closed) { closed.open = true; found.scrollIntoView(); }
  };
  window.addEventListener("hashchange", reveal);
  reveal();

  choose();
  narrow.addEventListener("change", choose);
  paper.addEventListener("change", (event) => { if (event.matches) forPaper(); });
  window.addEventListener("beforeprint", forPaper);
  root.dataset.ready = "true";
  requestAnimationFrame(() => setTimeout(() => {
    const now = Math.round(performance.now());
    document.documentElement.dataset.ganttDrawn = String(now);
    performance.mark("gantt-drawn");
  }, 0));
}

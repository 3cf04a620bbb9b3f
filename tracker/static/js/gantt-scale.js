// The time scale: days to pixels, and the month (or quarter, or year) ticks, each labelled once.
import { DAY, SHORT_MONTHS } from "./gantt-data.js";

// Pixels per day of each zoom preset; "whole" and "fit" are worked out from the width.
export const ZOOMS = { weeks: 20, months: 4.2, quarters: 1.5 };
const MIN_LABEL_GAP = 64; // px: room for "Sep 2022" and a little air

export function monthStart(t) {
  const d = new Date(t);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

export function addMonths(t, n) {
  const d = new Date(t);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + n, 1);
}

// From the month start before `lo` to the month start after `hi` (exclusive end).
export function scale(lo, hi, ppd) {
  const t0 = monthStart(lo);
  const t1 = addMonths(hi - 1, 1);
  return {
    t0: t0, t1: t1, ppd: ppd,
    width: Math.ceil(((t1 - t0) / DAY) * ppd),
    x: (t) => ((t - t0) / DAY) * ppd,
    days: (t1 - t0) / DAY,
  };
}

// Every month start is a gridline; the labelled ones are month, quarter, half-year or year
// starts, whichever is the smallest step that leaves room for its label.
export function ticks(s) {
  const monthPx = s.ppd * 30.44;
  const step = [1, 3, 6, 12].find((n) => n * monthPx >= MIN_LABEL_GAP) || 12;
  const list = [];
  for (let t = s.t0; t <= s.t1; t = addMonths(t, 1)) { // the end too: the last month closed
    const d = new Date(t);
    const m = d.getUTCMonth();
    let label = null;
    if (m % step === 0) {
      label = step === 12 ? String(d.getUTCFullYear()) : SHORT_MONTHS[m] + " " + d.getUTCFullYear();
    }
    list.push({ t: t, x: s.x(t), label: label });
  }
  return list;
}

// Mondays, labelled with their day of the month, when a week is wide enough to read.
export function weeks(s) {
  if (s.ppd * 7 < 24) return [];
  const list = [];
  const first = new Date(s.t0);
  let t = s.t0 + ((8 - first.getUTCDay()) % 7) * DAY;
  for (; t < s.t1; t += 7 * DAY) list.push({ t: t, x: s.x(t), label: String(new Date(t).getUTCDate()) });
  return list;
}

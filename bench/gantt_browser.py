"""The Gantt chart in the browser: Debian's Chromium, through Playwright, against gunicorn.

    .venv/bin/python bench/gantt_browser.py                  # 500, 2,000 and 5,000 milestones
    .venv/bin/python bench/gantt_browser.py --sizes 2000 --runs 5

For each size: a scratch SQLite database with one synthetic programme (2 links a milestone),
gunicorn with 2 workers on 127.0.0.1, a board member signed in. The page is loaded a few
times to warm the server (its HTML is then served from the fragment cache), then --runs times
in a fresh browser tab each, every workstream unfolded (the default) and folded (#folded):

- drawn: navigation start to the chart drawn (gantt.js sets <html data-gantt-drawn> one task
  after the frame that drew it), the whole page parsed, styled and laid out;
- first tooltip: navigation start to the first tooltip shown, the pointer moved onto a bar
  as soon as the chart is drawn, and the tooltip's own latency (the mouse event to the frame
  that shows it);
- trace: choosing the go-live milestone (its chain is most of the plan) and fold all, each
  timed around the click in the page;
- DOM nodes (the data table under the chart included) and the JS heap after a garbage
  collection (CDP Runtime.getHeapUsage).

Medians are printed. Nothing here is imported by the app or the tests.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from server import (  # noqa: E402  (bench/ is not a package)
    PASSWORD,
    TODAY,
    Client,
    gunicorn,
    machine,
    scratch_database,
)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
DRAWN = "() => document.documentElement.dataset.ganttDrawn"
TIP = "() => document.documentElement.dataset.ganttTip"
CLICK_MS = """selector => {
    const started = performance.now();
    document.querySelector(selector).click();
    return performance.now() - started;
}"""


def prepare(url: str, milestones: int) -> tuple[str, str]:
    """One synthetic programme of `milestones` with 2 links each; (slug, board member)."""
    from flask_migrate import upgrade

    from tracker import create_app
    from tracker.extensions import db
    from tracker.services.synthetic import generate_programme

    app = create_app({"TRACKER_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        report = generate_programme(
            slug="synthetic-1",
            milestones=milestones,
            today=TODAY,
            seed=1,
            links_per_milestone=2.0,
            password=PASSWORD,
        )
        db.session.commit()
        board = next(email for email, role, _ in report.account_list if role == "board")
        db.session.remove()
        db.engine.dispose()
    return report.slug, board


def one_load(browser: Any, port: int, cookie: str, path: str, folded: bool) -> dict[str, float]:
    name, value = cookie.split("=", 1)
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-GB")
    context.add_cookies([{"name": name, "value": value, "url": f"http://127.0.0.1:{port}"}])
    page = context.new_page()
    try:
        page.goto(f"http://127.0.0.1:{port}{path}{'#folded' if folded else ''}")
        page.wait_for_function(DRAWN, timeout=600_000)
        first = ".gantt-row--ws .gantt-sum" if folded else ".gantt-row--m .gantt-bar"
        page.locator(first).first.hover()
        page.wait_for_function(TIP, timeout=60_000)
        marks = page.evaluate(
            """() => ({drawn: +document.documentElement.dataset.ganttDrawn,
                tip: +document.documentElement.dataset.ganttTip,
                latency: +document.documentElement.dataset.ganttTipLatency,
                nodes: document.getElementsByTagName('*').length,
                rows: document.querySelectorAll('.gantt-row').length})"""
        )
        cdp = context.new_cdp_session(page)
        cdp.send("HeapProfiler.collectGarbage")
        marks["heap_mb"] = cdp.send("Runtime.getHeapUsage")["usedSize"] / 2**20
        if not folded:
            go_live = page.evaluate(
                "() => JSON.parse(document.getElementById('gantt-json').textContent).go_live"
            )
            viewport = page.locator(".gantt-viewport")
            viewport.evaluate(f"v => {{ v.scrollTop = {go_live} * 28; }}")
            page.wait_for_selector(f'.gantt-name[data-i="{go_live}"]')
            marks["trace"] = page.evaluate(CLICK_MS, f'.gantt-name[data-i="{go_live}"]')
        marks["fold"] = page.evaluate(CLICK_MS, '[data-fold="all"]')
        return marks
    finally:
        context.close()


def run(size: int, runs: int) -> list[dict[str, Any]]:
    from playwright.sync_api import sync_playwright

    results = []
    with scratch_database("sqlite") as url:
        started = time.perf_counter()
        slug, board = prepare(url, size)
        print(f"\n{size:,} milestones (generated in {time.perf_counter() - started:.1f} s)")
        path = f"/p/{slug}/gantt"
        with gunicorn(url, workers=2) as port:
            client = Client(port).sign_in(board)
            for _ in range(4):
                page = client.get(path)  # both workers warm, the fragment cached
                assert page.status == 200, page.status
            kb = len(page.body) / 1024
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                try:
                    for folded in (False, True):
                        one_load(browser, port, client.cookie, path, folded)  # warm the cache
                        loads = [
                            one_load(browser, port, client.cookie, path, folded)
                            for _ in range(runs)
                        ]
                        row: dict[str, Any] = {
                            "milestones": size,
                            "state": "folded" if folded else "unfolded",
                            "kb": kb,
                        }
                        for key in loads[0]:
                            row[key] = statistics.median(load[key] for load in loads)
                        results.append(row)
                        print(
                            f"  {row['state']:<9} drawn {row['drawn']:6.0f} ms"
                            f"   first tooltip {row['tip']:6.0f} ms"
                            f" (answered in {row['latency']:3.0f} ms)"
                            f"   DOM {row['nodes']:7,.0f} nodes ({row['rows']:.0f} chart rows)"
                            f"   heap {row['heap_mb']:5.1f} MB"
                            + (f"   trace go-live {row['trace']:5.0f} ms" if "trace" in row else "")
                            + f"   fold all {row['fold']:4.0f} ms   page {kb:,.0f} KB",
                            flush=True,
                        )
                finally:
                    browser.close()
    return results


def markdown(results: list[dict[str, Any]]) -> str:
    lines = [
        "| milestones | workstreams | drawn ms | first tooltip ms | tooltip latency ms "
        "| DOM nodes | JS heap MB | trace go-live ms | fold all ms | page KB |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        trace = f"{r['trace']:.0f}" if "trace" in r else ""
        lines.append(
            f"| {r['milestones']:,} | {r['state']} | {r['drawn']:.0f} | {r['tip']:.0f} "
            f"| {r['latency']:.0f} | {r['nodes']:,.0f} | {r['heap_mb']:.1f} | {trace} "
            f"| {r['fold']:.0f} | {r['kb']:,.0f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 2000, 5000])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(machine(), "; Chromium", CHROMIUM)
    results = [row for size in args.sizes for row in run(size, args.runs)]
    print()
    print(markdown(results))


if __name__ == "__main__":
    main()

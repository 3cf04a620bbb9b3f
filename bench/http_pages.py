"""Latency of the board's pages and the API's milestone list through HTTP, against gunicorn.

    .venv/bin/python bench/http_pages.py                       # 500, 2,000 and 20,000 milestones
    .venv/bin/python bench/http_pages.py --sizes 2000 --databases postgresql --runs 41

For each database (SQLite, PostgreSQL) and programme size: a scratch database, migrated, with
one synthetic programme (about 2.5 dependencies per milestone); gunicorn with 4 workers on
127.0.0.1; a board member signed in through the sign-in form. Each page is requested a few
times to warm every worker, then --runs times one after another: median and 95th percentile
of the whole HTTP exchange (connect, request, full response), and the page's size.

"After a change" times the dashboard and the Gantt when the plan has just changed (the plan
version is renewed in the database before each request, as any edit does), so the schedule
is worked out afresh rather than taken from the worker's cache.

The ratio compares the dashboard's median with one plain SELECT of the programme's
milestones joined to their dependencies, run through the same driver from this process.
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from server import (  # noqa: E402  (bench/ is not a package)
    Client,
    gunicorn,
    machine,
    percentile,
    prepare,
    raw_select_ms,
    scratch_database,
)


def pages(slug: str) -> list[tuple[str, str]]:
    return [
        ("dashboard", f"/p/{slug}/"),
        ("Gantt", f"/p/{slug}/gantt"),
        ("milestone list", f"/p/{slug}/milestones/"),
        ("API milestone list", f"/api/v1/programmes/{slug}/milestones?per_page=200"),
    ]


def timed(client: Client, path: str, runs: int) -> tuple[list[float], int]:
    times, size = [], 0
    for _ in range(runs):
        response = client.get(path)
        assert response.status == 200, (path, response.status, response.body[:200])
        times.append(response.ms)
        size = len(response.body)
    return times, size


def after_a_change(url: str, client: Client, slug: str, path: str, runs: int) -> list[float]:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    times = []
    try:
        for _ in range(runs):
            with engine.begin() as conn:
                conn.execute(
                    sa.text("UPDATE programme SET plan_version = :v WHERE slug = :slug"),
                    {"v": secrets.token_hex(8), "slug": slug},
                )
            times.append(timed(client, path, 1)[0][0])
    finally:
        engine.dispose()
    return times


def run(kind: str, size: int, runs: int, workers: int) -> list[dict[str, object]]:
    results: list[dict[str, object]] = []
    with scratch_database(kind) as url:
        ready = prepare(url, size)
        print(
            f"\n{kind}, {size:,} milestones, {ready.dependencies:,} dependencies "
            f"(generated in {ready.seconds:.1f} s)",
            flush=True,
        )
        with gunicorn(url, workers=workers) as port:
            client = Client(port, token=ready.api_token).sign_in(ready.board_email)
            for name, path in pages(ready.slug):
                timed(client, path, 10 * workers)  # every worker has the page and schedule warm
                times, size_bytes = timed(client, path, runs)
                row: dict[str, object] = {
                    "database": kind,
                    "milestones": size,
                    "page": name,
                    "median": statistics.median(times),
                    "p95": percentile(times, 0.95),
                    "kb": size_bytes / 1024,
                }
                if name in ("dashboard", "Gantt"):
                    cold = after_a_change(url, client, ready.slug, path, max(5, runs // 3))
                    row["cold"] = statistics.median(cold)
                results.append(row)
                print(
                    f"  {name:<20} median {row['median']:7.0f} ms   p95 {row['p95']:7.0f} ms"
                    f"   {row['kb']:8.0f} KB"
                    + (f"   after a change {row['cold']:6.0f} ms" if "cold" in row else ""),
                    flush=True,
                )
        raw = statistics.median(raw_select_ms(url, ready.slug, runs))
        dashboard = next(r for r in results if r["page"] == "dashboard")
        dashboard["raw"] = raw
        print(
            f"  raw SELECT {raw:.1f} ms; dashboard / raw SELECT = "
            f"{float(dashboard['median']) / raw:.1f}x "  # type: ignore[arg-type]
            f"(after a change {float(dashboard['cold']) / raw:.1f}x)",  # type: ignore[arg-type]
            flush=True,
        )
    return results


def markdown(results: list[dict[str, object]]) -> str:
    lines = [
        "| database | milestones | page | median ms | p95 ms | size KB "
        "| after a change, median ms |",
        "|---|---:|---|---:|---:|---:|---:|",
    ]
    for r in results:
        cold = f"{r['cold']:.0f}" if "cold" in r else ""
        lines.append(
            f"| {r['database']} | {r['milestones']:,} | {r['page']} | {r['median']:.0f} "
            f"| {r['p95']:.0f} | {r['kb']:,.0f} | {cold} |"
        )
    lines += [
        "",
        "| database | milestones | raw SELECT ms | dashboard ms | ratio | after a change, ratio |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        if "raw" in r:
            raw, median, cold = float(r["raw"]), float(r["median"]), float(r["cold"])  # type: ignore[arg-type]
            lines.append(
                f"| {r['database']} | {r['milestones']:,} | {raw:.1f} | {median:.0f} "
                f"| {median / raw:.1f}x | {cold / raw:.1f}x |"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 2000, 20000])
    parser.add_argument(
        "--databases", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite", "postgresql"]
    )
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    print(f"machine: {machine()}; gunicorn with {args.workers} workers; {args.runs} runs per page")
    results = []
    for kind in args.databases:
        for size in args.sizes:
            results += run(kind, size, args.runs, args.workers)
    print("\n" + markdown(results))


if __name__ == "__main__":
    main()

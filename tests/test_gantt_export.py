"""The Gantt chart downloaded as SVG and PNG, drawn on the server: the whole chart, readable
as a file on its own, with the page's filters, nothing fetched from another host.

The test app pins today to Monday 4 April 2022 (tests/conftest.py); the seed's go-live target
is 1 July 2022 and its forecast is on target.
"""

from __future__ import annotations

import io
import re
import struct
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image

from tests.conftest import sign_in_as
from tests.helpers import milestone, soup
from tests.test_board_pages import gantt_json
from tracker.audit import Actor, acting_as
from tracker.domain.gantt import GanttRow, category
from tracker.domain.gantt_svg import SVG_NS, WIDTH, gantt_svg
from tracker.extensions import db
from tracker.scheduling import MilestoneForecast, PlannedMilestone
from tracker.services import gantt_export

BASE = "/p/kent-and-medway"
NS = {"s": SVG_NS}
Template = tuple[MilestoneForecast, PlannedMilestone]


def svg_of(response_data: bytes) -> ET.Element:
    return ET.fromstring(response_data)  # noqa: S314 (our own output, parsed in a test)


def get_svg(client: FlaskClient, url: str = f"{BASE}/gantt.svg") -> ET.Element:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return svg_of(response.data)


def rows(svg: ET.Element) -> list[ET.Element]:
    return svg.findall(".//s:g[@class='milestone']", NS)


def row_title(row: ET.Element) -> str:
    found = row.find("s:title", NS)
    assert found is not None and found.text
    return found.text


def axis_labels(svg: ET.Element, axis: str = "axis-top") -> list[ET.Element]:
    group = svg.find(f".//s:g[@id='{axis}']", NS)
    assert group is not None, axis
    return group.findall("s:text", NS)


def gridlines(svg: ET.Element) -> dict[str, float]:
    """Each month start's gridline: its date and x."""
    grid = svg.find(".//s:g[@id='grid']", NS)
    assert grid is not None
    return {line.get("data-date", ""): float(line.get("x1", "0")) for line in grid}


def mark(svg: ET.Element, mark_id: str) -> tuple[float, str]:
    """A vertical line's x and its label."""
    group = svg.find(f".//s:g[@id='{mark_id}']", NS)
    assert group is not None, mark_id
    line, label = group.find("s:line", NS), group.find("s:text", NS)
    assert line is not None and label is not None and label.text
    return float(line.get("x1", "0")), label.text


def test_the_svg_is_the_whole_chart_with_every_full_title(client: FlaskClient) -> None:
    response = client.get(f"{BASE}/gantt.svg")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="kent-and-medway-gantt-2022-04-04.svg"'
    )
    svg = svg_of(response.data)
    assert svg.tag == f"{{{SVG_NS}}}svg"
    assert svg.get("width") == str(WIDTH) and svg.get("viewBox", "").startswith("0 0 1680 ")
    title = svg.find("s:title", NS)
    assert title is not None
    assert title.text == "Kent and Medway CCG to ICB transition: Gantt chart as at 4 April 2022"
    assert "Arial" in svg.get("font-family", "")

    # One row per milestone, in the page's order, each with its full title in <title>.
    page = gantt_json(soup(client, f"{BASE}/gantt"))
    columns = page["columns"]
    expected = [(r[columns.index("ref")], r[columns.index("title")]) for r in page["rows"]]
    drawn = rows(svg)
    assert len(drawn) == 109
    assert [r.get("data-ref") for r in drawn] == [ref for ref, _ in expected]
    for row, (ref, full) in zip(drawn, expected, strict=True):
        assert row_title(row).splitlines()[0] == f"{ref} {full}"
    # A long title is wrapped in the row, never lost.
    longest = max(expected, key=lambda e: len(e[1]))
    row = next(r for r in drawn if r.get("data-ref") == longest[0])
    shown = " ".join(t.text or "" for t in row.iter(f"{{{SVG_NS}}}text"))
    assert len(longest[1]) > 55 and longest[1].split()[0] in shown

    # A heading per workstream, in the page's order, its summary saying how far it has got.
    headings = svg.findall(".//s:g[@class='workstream']", NS)
    assert [h.get("data-workstream") for h in headings] == [g[0] for g in page["groups"]]
    gov = headings[0].find("s:title", NS)
    assert gov is not None and gov.text and "21 milestones, 10 complete (48%)" in gov.text
    legend = " ".join(t.text or "" for t in svg.iter(f"{{{SVG_NS}}}text") if t.text)
    for item in ("Planned", "Complete", "Baseline", "Late or overdue", "Today", "Go-live target"):
        assert item in legend, item


def test_the_time_axis_labels_each_month_once_at_its_start(client: FlaskClient) -> None:
    svg = get_svg(client)
    grid = gridlines(svg)
    for axis in ("axis-top", "axis-bottom"):
        labels = axis_labels(svg, axis)
        texts = [t.text for t in labels]
        assert len(texts) == len(set(texts)) >= 12, texts
        assert texts[:2] == ["Jul 2021", "Aug 2021"] and "Jul 2022" in texts
        for label in labels:
            when = date.fromisoformat(label.get("data-date", ""))
            assert when.day == 1 and f"{when:%b %Y}" == label.text
            # Just right of the gridline at that month's start.
            assert float(label.get("x", "0")) == pytest.approx(grid[when.isoformat()] + 4)
    assert all(date.fromisoformat(d).day == 1 for d in grid)


def test_today_and_go_live_are_marked_where_they_fall(client: FlaskClient) -> None:
    svg = get_svg(client)
    grid = gridlines(svg)
    today_x, today_label = mark(svg, "today")
    assert today_label == "Today 4 April 2022"
    assert grid["2022-04-01"] < today_x < grid["2022-05-01"]
    go_live_x, go_live_label = mark(svg, "go-live-target")
    assert go_live_label == "Go-live target 1 July 2022, forecast on target"
    # At the end of 1 July: after July's gridline, well before August's.
    assert grid["2022-07-01"] < go_live_x < grid["2022-07-01"] + 10
    assert svg.find(".//s:g[@id='forecast-go-live']", NS) is None  # the forecast is on target


def test_late_milestones_are_hatched_and_labelled_not_only_coloured(client: FlaskClient) -> None:
    svg = get_svg(client)
    late = {r[0] for r in gantt_json(soup(client, f"{BASE}/gantt?late=1"))["rows"]}
    assert late
    for row in rows(svg):
        hatched = row.findall(".//*[@class='late']", NS)
        words = [t.text for t in row.iter(f"{{{SVG_NS}}}text") if t.text in ("Late", "Overdue")]
        if row.get("data-ref") in late:
            assert hatched and hatched[0].get("fill") == "url(#late-hatch)", row.get("data-ref")
            assert len(words) == 1
        else:
            assert not hatched and not words, row.get("data-ref")
    assert svg.find(".//s:pattern[@id='late-hatch']", NS) is not None


def test_titles_are_escaped(app: Flask, client: FlaskClient) -> None:
    before = client.get(f"{BASE}/gantt.svg").data  # cached: a change must still show
    title = 'Agree the <TUPE> list & "sign" it off'
    with acting_as(Actor("cli")):
        milestone("PEO-12").title = title
        db.session.commit()
    response = client.get(f"{BASE}/gantt.svg")
    assert response.data != before
    assert b"&lt;TUPE&gt; list &amp;" in response.data
    assert b"<TUPE>" not in response.data
    row = next(r for r in rows(svg_of(response.data)) if r.get("data-ref") == "PEO-12")
    assert row_title(row).splitlines()[0] == f"PEO-12 {title}"


def test_the_page_filters_choose_the_rows(client: FlaskClient) -> None:
    peo = get_svg(client, f"{BASE}/gantt.svg?workstream=PEO")
    refs = [r.get("data-ref") or "" for r in rows(peo)]
    page = gantt_json(soup(client, f"{BASE}/gantt?workstream=PEO"))
    assert refs == [r[0] for r in page["rows"]] and all(ref.startswith("PEO-") for ref in refs)
    headings = peo.findall(".//s:g[@class='workstream']", NS)
    assert [h.get("data-workstream") for h in headings] == ["PEO"]
    note = [t.text or "" for t in peo.findall("s:text", NS)]
    assert f"{len(refs)} of 109 milestones, filtered as on the Gantt page" in note

    critical = get_svg(client, f"{BASE}/gantt.svg?critical=1&late=1")
    page = gantt_json(soup(client, f"{BASE}/gantt?critical=1&late=1"))
    assert [r.get("data-ref") for r in rows(critical)] == [r[0] for r in page["rows"]]
    # A filter the form refuses is left out, as on the page; the valid one still applies.
    bad = get_svg(client, f"{BASE}/gantt.svg?workstream=NOPE&late=1")
    late = gantt_json(soup(client, f"{BASE}/gantt?late=1"))
    assert [r.get("data-ref") for r in rows(bad)] == [r[0] for r in late["rows"]]


def test_the_page_links_its_downloads_with_its_filters(client: FlaskClient) -> None:
    page = soup(client, f"{BASE}/gantt?workstream=PEO&late=1")
    links = {a.text.split()[0]: a["href"] for a in page.select(".gantt-downloads a")}
    assert set(links) == {"SVG", "PNG"}
    for kind, href in links.items():
        assert href.startswith(f"{BASE}/gantt.{kind.lower()}?")
        assert "workstream=PEO" in href and "late=1" in href
        assert client.get(href).status_code == 200


def test_the_downloads_show_the_baseline_the_page_shows(client: FlaskClient) -> None:
    def baseline_due(svg: ET.Element, ref: str) -> str | None:
        row = next(r for r in rows(svg) if r.get("data-ref") == ref)
        found = [x for x in row_title(row).splitlines() if x.startswith("Baseline due ")]
        return found[0] if found else None

    options = soup(client, f"{BASE}/gantt").find("select", id="baseline").find_all("option")
    [older] = [o["value"] for o in options if o["value"] not in ("", "none")]
    current = get_svg(client)
    chosen = get_svg(client, f"{BASE}/gantt.svg?baseline={older}")
    page = gantt_json(soup(client, f"{BASE}/gantt?baseline={older}"))
    due = page["rows"][[r[0] for r in page["rows"]].index("PEO-09")][
        page["columns"].index("baseline_due")
    ]
    assert baseline_due(chosen, "PEO-09") == f"Baseline due {date.fromisoformat(due):%-d %B %Y}"
    assert baseline_due(current, "PEO-09") != baseline_due(chosen, "PEO-09")
    # "No baseline": no ghost bars at all, and all 109 rows still there.
    nothing = get_svg(client, f"{BASE}/gantt.svg?baseline=none")
    assert len(rows(nothing)) == 109
    assert nothing.find(".//s:*[@class='baseline']", NS) is None
    assert current.find(".//s:*[@class='baseline']", NS) is not None


def test_the_svg_names_no_other_host(client: FlaskClient) -> None:
    text = client.get(f"{BASE}/gantt.svg").get_data(as_text=True)
    assert set(re.findall(r"https?://[^\s\"'<>)]*", text)) == {SVG_NS}
    assert "href" not in text and "<script" not in text and "@import" not in text
    # Fills and clips refer only to the file's own definitions.
    assert set(re.findall(r"url\(([^)]*)\)", text)) == {"#late-hatch", "#label-column"}


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from the PNG's IHDR chunk."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_the_png_is_the_same_chart_at_twice_the_size_on_white(client: FlaskClient) -> None:
    svg = get_svg(client, f"{BASE}/gantt.svg?workstream=PEO")
    response = client.get(f"{BASE}/gantt.png?workstream=PEO")
    assert response.status_code == 200
    assert response.mimetype == "image/png"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="kent-and-medway-gantt-2022-04-04.png"'
    )
    width, height = png_size(response.data)
    assert (width, height) == (2 * WIDTH, 2 * int(svg.get("height", "0")))
    image = Image.open(io.BytesIO(response.data))
    assert image.size == (width, height)
    pixels = image.convert("RGB")
    assert pixels.getpixel((4, height - 4)) == (255, 255, 255)  # white, not transparent
    # Something is drawn: the title's dark text in the top left corner.
    title_area = pixels.crop((20, 30, 800, 70))
    assert min(title_area.getextrema(), key=lambda band: band[0])[0] < 200


def test_a_png_is_converted_once_until_the_plan_changes(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    import cairosvg

    gantt_export.forget()
    conversions = []
    real = cairosvg.svg2png

    def counted(**kwargs: object) -> bytes:
        conversions.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(cairosvg, "svg2png", counted)
    url = f"{BASE}/gantt.png?workstream=GOV"
    first, again = client.get(url).data, client.get(url).data
    assert first == again and len(conversions) == 1
    with acting_as(Actor("cli")):
        milestone("GOV-12").title = "Shadow board meetings held"
        db.session.commit()
    changed = client.get(url).data
    assert changed != first and len(conversions) == 2


def test_a_chart_too_big_for_twice_its_size_is_drawn_smaller() -> None:
    assert gantt_export.png_scale(1680, 3000) == 2.0
    tall = gantt_export.png_scale(1680, 60_000)
    assert 60_000 * tall <= gantt_export.MAX_SIDE
    assert 1680 * tall * 60_000 * tall <= gantt_export.MAX_PIXELS * 1.0001
    assert gantt_export.svg_size('<svg xmlns="x" width="10" height="20.5">') == (10.0, 20.5)


@pytest.mark.parametrize("url", ["gantt.svg", "gantt.png"])
def test_every_member_may_download_it(role_client: FlaskClient, url: str) -> None:
    assert role_client.get(f"{BASE}/{url}").status_code == 200


@pytest.mark.parametrize("url", ["gantt.svg", "gantt.png"])
def test_a_non_member_is_told_there_is_no_such_programme(app: Flask, url: str) -> None:
    from tracker.services.accounts import create_user

    create_user("olive.outsider@example.org", None, "Olive Outsider")
    outsider = sign_in_as(app.test_client(), "olive.outsider@example.org")
    response = outsider.get(f"{BASE}/{url}")
    assert response.status_code == 404
    assert b"There is no programme called" in response.data
    assert not response.mimetype.startswith("image/")


@pytest.mark.parametrize("url", ["gantt.svg", "gantt.png"])
def test_an_anonymous_visitor_is_sent_to_sign_in(anonymous_client: FlaskClient, url: str) -> None:
    response = anonymous_client.get(f"{BASE}/{url}?workstream=PEO")
    assert response.status_code == 302
    assert response.location.startswith("/sign-in?next=")


# --- the drawing itself, on rows made here ---------------------------------------------------


@pytest.fixture()
def template(app: Flask) -> Template:
    """A real milestone's forecast and plan from the seed, for rows made by replacing dates."""
    from tests.helpers import programme
    from tracker.services import board

    schedule = board.schedule_for(programme())
    assert schedule is not None
    return schedule.forecast.milestones["GOV-12"], schedule.planned()["GOV-12"]


def made_row(
    template: Template,
    ref: str,
    title: str,
    start: date,
    due: date,
    *,
    forecast_due: date | None = None,
    overdue: bool = False,
) -> GanttRow:
    forecast, planned = template
    plan = replace(
        planned,
        ref=ref,
        title=title,
        workstream="WS",
        kind="activity",
        planned_start=start,
        due=due,
        status="in_progress",
        baseline_due=None,
    )
    made = replace(
        forecast,
        ref=ref,
        title=title,
        workstream="WS",
        status="in_progress",
        due=due,
        forecast_start=start,
        forecast_due=forecast_due or due,
        baseline_slip_days=None,
        critical=False,
        on_driving_path=False,
        overdue=overdue,
    )
    return GanttRow(made, plan, None, category(made))


def draw(rows: list[GanttRow], **overrides: date) -> ET.Element:
    dates = {
        "today": date(2022, 4, 4),
        "go_live_target": date(2022, 7, 1),
        "forecast_go_live": date(2022, 7, 15),
        **overrides,
    }
    text = gantt_svg(rows, {"WS": "A workstream"}, programme="P & Q <test>", **dates)
    return svg_of(text.encode())


def test_a_forecast_go_live_after_the_target_has_its_own_line(template: Template) -> None:
    svg = draw([made_row(template, "WS-01", "First", date(2022, 3, 1), date(2022, 5, 1))])
    target_x, target = mark(svg, "go-live-target")
    forecast_x, forecast = mark(svg, "forecast-go-live")
    assert target == "Go-live target 1 July 2022"
    assert forecast == "Forecast go-live 15 July 2022"
    assert forecast_x > target_x
    title = svg.find("s:title", NS)
    assert title is not None and title.text == "P & Q <test>: Gantt chart as at 4 April 2022"


def test_a_long_plan_is_labelled_by_quarter(template: Template) -> None:
    svg = draw(
        [made_row(template, "WS-01", "Long", date(2019, 2, 10), date(2024, 11, 3))],
        today=date(2022, 4, 4),
    )
    labels = axis_labels(svg)
    months = [date.fromisoformat(t.get("data-date", "")) for t in labels]
    assert months and all(m.month in (1, 4, 7, 10) for m in months)
    assert len({t.text for t in labels}) == len(labels)
    # Gridlines still mark every month start.
    assert "2019-02-01" in gridlines(svg) and "2019-03-01" in gridlines(svg)


def test_text_xml_cannot_carry_is_dropped_and_an_empty_selection_says_so(
    template: Template,
) -> None:
    svg = draw(
        [
            made_row(
                template, "WS-01", "Bell\x07 and form\x0cfeed", date(2022, 3, 1), date(2022, 5, 1)
            )
        ]
    )
    assert row_title(rows(svg)[0]).splitlines()[0] == "WS-01 Bell and formfeed"
    empty = draw([])
    assert not rows(empty)
    assert "No milestones match these filters." in [t.text for t in empty.iter(f"{{{SVG_NS}}}text")]


def test_an_overdue_milestone_says_so_in_its_row(template: Template) -> None:
    row = made_row(
        template,
        "WS-02",
        "Overdue one",
        date(2022, 1, 1),
        date(2022, 3, 1),
        forecast_due=date(2022, 4, 20),
        overdue=True,
    )
    drawn = rows(draw([row]))[0]
    words = [t.text for t in drawn.iter(f"{{{SVG_NS}}}text")]
    assert "Overdue" in words
    assert "Forecast 20 April 2022" in row_title(drawn)
    assert drawn.find(".//s:rect[@class='forecast']", NS) is not None

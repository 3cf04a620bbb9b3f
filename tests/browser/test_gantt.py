"""The Gantt chart in headless Chromium, used as a board member would: reading it (the axis
kept in view, months labelled once, zoom), folding workstreams, tracing a milestone's chain
and the driving path, baselines as ghost bars, the tooltip, the keyboard, a phone, paper,
and nothing of plotly's that sends data elsewhere. axe-core at WCAG 2.2 AA in each state."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import fits_375

pytestmark = pytest.mark.browser

GANTT = "/p/kent-and-medway/gantt"
NAMED = ".gantt-name:text-matches('^{ref} ')"  # a milestone's button in the label column
Check = Callable[[Page], None]


def open_gantt(page: Page, path: str = GANTT) -> dict[str, Any]:
    """Opens the chart, waits until it is drawn, and returns the JSON it was drawn from."""
    response = page.goto(path)
    assert response is not None and response.status == 200, path
    page.wait_for_function("() => document.documentElement.dataset.ganttDrawn")
    return json.loads(page.locator("#gantt-json").text_content() or "{}")


def refs(data: dict[str, Any]) -> list[str]:
    return [r[0] for r in data["rows"]]


def drawn_refs(page: Page, selector: str = ".gantt-row--m") -> list[str]:
    return page.locator(f"#gantt {selector} .gantt-name").evaluate_all(
        "names => names.map(n => n.textContent.split(' ')[0])"
    )


def name(page: Page, ref: str) -> Locator:
    return page.locator(f"#gantt {NAMED.format(ref=ref)}")


def row(page: Page, ref: str) -> Locator:
    return page.locator("#gantt .gantt-row--m", has=page.locator(NAMED.format(ref=ref)))


def chain(data: dict[str, Any], ref: str) -> tuple[set[str], set[str]]:
    """What the milestone waits for and what waits for it, worked out here from the links."""
    names = refs(data)
    start = names.index(ref)
    found: list[set[str]] = []
    for near, far in ((1, 0), (0, 1)):
        seen: set[int] = set()
        todo = [start]
        while todo:
            here = todo.pop()
            for link in data["links"]:
                if link[near] == here and link[far] not in seen:
                    seen.add(link[far])
                    todo.append(link[far])
        found.append({names[k] for k in seen})
    return found[0], found[1]


def test_rows_in_view_are_drawn_each_with_its_mark(page: Page) -> None:
    data = open_gantt(page)
    drawn = drawn_refs(page)
    # A window of rows, not all 109: the rest are drawn as they scroll into view.
    assert 20 < len(drawn) < len(data["rows"])
    assert drawn == refs(data)[: len(drawn)]
    assert page.locator("#gantt .gantt-row--m .gantt-bar").count() == len(drawn)
    page.locator(".gantt-viewport").evaluate("v => { v.scrollTop = v.scrollHeight; }")
    expect(name(page, refs(data)[-1])).to_be_attached()
    assert page.locator("#gantt .gantt-row--m .gantt-bar").count() == len(drawn_refs(page))


def tick_labels(page: Page) -> list[tuple[str, float]]:
    return page.locator(".gantt-tick__label").evaluate_all(
        "labels => labels.map(l => [l.textContent, l.parentElement.getBoundingClientRect().left])"
    )


def test_the_axis_stays_in_view_with_months_labelled_once(
    page: Page, check_accessibility: Check
) -> None:
    open_gantt(page)
    viewport = page.locator(".gantt-viewport")
    viewport.scroll_into_view_if_needed()
    viewport.evaluate("v => { v.scrollTop = 1500; }")
    page.wait_for_timeout(100)
    top = viewport.evaluate("v => v.getBoundingClientRect().top")
    head = page.locator(".gantt-head").evaluate("h => h.getBoundingClientRect().top")
    assert abs(head - top) <= 2, f"the axis scrolled away: {head} against {top}"
    assert page.locator(".gantt-head .gantt-tick__label", has_text="Jul 2022").is_visible()

    for zoom in ("Whole programme", "Months", "Weeks", "Quarters"):
        page.get_by_role("button", name=zoom, exact=True).click()
        expect(page.get_by_role("button", name=zoom, exact=True)).to_have_attribute(
            "aria-pressed", "true"
        )
        labels = [text for text, _ in tick_labels(page)]
        assert len(labels) == len(set(labels)), f"{zoom}: a month labelled twice: {labels}"
        # Horizontal scrolling stays inside the chart, never the page.
        assert page.evaluate("document.documentElement.scrollWidth") <= 1400
    quarters = [text for text, _ in tick_labels(page)]
    assert quarters and all(re.match(r"(Jan|Apr|Jul|Oct) \d{4}$", t) for t in quarters)

    page.get_by_role("button", name="Months", exact=True).click()
    # The go-live target line (1 July 2022, drawn at the end of that day) sits just right of
    # the Jul 2022 tick, before August's.
    ticks = dict(tick_labels(page))
    target = page.locator(".gantt-grid__mark--target").evaluate(
        "m => m.getBoundingClientRect().left"
    )
    assert ticks["Jul 2022"] < target < ticks["Aug 2022"]
    # Each gridline is a month start: one per labelled month at this zoom.
    assert page.locator(".gantt-grid__line--major").count() == len(ticks)

    page.get_by_role("button", name="Fit to window").click()
    expect(page.get_by_role("button", name="Fit to window")).to_have_attribute(
        "aria-pressed", "true"
    )
    check_accessibility(page)


def test_workstreams_fold_and_unfold(page: Page, check_accessibility: Check) -> None:
    data = open_gantt(page)
    governance = page.locator(".gantt-ws", has_text="GOV:")
    expect(governance).to_have_attribute("aria-expanded", "true")
    assert any(ref.startswith("GOV-") for ref in drawn_refs(page))
    governance.click()
    expect(page.locator(".gantt-ws", has_text="GOV:")).to_have_attribute("aria-expanded", "false")
    expect(page.locator(".gantt-ws", has_text="GOV:")).to_be_focused()
    assert not any(ref.startswith("GOV-") for ref in drawn_refs(page))
    assert drawn_refs(page)[0].startswith("PEO-")
    page.locator(".gantt-ws", has_text="GOV:").press("Enter")
    expect(page.locator(".gantt-ws", has_text="GOV:")).to_have_attribute("aria-expanded", "true")
    assert drawn_refs(page)[0] == "GOV-01"

    page.get_by_role("button", name="Fold all", exact=True).click()
    summaries = page.locator(".gantt-ws")
    expect(summaries).to_have_count(len(data["groups"]))
    assert page.locator(".gantt-row--m").count() == 0
    assert set(summaries.evaluate_all("b => b.map(x => x.ariaExpanded)")) == {"false"}
    # A summary bar, its share complete and its RAG, in words as well as drawn.
    expect(page.locator(".gantt-row--ws .gantt-sum").first).to_be_visible()
    expect(page.locator(".gantt-row--ws .gantt-sum__text").first).to_contain_text("% complete")
    check_accessibility(page)
    page.get_by_role("button", name="Unfold all", exact=True).click()
    expect(page.locator(".gantt-row--m").first).to_be_visible()


def test_choosing_a_milestone_highlights_its_chain(page: Page, check_accessibility: Check) -> None:
    data = open_gantt(page)
    before, after = chain(data, "PEO-12")
    expected = before | after | {"PEO-12"}
    name(page, "PEO-12").click()
    expect(name(page, "PEO-12")).to_have_attribute("aria-pressed", "true")
    expect(page.locator(".gantt-status")).to_contain_text(
        f"PEO-12 ESR hierarchy and payroll transfer set up for the ICB, with the {len(before)}"
        f" milestones it waits for and the {len(after)} that wait for it"
    )
    highlighted = set(drawn_refs(page, ".gantt-row--m.is-chain"))
    faded = set(drawn_refs(page, ".gantt-row--m.is-faded"))
    drawn = set(drawn_refs(page))
    assert highlighted == expected & drawn and "PEO-12" in highlighted
    assert faded == drawn - expected and faded
    assert page.locator(".gantt-row.is-chosen").count() == 1
    # Links only for the chain, never the whole plan's.
    links = page.locator(".gantt-links path.gantt-link").count()
    chained = [k for k in data["links"] if {refs(data)[k[0]], refs(data)[k[1]]} <= expected]
    assert 0 < links <= len(chained) < len(data["links"])
    check_accessibility(page)

    page.keyboard.press("Escape")
    expect(page.locator(".gantt-row.is-chosen")).to_have_count(0)
    assert page.locator(".gantt-links path.gantt-link").count() == 0
    assert page.locator(".gantt-row.is-faded").count() == 0


def test_the_driving_path_to_go_live(page: Page) -> None:
    data = open_gantt(page)
    driving = {refs(data)[k] for k in data["driving"]}
    toggle = page.get_by_role("button", name="Driving path to go-live")
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    expect(page.locator(".gantt-status")).to_contain_text("driving path to go-live")
    drawn = set(drawn_refs(page))
    assert set(drawn_refs(page, ".gantt-row--m.is-chain")) == driving & drawn
    assert page.locator(".gantt-links path.gantt-link").count() > 0
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "false")
    expect(page.locator(".gantt-row.is-chain")).to_have_count(0)


def test_a_chosen_baseline_is_shown_as_ghost_bars(page: Page, check_accessibility: Check) -> None:
    open_gantt(page, f"{GANTT}?baseline=none")
    assert page.locator("#gantt .gantt-ghost").count() == 0
    expect(page.locator(".gantt-legend")).not_to_contain_text("Baseline:")

    select = page.get_by_label("Baseline shown")
    older = next(
        o
        for o in select.locator("option").all_text_contents()
        if not o.startswith(("Current", "No baseline"))
    )
    select.select_option(label=older)
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_function("() => document.documentElement.dataset.ganttDrawn")
    assert re.search(r"[?&]baseline=\d+", page.url)
    expect(page.get_by_label("Baseline shown")).to_have_value(re.compile(r"^\d+$"))
    expect(page.locator(".gantt-legend")).to_contain_text(f"Baseline: {older}")
    ghosts = page.locator("#gantt .gantt-row--m .gantt-ghost")
    expect(ghosts.first).to_be_attached()
    assert ghosts.count() > 10
    name(page, "PEO-09").hover()
    expect(page.locator("#gantt-tip")).to_contain_text(f"({older})")
    check_accessibility(page)


def test_the_tooltip_gives_dates_float_owner_and_status(page: Page) -> None:
    open_gantt(page)
    tip = page.locator("#gantt-tip")
    row(page, "GOV-01").locator(".gantt-bar").hover()
    expect(tip).to_be_visible()
    for words in ("GOV-01", "Planned", "Completed", "Float", "Owner", "Status", "RAG"):
        expect(tip).to_contain_text(words)

    row(page, "GOV-12").locator(".gantt-bar").hover()
    for words in ("GOV-12", "Planned", "Forecast", "working day", "Owner", "In progress"):
        expect(tip).to_contain_text(words)
    page.mouse.move(5, 5)
    name(page, "GOV-03").focus()  # the keyboard gets the same
    expect(tip).to_be_visible()
    expect(tip).to_contain_text("GOV-03")


def test_keyboard_reaches_every_row_and_enter_chooses(page: Page) -> None:
    data = open_gantt(page)
    page.get_by_role("button", name="Driving path to go-live").focus()
    focused = ""
    for _ in range(6):
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.className")
        if focused == "gantt-name":
            break
    assert focused == "gantt-name", "Tab did not reach a milestone"
    page.keyboard.press("Enter")
    first = refs(data)[0]
    expect(name(page, first)).to_have_attribute("aria-pressed", "true")
    expect(page.locator(".gantt-status")).to_contain_text(first)
    # On through every row, drawn as it comes into view, to the last milestone.
    last = refs(data)[-1]
    for _ in range(len(data["rows"]) + len(data["groups"]) + 5):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent").startswith(last + " "):
            break
    expect(name(page, last)).to_be_focused()


def test_every_state_passes_axe_and_a_phone_gets_a_list(
    page: Page, check_accessibility: Check
) -> None:
    open_gantt(page)
    page.get_by_role("button", name="Fold all", exact=True).click()
    check_accessibility(page)
    page.get_by_role("button", name="Unfold all", exact=True).click()
    name(page, "PEO-09").click()
    check_accessibility(page)

    page.set_viewport_size({"width": 375, "height": 800})
    expect(page.locator(".gantt-viewport")).to_be_hidden()
    workstream = page.locator(".gantt-list__ws", has_text="PEO:")
    workstream.locator("summary").click()
    item = workstream.locator("li", has_text="PEO-09")
    expect(item).to_contain_text("Forecast")
    expect(item).to_contain_text("Overdue")
    check_accessibility(page)
    fits_375(page)
    expect(page.locator(".gantt-viewport")).to_be_visible()  # back at 1400 px


def test_print_holds_every_milestone_with_the_axis_on_each_table(page: Page) -> None:
    data = open_gantt(page)
    page.emulate_media(media="print")
    printed = page.locator(".gantt-print")
    expect(printed).to_be_visible()
    expect(page.locator(".gantt-viewport")).to_be_hidden()
    expect(page.locator("table#gantt-data")).to_be_hidden()
    tables = printed.locator("table")
    expect(tables).to_have_count(len(data["groups"]))
    rows = printed.locator("tbody tr")
    expect(rows).to_have_count(len(data["rows"]))
    texts = rows.evaluate_all("rows => rows.map(r => r.cells[0].textContent.split(' ')[0])")
    assert texts == refs(data)
    # Each table's head holds its workstream and the time axis, and is a header group, which
    # Chromium repeats at the top of every page the table runs on to.
    heads = tables.evaluate_all(
        """tables => tables.map(t => [getComputedStyle(t.tHead).display,
            t.tHead.rows.length, t.tHead.querySelectorAll('.gantt-ptick').length,
            t.tHead.rows[0].textContent])"""
    )
    names = [g[1] for g in data["groups"]]
    for (display, head_rows, ticks, heading), ws in zip(heads, names, strict=True):
        assert display == "table-header-group" and head_rows == 2 and ticks > 3
        assert ws in heading
    pdf = page.pdf(prefer_css_page_size=True)
    pages = len(re.findall(rb"/Type\s*/Page\b", pdf))
    assert pages >= 2, f"{pages} page(s)"
    sizes = {
        tuple(round(float(v)) for v in m.split())
        for m in re.findall(rb"/MediaBox\s*\[([^\]]*)\]", pdf)
    }
    assert sizes == {(0, 0, 1191, 842)}, f"not A3 landscape: {sizes}"


FOREIGN = [
    ".modebar-btn--logo",
    "a[href*='plotly.com']",
    "a[href*='plot.ly']",
    "[data-title*='Chart Studio']",
    "[data-title*='Lasso']",
    "[data-title*='Box Select']",
    "[data-val='lasso']",
    "[data-val='select']",
]


def test_nothing_foreign_on_the_gantt_or_the_dashboard(page: Page) -> None:
    open_gantt(page)
    assert page.locator("script[src*='plotly']").count() == 0
    for selector in [*FOREIGN, ".modebar", ".js-plotly-plot"]:
        assert page.locator(selector).count() == 0, f"{selector} on the Gantt page"

    page.goto("/p/kent-and-medway/")
    chart = page.locator("#burn-up-chart .main-svg").first
    expect(chart).to_be_attached()
    for selector in FOREIGN:
        assert page.locator(selector).count() == 0, f"{selector} on the dashboard"
    # Zooming by dragging gives no "Double-click to zoom back out" hint to stay on screen.
    box = page.locator("#burn-up-chart .nsewdrag").first.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + 60, box["y"] + 60)
    page.mouse.down()
    page.mouse.move(box["x"] + 200, box["y"] + 160, steps=5)
    page.mouse.up()
    page.wait_for_timeout(300)
    expect(page.get_by_text("Double-click to zoom back out")).to_have_count(0)

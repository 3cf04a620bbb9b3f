"""Template filters: dates as "1 July 2022", times in Europe/London with the zone, the words
of the audit trail (tracker/history/words.py)."""

from __future__ import annotations

import os
import re
from datetime import date, datetime

from flask import Flask
from jinja2 import (
    ChainableUndefined,
    ChoiceLoader,
    FileSystemLoader,
    PackageLoader,
    select_autoescape,
)
from markupsafe import Markup

from tracker.clock import LONDON, pinned_today
from tracker.domain.terms import TAG_COLOUR
from tracker.domain.validation import format_date


def long_date(value: date | None) -> str:
    return format_date(value) if value else ""


def london_time(value: datetime | None, zone: bool = True) -> str:
    """A moment as the clock on the wall in London showed it, with the zone, so nobody
    wonders whose clock it was: "4 April 2022 09:30 BST", "1 December 2022 14:05 GMT"."""
    if value is None:
        return ""
    local = value.astimezone(LONDON)
    text = f"{format_date(local.date())} {local:%H:%M}"
    return f"{text} {local:%Z}" if zone else text


def clock_note() -> str | None:
    """Which clock the pages read, when the demo pins today (TRACKER_TODAY): the forecasts
    are as of the pinned day, the times of changes and sign-ins are real."""
    pinned = pinned_today()
    if pinned is None:
        return None
    return (
        f"Today is pinned to {format_date(pinned)} for the demo: forecasts, RAG and overdue "
        "milestones are as of that day. Times of changes and sign-ins are real, in UK time."
    )


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}[^ ]*[+-]\d{2}:\d{2}")


def audit_value(value: str | None) -> str:
    """A value recorded in the audit trail as people read it: dates as "1 July 2022",
    moments in London time ("1 July 2022 09:30"), nothing as a dash."""
    if value is None or value == "":
        return "–"
    try:
        if _ISO_DATE.fullmatch(value):
            return format_date(date.fromisoformat(value))
        if _ISO_MOMENT.fullmatch(value):
            return london_time(datetime.fromisoformat(value))
    except ValueError:
        pass
    return value


def paragraphs(text: str | None, css: str = "") -> Markup:
    """Typed text as people laid it out: a blank line starts a paragraph, a single line break
    stays a line break. Escaped first, so nothing typed becomes markup."""
    blocks = [b.strip() for b in re.split(r"\n\s*\n", (text or "").replace("\r\n", "\n"))]
    opening = Markup('<p class="{}">').format(css) if css else Markup("<p>")
    return Markup("").join(
        opening + Markup("<br>\n").join(block.split("\n")) + Markup("</p>")
        for block in blocks
        if block
    )


def register(app: Flask) -> None:
    # NHS.UK frontend's macros come from the nhsuk-frontend-jinja package and expect
    # chainable undefined values (params.service.text with no service given).
    own = os.path.join(app.root_path, app.template_folder or "templates")
    app.jinja_loader = ChoiceLoader([FileSystemLoader(own), PackageLoader("nhsuk_frontend_jinja")])
    app.jinja_env.undefined = ChainableUndefined
    # Flask escapes only .html (and .xml, .svg) templates; NHS.UK's are .jinja, written for
    # autoescaping (HTML parameters go through `| safe`), so they are escaped too: text a
    # person typed can never become markup, whichever template shows it.
    app.jinja_env.autoescape = select_autoescape(["html", "htm", "xml", "svg", "jinja"])
    app.add_template_filter(long_date, "long_date")
    app.add_template_filter(london_time, "london_time")
    app.add_template_filter(paragraphs, "paragraphs")
    # The audit trail's words live with the history pages; imported here, not at the top,
    # as they use audit_value above.
    from tracker.history import words

    app.add_template_filter(words.value_words, "audit_value")  # value | audit_value(field)
    app.add_template_filter(words.field_words, "audit_field")  # field | audit_field
    app.add_template_filter(words.event_words, "audit_change")  # event | audit_change
    app.jinja_env.globals["clock_note"] = clock_note
    app.jinja_env.globals["TAG_COLOUR"] = TAG_COLOUR

"""Template filters: dates as "1 July 2022", times in Europe/London."""

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

from tracker.clock import LONDON
from tracker.domain.terms import TAG_COLOUR
from tracker.domain.validation import format_date


def long_date(value: date | None) -> str:
    return format_date(value) if value else ""


def london_time(value: datetime | None) -> str:
    if value is None:
        return ""
    local = value.astimezone(LONDON)
    return f"{format_date(local.date())} {local:%H:%M}"


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
    app.add_template_filter(audit_value, "audit_value")
    app.add_template_filter(paragraphs, "paragraphs")
    app.jinja_env.globals["TAG_COLOUR"] = TAG_COLOUR

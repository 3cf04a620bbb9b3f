"""Template filters: dates as "1 July 2022", times in Europe/London."""

from __future__ import annotations

import os
from datetime import date, datetime

from flask import Flask
from jinja2 import ChainableUndefined, ChoiceLoader, FileSystemLoader, PackageLoader

from tracker.clock import LONDON
from tracker.domain.validation import format_date


def long_date(value: date | None) -> str:
    return format_date(value) if value else ""


def london_time(value: datetime | None) -> str:
    if value is None:
        return ""
    local = value.astimezone(LONDON)
    return f"{format_date(local.date())} {local:%H:%M}"


def register(app: Flask) -> None:
    # NHS.UK frontend's macros come from the nhsuk-frontend-jinja package and expect
    # chainable undefined values (params.service.text with no service given).
    own = os.path.join(app.root_path, app.template_folder or "templates")
    app.jinja_loader = ChoiceLoader([FileSystemLoader(own), PackageLoader("nhsuk_frontend_jinja")])
    app.jinja_env.undefined = ChainableUndefined
    app.add_template_filter(long_date, "long_date")
    app.add_template_filter(london_time, "london_time")

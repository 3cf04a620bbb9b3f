"""The programme templates: the files shipped in seed/templates/ (one YAML file each; the
format is in tracker/domain/templates.py) and those saved from a programme (SavedTemplate
rows, the same YAML, keyed "saved-..."), and laying one onto a go-live date for a preview."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import yaml
from flask import current_app
from sqlalchemy import select

from tracker.domain.templates import (
    SAVED_PREFIX,
    Template,
    TemplateError,
    TemplatePlan,
    lay_out,
    read_template,
)
from tracker.domain.validation import FieldError
from tracker.extensions import db
from tracker.models import SavedTemplate
from tracker.scheduling import WorkingCalendar


def template_dir() -> Path:
    return Path(current_app.config["SEED_DIR"]) / "templates"


def _file_keys() -> list[str]:
    # A file cannot take a saved template's key.
    return [
        p.stem for p in sorted(template_dir().glob("*.yaml")) if not p.stem.startswith(SAVED_PREFIX)
    ]


def keys() -> list[str]:
    """Every template's key: the files', then the saved ones'."""
    saved = db.session.scalars(select(SavedTemplate.key).order_by(SavedTemplate.key))
    return [*_file_keys(), *saved]


def list_templates() -> list[Template]:
    """Every template, by name; a file that is not a template raises TemplateError."""
    found = [read(key) for key in _file_keys()]
    found += [_parse(row.key, row.body) for row in db.session.scalars(select(SavedTemplate))]
    return sorted(found, key=lambda t: t.name)


def read(key: str) -> Template:
    """The template with this key, or TemplateError naming the templates there are."""
    if key.startswith(SAVED_PREFIX):
        row = db.session.scalar(select(SavedTemplate).where(SavedTemplate.key == key))
        if row is not None:
            return _parse(key, row.body)
    else:
        path = template_dir() / f"{key}.yaml"
        if path.is_file() and path.parent == template_dir():
            return _parse(key, path.read_text(encoding="utf-8"), path.name)
    names = ", ".join(keys())
    raise TemplateError(key, [FieldError("template", f"there is no such template: {names}")])


def _parse(key: str, text: str, where: str = "body") -> Template:
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise TemplateError(key, [FieldError(where, f"not YAML: {exc}")]) from exc
    if not isinstance(data, dict):
        raise TemplateError(key, [FieldError(where, "not a template: expected its fields")])
    return read_template(key, data)


def preview(
    slug: str, go_live: date, *, today: date, region: str = "ENG", closures: tuple[date, ...] = ()
) -> TemplatePlan:
    """The template laid onto `go_live` on the region's working days, forecast from `today`."""
    template = read(slug)
    calendar = WorkingCalendar(min(today, go_live).replace(month=1, day=1), region, closures)
    return lay_out(template, go_live, calendar, today)

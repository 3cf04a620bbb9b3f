"""The programme templates shipped in seed/templates/ (one YAML file each; the format is in
tracker/domain/templates.py), and laying one onto a go-live date for a preview."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import yaml
from flask import current_app

from tracker.domain.templates import Template, TemplateError, TemplatePlan, lay_out, read_template
from tracker.domain.validation import FieldError
from tracker.scheduling import WorkingCalendar


def template_dir() -> Path:
    return Path(current_app.config["SEED_DIR"]) / "templates"


def list_templates() -> list[Template]:
    """Every template, by name; a file that is not a template raises TemplateError."""
    found = [read(path.stem) for path in sorted(template_dir().glob("*.yaml"))]
    return sorted(found, key=lambda t: t.name)


def read(slug: str) -> Template:
    path = template_dir() / f"{slug}.yaml"
    if not path.is_file() or path.parent != template_dir():
        names = ", ".join(sorted(p.stem for p in template_dir().glob("*.yaml")))
        raise TemplateError(slug, [FieldError("template", f"there is no such template: {names}")])
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise TemplateError(slug, [FieldError(path.name, f"not YAML: {exc}")]) from exc
    return read_template(slug, data)


def preview(
    slug: str, go_live: date, *, today: date, region: str = "ENG", closures: tuple[date, ...] = ()
) -> TemplatePlan:
    """The template laid onto `go_live` on the region's working days, forecast from `today`."""
    template = read(slug)
    calendar = WorkingCalendar(min(today, go_live).replace(month=1, day=1), region, closures)
    return lay_out(template, go_live, calendar, today)

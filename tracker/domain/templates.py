"""Programme templates: a transition's usual shape, as data, laid onto a go-live date.

A template (one YAML file in seed/templates/, read by services/templates.py) holds
workstreams with their usual lead roles ("Director of Finance", not names), and milestones
placed relative to go-live in working days (`due: -40` is 40 working days before it, `0` is
the day itself, `20` after it), with a duration in working days (0: a point in time),
predecessors in the plan's notation ("GOV-03", "FIN-02SS+5"), a key flag, and a `source`
naming the guidance each comes from. A workstream and a milestone may also carry a
`description`.

`read_template` checks the data and turns it into dataclasses (every problem at once, naming
the milestone and the field); `lay_out` places it on the working-day calendar for a go-live
date and runs the programme forecast over it, so a preview can show every date (never a
weekend or bank holiday), the critical path, the slack to go-live, and how many working days
short a go-live is that leaves too little time. Plain data in, plain data out.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from tracker.domain.notation import format_predecessor, parse_predecessor
from tracker.domain.programme_settings import check_region
from tracker.domain.validation import (
    CODE_PATTERN,
    REF_PATTERN,
    FieldError,
    check_date_in_window,
    check_text,
    check_title,
    format_date,
    go_live_window,
)
from tracker.scheduling import (
    PlannedDependency,
    PlannedMilestone,
    ScheduleError,
    WorkingCalendar,
    forecast_programme,
)

# How far from go-live a template may place a milestone: about three years either way.
MAX_OFFSET = 750


@dataclass(frozen=True)
class TemplateWorkstream:
    code: str
    name: str
    lead_role: str
    description: str = ""


@dataclass(frozen=True)
class TemplateLink:
    predecessor: str
    type: str
    lag_days: int


@dataclass(frozen=True)
class TemplateMilestone:
    ref: str
    title: str
    workstream: str
    due: int  # working days from go-live; negative is before it
    duration: int  # working days; 0 is a point in time
    is_key: bool
    source: str
    predecessors: tuple[TemplateLink, ...]
    description: str = ""


@dataclass(frozen=True)
class Template:
    slug: str
    name: str
    description: str
    go_live_ref: str
    workstreams: tuple[TemplateWorkstream, ...]
    milestones: tuple[TemplateMilestone, ...]


class TemplateError(ValueError):
    """The template's data is not a plan; `errors` say where, every one at once."""

    def __init__(self, slug: str, errors: list[FieldError]) -> None:
        self.errors = errors
        super().__init__(f"template {slug}: " + "; ".join(str(e) for e in errors))


def _whole(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def read_template(slug: str, data: Mapping[str, Any]) -> Template:
    """The template in `data` (a template file's YAML), or TemplateError naming each problem."""
    errors: list[FieldError] = []
    workstreams = []
    for i, raw in enumerate(data.get("workstreams") or [], start=1):
        code = str(raw.get("code") or "")
        where = f"workstreams[{i}] {code}".strip()
        if not CODE_PATTERN.match(code):
            errors.append(FieldError(where, "the code must be 2 to 10 capitals or digits"))
        if not str(raw.get("name") or "").strip():
            errors.append(FieldError(where, "give the workstream a name"))
        if not str(raw.get("lead_role") or "").strip():
            errors.append(FieldError(where, "name the usual lead's role, like Director of Finance"))
        ws = TemplateWorkstream(
            code,
            str(raw.get("name") or "").strip(),
            str(raw.get("lead_role") or "").strip(),
            str(raw.get("description") or "").strip(),
        )
        errors += [FieldError(where, e.message) for e in check_title("name", ws.name, "name")]
        errors += check_text(where, workstream_description(ws))
        workstreams.append(ws)
    codes = {w.code for w in workstreams}
    if len(codes) != len(workstreams):
        errors.append(FieldError("workstreams", "each workstream code must be used once"))

    milestones = []
    for i, raw in enumerate(data.get("milestones") or [], start=1):
        ref = str(raw.get("ref") or "")
        where = ref or f"milestones[{i}]"
        if not REF_PATTERN.match(ref):
            errors.append(FieldError(where, "the reference must look like GOV-01"))
        title = str(raw.get("title") or "").strip()
        if not title:
            errors.append(FieldError(where, "give the milestone a title"))
        errors += [FieldError(where, e.message) for e in check_title("title", title)]
        workstream = str(raw.get("workstream") or "")
        if workstream not in codes:
            errors.append(FieldError(where, f"'{workstream}' is not one of the workstreams"))
        due, duration = _whole(raw.get("due")), _whole(raw.get("duration", 0))
        if due is None or abs(due) > MAX_OFFSET:
            errors.append(
                FieldError(where, f"due must be working days from go-live, within {MAX_OFFSET}")
            )
        if duration is None or not 0 <= duration <= MAX_OFFSET:
            errors.append(FieldError(where, "duration must be working days, 0 for a point"))
        if not str(raw.get("source") or "").strip():
            errors.append(FieldError(where, "name the guidance or paper it comes from (source)"))
        links = []
        for text in raw.get("predecessors") or []:
            try:
                parsed = parse_predecessor(str(text))
            except ValueError as exc:
                errors.append(FieldError(where, str(exc)))
                continue
            links.append(TemplateLink(parsed.ref, parsed.type, parsed.lag_days))
        milestone = TemplateMilestone(
            ref=ref,
            title=title,
            workstream=workstream,
            due=due or 0,
            duration=duration or 0,
            is_key=bool(raw.get("key", False)),
            source=str(raw.get("source") or "").strip(),
            predecessors=tuple(links),
            description=str(raw.get("description") or "").strip(),
        )
        errors += check_text(where, milestone_description(milestone))
        milestones.append(milestone)
    refs = [m.ref for m in milestones]
    if len(set(refs)) != len(refs):
        errors.append(FieldError("milestones", "each milestone reference must be used once"))
    for m in milestones:
        for link in m.predecessors:
            if link.predecessor not in refs:
                errors.append(FieldError(m.ref, f"{link.predecessor} is not in the template"))
            elif link.predecessor == m.ref:
                errors.append(FieldError(m.ref, "a milestone cannot depend on itself"))
    go_live = str(data.get("go_live_ref") or "")
    if go_live not in refs:
        errors.append(FieldError("go_live_ref", f"'{go_live}' must be one of the milestones"))
    if errors:
        raise TemplateError(slug, errors)
    return Template(
        slug=slug,
        name=str(data.get("name") or slug),
        description=str(data.get("description") or "").strip(),
        go_live_ref=go_live,
        workstreams=tuple(workstreams),
        milestones=tuple(milestones),
    )


@dataclass(frozen=True)
class PlacedMilestone:
    """A template's milestone on the calendar, with what the forecast makes of it."""

    ref: str
    title: str
    workstream: str
    kind: str  # "activity" or "point"
    planned_start: date | None
    due: date
    is_key: bool
    source: str
    predecessors: tuple[TemplateLink, ...]
    total_float: int
    critical: bool


@dataclass(frozen=True)
class TemplatePlan:
    """A template laid onto a go-live date: what a new programme would start with."""

    template: Template
    go_live: date
    start: date  # the earliest planned start
    milestones: tuple[PlacedMilestone, ...]
    forecast_go_live: date
    go_live_float: int  # working days of slack to go-live; negative: that many short
    critical_path: tuple[str, ...]  # the driving path into go-live, first to last

    @property
    def working_days_short(self) -> int:
        """How many working days more the plan needs than the go-live date leaves."""
        return max(0, -self.go_live_float)


def lay_out(
    template: Template, go_live: date, calendar: WorkingCalendar, today: date
) -> TemplatePlan:
    """Place every milestone on working days counted from `go_live` (the working day on or
    before it, if it is not one), then forecast the plan from `today`: nothing is started,
    so a milestone that cannot start before today is pushed out, and go-live with it."""
    anchor = go_live if calendar.is_working_day(go_live) else calendar.previous_working_day(go_live)
    placed: dict[str, tuple[date | None, date]] = {}
    for m in template.milestones:
        due = calendar.add_working_days(anchor, m.due)
        start = calendar.add_working_days(due, -(m.duration - 1)) if m.duration else None
        placed[m.ref] = (start, due)
    planned = [
        PlannedMilestone(
            ref=m.ref,
            title=m.title,
            workstream=m.workstream,
            owner=_lead_role(template, m.workstream),
            kind="activity" if m.duration else "point",
            planned_start=placed[m.ref][0],
            due=placed[m.ref][1],
            status="not_started",
            is_key=m.is_key,
        )
        for m in template.milestones
    ]
    links = [
        PlannedDependency(link.predecessor, m.ref, link.type, link.lag_days)
        for m in template.milestones
        for link in m.predecessors
    ]
    try:
        forecast = forecast_programme(
            planned,
            links,
            go_live_ref=template.go_live_ref,
            go_live_target=placed[template.go_live_ref][1],
            today=today,
            calendar=calendar,
        )
    except ScheduleError as exc:
        raise TemplateError(template.slug, [FieldError("predecessors", str(exc))]) from exc
    milestones = tuple(
        PlacedMilestone(
            ref=m.ref,
            title=m.title,
            workstream=m.workstream,
            kind="activity" if m.duration else "point",
            planned_start=placed[m.ref][0],
            due=placed[m.ref][1],
            is_key=m.is_key,
            source=m.source,
            predecessors=m.predecessors,
            total_float=forecast.milestones[m.ref].total_float,
            critical=m.ref in forecast.critical_refs,
        )
        for m in sorted(template.milestones, key=lambda m: (placed[m.ref][1], m.ref))
    )
    return TemplatePlan(
        template=template,
        go_live=placed[template.go_live_ref][1],
        start=min(start or due for start, due in placed.values()),
        milestones=milestones,
        forecast_go_live=forecast.forecast_go_live,
        go_live_float=forecast.go_live_float,
        critical_path=forecast.driving_path,
    )


def _lead_role(template: Template, code: str) -> str:
    return next((w.lead_role for w in template.workstreams if w.code == code), "")


# --- what a new programme's records say about the template -----------------------------------
# A workstream's description ends with its usual lead's role, a milestone's with its source,
# so that saving the programme as a template gives them back (template_from_plan).

USUAL_LEAD = "Usual lead: "
SOURCE = "Source: "


def _join(text: str, label: str, value: str) -> str:
    return f"{text}\n\n{label}{value}" if text else f"{label}{value}"


def _split(text: str, label: str) -> tuple[str, str]:
    """(the text before, the value) of a last paragraph starting `label`, or (text, "")."""
    head, found, value = (text or "").rpartition(label)
    if not found or (head and not head.endswith("\n\n")) or "\n\n" in value:
        return (text or "").strip(), ""
    return head.strip(), value.strip()


def workstream_description(ws: TemplateWorkstream) -> str:
    """Its description, ending "Usual lead: Director of Finance"."""
    return _join(ws.description, USUAL_LEAD, ws.lead_role)


def milestone_description(m: TemplateMilestone) -> str:
    return _join(m.description, SOURCE, m.source)


# --- starting a programme from a template ------------------------------------------------------

SLUG_LIMIT = 50  # short enough for the placeholder owner's email address
# A template saved from a programme is kept in the database under this prefix, so its key
# never collides with a file's in seed/templates/.
SAVED_PREFIX = "saved-"


@dataclass(frozen=True)
class NewProgramme:
    """What the instance administrator chooses for a new programme."""

    template: str
    name: str
    from_organisation: str
    to_organisation: str
    go_live: date | None
    region: str = "ENG"


def slug_for(name: str) -> str:
    """The programme's address from its name: "Sussex ICB merger" is sussex-icb-merger."""
    words = "".join(c if c.isascii() and c.isalnum() else " " for c in name.lower()).split()
    slug = ""
    for word in words:
        if len(longer := f"{slug}-{word}" if slug else word) > SLUG_LIMIT:
            break
        slug = longer
    return slug or "-".join(words)[:SLUG_LIMIT].strip("-")


def check_new_programme(
    spec: NewProgramme, *, today: date, templates: Collection[str], taken_by: str | None
) -> list[FieldError]:
    """What is wrong with a new programme: `templates` are the keys there are, `taken_by` the
    name of the programme that already has this name or this one's address, if any."""
    errors: list[FieldError] = []
    name = spec.name.strip()
    if not spec.template:
        errors.append(FieldError("template", "Choose the template to start from"))
    elif spec.template not in templates:
        known = ", ".join(sorted(templates))
        errors.append(
            FieldError("template", f"There is no template '{spec.template}': choose {known}")
        )
    if not name:
        errors.append(FieldError("name", "Enter the programme's name"))
    elif not slug_for(name):
        errors.append(FieldError("name", "Use letters or digits in the name, like Sussex merger"))
    elif taken_by is not None and taken_by.casefold() == name.casefold():
        message = f"There is already a programme called “{taken_by}”: choose another name"
        errors.append(FieldError("name", message))
    elif taken_by is not None:
        where = f"/p/{slug_for(name)}/"
        message = f"“{taken_by}” already has the address {where}: choose another name"
        errors.append(FieldError("name", message))
    errors += check_title("name", name, "name")
    for field, words in (
        ("from_organisation", "the organisations that close, like NHS Sussex ICB"),
        ("to_organisation", "the organisation it becomes, like NHS Sussex and Surrey ICB"),
    ):
        value = getattr(spec, field).strip()
        errors += [FieldError(field, f"Enter {words}")] if not value else []
        errors += check_title(field, value, "name")
    if spec.go_live is None:
        errors.append(FieldError("go_live", "Enter the go-live date, like 2027-04-01"))
    errors += check_date_in_window("go_live", spec.go_live, go_live_window(today), "go-live date")
    return errors + check_region("region", spec.region)


def _days(n: int) -> str:
    return f"{n} working day" if n == 1 else f"{n} working days"


def headline(plan: TemplatePlan, go_live: date) -> str:
    """The preview's one line: the slack the go-live date leaves, or how far short it falls."""
    when = f"Go-live {format_date(go_live)}"
    if plan.working_days_short:
        return f"{when} is {_days(plan.working_days_short)} too soon for this template"
    if plan.go_live_float == 0:
        return f"{when} leaves no slack: any delay on the critical path delays go-live"
    return f"{when} leaves {_days(plan.go_live_float)} of slack"


# --- saving a programme as a template ---------------------------------------------------------


@dataclass(frozen=True)
class PlanWorkstream:
    code: str
    name: str
    description: str  # as the programme has it; may end "Usual lead: ..."
    lead_titles: tuple[str, ...] = ()  # the job titles of its leads, if it has any


@dataclass(frozen=True)
class PlanMilestone:
    ref: str
    title: str
    workstream: str
    planned_start: date | None  # None for a point in time
    due: date
    is_key: bool
    description: str  # as the programme has it; may end "Source: ..."
    predecessors: tuple[TemplateLink, ...] = ()


def template_from_plan(
    *,
    name: str,
    description: str,
    go_live: date,
    go_live_ref: str,
    workstreams: Sequence[PlanWorkstream],
    milestones: Sequence[PlanMilestone],
    calendar: WorkingCalendar,
    source: str,
) -> dict[str, Any]:
    """A programme's plan as a template, in the format read_template reads: each milestone in
    working days from go-live (laid on the same go-live, every date on a working day comes
    back the same), its duration in working days, links, key flag and description. `source`
    is said of each milestone that names none of its own."""
    anchor = go_live if calendar.is_working_day(go_live) else calendar.previous_working_day(go_live)
    out_ws = []
    for ws in workstreams:
        text, role = _split(ws.description, USUAL_LEAD)
        role = role or " and ".join(t for t in ws.lead_titles if t) or "Workstream lead"
        out_ws.append({"code": ws.code, "name": ws.name, "lead_role": role, "description": text})
    out_ms = []
    for m in milestones:
        text, own_source = _split(m.description, SOURCE)
        row: dict[str, Any] = {"ref": m.ref, "title": m.title, "workstream": m.workstream}
        row["due"] = calendar.working_days_between(anchor, m.due)
        if m.planned_start is not None:
            row["duration"] = max(1, calendar.duration(min(m.planned_start, m.due), m.due))
        row["key"] = m.is_key
        row["predecessors"] = [
            format_predecessor(p.predecessor, p.type, p.lag_days) for p in m.predecessors
        ]
        out_ms.append(row | {"source": own_source or source, "description": text})
    return {
        "name": name,
        "description": description,
        "go_live_ref": go_live_ref,
        "workstreams": out_ws,
        "milestones": out_ms,
    }

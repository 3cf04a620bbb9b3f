"""Starting a programme from a template, and saving a programme as a template.

`preview_new` lays the chosen template onto the go-live date without saving anything, for the
preview page and the CLI; `create_from_template` makes the whole programme (its go-live
target, workstreams, milestones, links, a first baseline, and its first admin) in one audited
unit of work; `save_as_template` keeps a programme's plan as a template others can start from
(tracker/domain/templates.py: template_from_plan).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import yaml
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from tracker import clock
from tracker.domain import permissions
from tracker.domain.permissions import Viewer
from tracker.domain.templates import (
    SAVED_PREFIX,
    NewProgramme,
    PlanMilestone,
    PlanWorkstream,
    Template,
    TemplateError,
    TemplateLink,
    TemplatePlan,
    check_new_programme,
    lay_out,
    milestone_description,
    read_template,
    slug_for,
    template_from_plan,
    workstream_description,
)
from tracker.domain.terms import Role
from tracker.domain.text import strip_bidi
from tracker.domain.validation import (
    FieldError,
    ValidationError,
    check_text,
    check_title,
    format_date,
    normalise_email,
    raise_if,
)
from tracker.extensions import db
from tracker.models import (
    Dependency,
    GoLiveTarget,
    Milestone,
    Person,
    Programme,
    SavedTemplate,
    Workstream,
    WorkstreamLead,
)
from tracker.services import memberships, templates
from tracker.services.plan import MilestonePlan, add_dependency, create_milestone, take_baseline
from tracker.services.schedule import calendar_for
from tracker.services.unit_of_work import allow, on_duplicate, unit_of_work

ONLY_INSTANCE_ADMINS = "Only an instance administrator starts a new programme."
ONLY_ITS_ADMINS = "Only the programme's admins save it as a template."
# Leaves room for "Plan as created from " in the first baseline's label (200 characters).
TEMPLATE_NAME_LIMIT = 150
# Who owns the milestones of a programme started with nobody named (the CLI's operator is
# nobody in particular): a placeholder the programme office hands them on from.
PLACEHOLDER_NAME = "Programme office"


@dataclass(frozen=True)
class NewProgrammePreview:
    """A template laid onto the chosen go-live, or what is wrong with the choices."""

    spec: NewProgramme
    slug: str
    errors: list[FieldError]
    plan: TemplatePlan | None
    today: date

    @property
    def start(self) -> date | None:
        """The programme's start: its earliest planned start, or today if that is earlier."""
        return min(self.plan.start, self.today) if self.plan else None


def preview_new(spec: NewProgramme, *, today: date | None = None) -> NewProgrammePreview:
    """What the new programme would start with; nothing is saved."""
    today = today or clock.today()
    slug, name = slug_for(spec.name), spec.name.strip().lower()
    # The programme with the same name first, else the one with the same address.
    taken = db.session.scalar(
        select(Programme.name)
        .where(or_(Programme.slug == slug, func.lower(Programme.name) == name))
        .order_by(func.lower(Programme.name) != name)
        .limit(1)
    )
    errors = check_new_programme(spec, today=today, templates=templates.keys(), taken_by=taken)
    plan = None
    if not errors:
        assert spec.go_live is not None
        try:
            plan = templates.preview(spec.template, spec.go_live, today=today, region=spec.region)
        except TemplateError as exc:
            errors = [FieldError("template", f"This template cannot be used: {exc}")]
    return NewProgrammePreview(spec, slug, errors, plan, today)


def _person_by_email(email: str) -> Person | None:
    return db.session.scalar(select(Person).where(Person.email == normalise_email(email)))


def placeholder_owner(programme: Programme) -> Person:
    """The "Programme office" person who owns milestones until they are handed out."""
    email = f"office+{programme.slug}@example.org"
    person = _person_by_email(email)
    if person is None:
        person = Person(
            name=PLACEHOLDER_NAME,
            job_title="Owns the milestones until they are handed to their owners",
            directorate=programme.name[:120],
            email=email,
        )
        db.session.add(person)
        db.session.flush()
    return person


@unit_of_work
def create_from_template(
    actor: Viewer,
    spec: NewProgramme,
    *,
    today: date | None = None,
    admin_email: str | None = None,
) -> Programme:
    """The new programme, laid out from its template on its go-live date, in one change: its
    go-live target, workstreams (each with its usual lead's role), milestones (each naming
    its source) and links, a first baseline, and the creating person (and `admin_email`'s,
    if given) as its admin. The milestones are owned by that admin until handed out, or, when
    nobody in particular starts it (the CLI without --admin), by a placeholder person."""
    allow(permissions.can_create_programme(actor), ONLY_INSTANCE_ADMINS)
    preview = preview_new(spec, today=today)
    errors = list(preview.errors)
    admin = _person_by_email(admin_email) if admin_email else None
    if admin_email and admin is None:
        errors.append(FieldError("admin", f"There is nobody with the email address {admin_email}"))
    raise_if(errors, entity="programme")
    assert preview.plan is not None and preview.start is not None and spec.go_live is not None
    plan, template = preview.plan, preview.plan.template
    on_duplicate(
        FieldError(
            "name", f"The address /p/{preview.slug}/ was taken just now: choose another name"
        )
    )
    programme = Programme(
        slug=preview.slug,
        name=strip_bidi(spec.name).strip(),
        from_organisation=strip_bidi(spec.from_organisation).strip(),
        to_organisation=strip_bidi(spec.to_organisation).strip(),
        start_date=preview.start,
        go_live_date=spec.go_live,
        go_live_ref=template.go_live_ref,
        calendar_region=spec.region,
        template_key=template.slug,
    )
    programme.go_live_targets.append(
        GoLiveTarget(
            target_date=spec.go_live,
            set_on=preview.today,
            reason=f"Set when the programme was started from the template {template.name}",
            set_by_id=actor.person_id,
        )
    )
    db.session.add(programme)
    for order, ws in enumerate(template.workstreams, start=1):
        programme.workstreams.append(
            Workstream(
                code=ws.code,
                name=ws.name,
                description=workstream_description(ws),
                display_order=order,
            )
        )
    db.session.flush()
    creator = db.session.get(Person, actor.person_id) if actor.person_id else None
    admins = [p for p in (admin, creator) if p is not None]
    owner = admins[0] if admins else placeholder_owner(programme)
    _lay_plan(programme, plan, owner)
    take_baseline(
        programme,
        f"Plan as created from {template.name}",
        note=f"The template laid onto go-live {format_date(spec.go_live)}.",
        taken_by_id=actor.person_id,
    )
    for person in dict.fromkeys(admins):
        memberships.join(person, programme, Role.ADMIN.value)
    return programme


def _lay_plan(programme: Programme, plan: TemplatePlan, owner: Person) -> None:
    """The template's milestones on their dates, then the links between them."""
    workstream_ids = {ws.code: ws.id for ws in programme.workstreams}
    own = {m.ref: m for m in plan.template.milestones}
    made: dict[str, Milestone] = {}
    for placed in plan.milestones:
        made[placed.ref] = create_milestone(
            programme,
            placed.ref,
            MilestonePlan(
                title=placed.title,
                description=milestone_description(own[placed.ref]),
                workstream_id=workstream_ids[placed.workstream],
                owner_id=owner.id,
                kind=placed.kind,
                planned_start=placed.planned_start,
                due_date=placed.due,
                is_key=placed.is_key,
            ),
        )
    for placed in plan.milestones:
        for link in placed.predecessors:
            add_dependency(made[link.predecessor], made[placed.ref], link.type, link.lag_days)
    db.session.flush()


# --- saving a programme as a template ---------------------------------------------------------


def programme_by_slug(slug: str) -> Programme | None:
    """For the CLI, which acts for the whole instance."""
    return db.session.scalar(select(Programme).where(Programme.slug == slug))


@dataclass(frozen=True)
class PlanSize:
    workstreams: int
    milestones: int
    links: int


def plan_size(programme: Programme) -> PlanSize:
    """What a template saved from the programme would hold."""

    def count(model: type[Workstream] | type[Milestone] | type[Dependency]) -> int:
        query = select(func.count()).select_from(model).where(model.programme_id == programme.id)
        return int(db.session.scalar(query) or 0)

    return PlanSize(count(Workstream), count(Milestone), count(Dependency))


def template_data(programme: Programme, name: str, description: str = "") -> dict[str, object]:
    """The programme's plan as a template's YAML data (tracker/domain/templates.py)."""
    workstreams = db.session.scalars(
        select(Workstream)
        .where(Workstream.programme_id == programme.id)
        .options(selectinload(Workstream.lead_links).joinedload(WorkstreamLead.person))
        .order_by(Workstream.display_order, Workstream.code)
    ).all()
    codes = {ws.id: ws.code for ws in workstreams}
    order = {ws.id: i for i, ws in enumerate(workstreams)}
    rows = db.session.scalars(
        select(Milestone).where(Milestone.programme_id == programme.id).order_by(Milestone.ref)
    ).all()
    refs = {m.id: m.ref for m in rows}
    links: dict[str, list[TemplateLink]] = defaultdict(list)
    for link in db.session.scalars(
        select(Dependency).where(Dependency.programme_id == programme.id).order_by(Dependency.id)
    ):
        links[refs[link.successor_id]].append(
            TemplateLink(refs[link.predecessor_id], link.type, link.lag_days)
        )
    rows = sorted(rows, key=lambda m: (order.get(m.workstream_id, 0), m.due_date, m.ref))
    go_live_ref = programme.go_live_ref or max(rows, key=lambda m: (m.due_date, m.ref)).ref
    go_live = format_date(programme.go_live_date)
    return template_from_plan(
        name=name,
        description=description
        or (
            f"Saved from {programme.name}: its workstreams, and its milestones placed in "
            f"working days from its go-live of {go_live}, with their links."
        ),
        go_live=programme.go_live_date,
        go_live_ref=go_live_ref,
        workstreams=[
            PlanWorkstream(ws.code, ws.name, ws.description, tuple(p.job_title for p in ws.leads))
            for ws in workstreams
        ],
        milestones=[
            PlanMilestone(
                ref=m.ref,
                title=m.title,
                workstream=codes[m.workstream_id],
                planned_start=m.planned_start,
                due=m.due_date,
                is_key=m.is_key,
                description=m.description,
                predecessors=tuple(links[m.ref]),
            )
            for m in rows
        ],
        calendar=calendar_for(programme),
        source=f"As planned in {programme.name} (go-live {go_live})",
    )


def _check_template_name(name: str) -> list[FieldError]:
    if not name:
        return [FieldError("name", "Enter the template's name")]
    if not slug_for(name):
        return [FieldError("name", "Use letters or digits in the name, like ICB merger")]
    key = SAVED_PREFIX + slug_for(name)
    for existing in templates.list_templates():
        if existing.name.casefold() == name.casefold():
            return [FieldError("name", f"There is already a template called “{name}”")]
        if existing.slug == key:
            return [
                FieldError(
                    "name", f"“{existing.name}” already has the key {key}: choose another name"
                )
            ]
    return check_title("name", name, "name", TEMPLATE_NAME_LIMIT)


@unit_of_work
def save_as_template(
    actor: Viewer, programme: Programme, name: str, *, description: str = ""
) -> SavedTemplate:
    """Keep the programme's workstreams, milestones (in working days from its go-live) and
    links as a template a new programme can start from, under `name`."""
    allow(permissions.can_administer_programme(actor, programme.id), ONLY_ITS_ADMINS)
    name = strip_bidi(name or "").strip()
    description = strip_bidi(description or "").strip()
    raise_if(_check_template_name(name) + check_text("description", description), "template")
    if plan_size(programme).milestones == 0:
        raise ValidationError(
            [FieldError("name", f"{programme.name} has no milestones to make a template of")],
            entity="template",
        )
    key = SAVED_PREFIX + slug_for(name)
    data = template_data(programme, name, description)
    try:
        template = read_template(key, data)
        _lays_out(template, programme)
    except TemplateError as exc:
        problems = "; ".join(str(e) for e in exc.errors)
        raise ValidationError(
            [FieldError("name", f"{programme.name} cannot be a template: {problems}")],
            entity="template",
        ) from exc
    on_duplicate(FieldError("name", f"A template called “{name}” was saved just now"))
    saved = SavedTemplate(
        key=key,
        name=name,
        body=yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100),
        made_from_id=programme.id,
        saved_by_id=actor.person_id,
    )
    db.session.add(saved)
    db.session.flush()
    return saved


def _lays_out(template: Template, programme: Programme) -> None:
    """Raises TemplateError if the template would not schedule (a cycle)."""
    lay_out(template, programme.go_live_date, calendar_for(programme), programme.start_date)


def saved_from(programme: Programme) -> list[tuple[SavedTemplate, str | None]]:
    """The templates saved from this programme, newest first, with who saved each."""
    rows = db.session.execute(
        select(SavedTemplate, Person.name)
        .outerjoin(Person, Person.id == SavedTemplate.saved_by_id)
        .where(SavedTemplate.made_from_id == programme.id)
        .order_by(SavedTemplate.saved_at.desc(), SavedTemplate.id.desc())
    )
    return [(saved, name) for saved, name in rows]

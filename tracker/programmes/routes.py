"""Starting a programme: from a template, with a preview first; saving one as a template.

The list of programmes and starting one are the instance's (/programmes/); saving a programme
as a template is the programme's own (/p/<slug>/save-as-template, its admins only). Rights are
checked here before any form is shown, and again by services/programme_setup.py."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from tracker.domain.permissions import can_administer_programme, can_create_programme
from tracker.domain.programme_settings import region_name
from tracker.domain.templates import (
    SAVED_PREFIX,
    PlacedMilestone,
    TemplateWorkstream,
    headline,
    slug_for,
)
from tracker.domain.working_days import go_live_day_note
from tracker.form_errors import attempt, show_errors
from tracker.programmes.forms import NewProgrammeForm, PreviewForm, SaveTemplateForm
from tracker.scheduling.calendar import WorkingCalendar
from tracker.security import current_viewer, require
from tracker.services import programme_setup, programmes, templates
from tracker.services.programme_setup import ONLY_INSTANCE_ADMINS, ONLY_ITS_ADMINS

if TYPE_CHECKING:
    from tracker.domain.templates import TemplatePlan

bp = Blueprint("programmes", __name__, url_prefix="/programmes")
# Saving a programme as a template is a page of that programme, under its address.
template_bp = Blueprint("programme_templates", __name__, url_prefix="/p/<slug>")


@bp.get("/")
def index() -> str:
    viewer = current_viewer()
    return render_template(
        "programmes/index.html",
        programmes=programmes.programme_summaries(programmes.list_programmes(viewer)),
        led=programmes.programmes_led(viewer),
        can_create=can_create_programme(viewer),
    )


def _form(form: NewProgrammeForm) -> NewProgrammeForm:
    form.set_choices(templates.list_templates())
    return form


def _new_page(form: NewProgrammeForm) -> str:
    hints = {
        t.slug: f"{t.description} {len(t.milestones)} milestones in "
        f"{len(t.workstreams)} workstreams."
        for t in form.templates
    }
    return render_template("programmes/new.html", form=form, template_hints=hints)


@bp.route("/new", methods=["GET", "POST"])
def new() -> str | Response:
    """Choose the template, name, organisations, go-live and calendar; Continue previews."""
    require(can_create_programme(current_viewer()), ONLY_INSTANCE_ADMINS)
    if request.method == "GET":
        # Back from the preview ("Change"), the choices come in the address.
        form = _form(PreviewForm(formdata=request.args or None))
        return _new_page(form)
    form = _form(NewProgrammeForm())
    form.validate()
    shown = programme_setup.preview_new(form.spec())
    if not form.errors and not shown.errors:
        query: dict[str, Any] = dict(form.choices())
        return redirect(url_for("programmes.preview", **query))
    show_errors(form, shown.errors)
    return _new_page(form)


def _by_workstream(plan: TemplatePlan) -> list[tuple[TemplateWorkstream, list[PlacedMilestone]]]:
    """Each workstream's milestones, by due date, in the template's order of workstreams."""
    return [
        (ws, [m for m in plan.milestones if m.workstream == ws.code])
        for ws in plan.template.workstreams
    ]


@bp.route("/new/preview", methods=["GET", "POST"])
def preview() -> str | Response:
    """GET: the template laid onto the go-live date, nothing saved. POST: create it."""
    viewer = current_viewer()
    require(can_create_programme(viewer), ONLY_INSTANCE_ADMINS)
    if request.method == "GET":
        if not request.args:
            return redirect(url_for("programmes.new"))
        form = _form(PreviewForm(formdata=request.args))
        form.validate()
        shown = programme_setup.preview_new(form.spec())
        if form.errors or shown.errors or shown.plan is None:
            show_errors(form, shown.errors)
            return _new_page(form)
        spec = form.spec()
        return render_template(
            "programmes/preview.html",
            shown=shown,
            plan=shown.plan,
            headline=headline(shown.plan, spec.go_live or shown.plan.go_live),
            workstreams=_by_workstream(shown.plan),
            region=region_name(spec.region),
            choices=form.choices(),
            # A legal go-live may be any day: say what the plan measures to instead.
            go_live_note=go_live_day_note(
                WorkingCalendar(shown.plan.go_live, spec.region), spec.go_live
            ),
        )
    form = _form(NewProgrammeForm())
    spec = form.spec()
    slug, name = slug_for(spec.name), spec.name.strip()
    if not attempt(form, lambda: programme_setup.create_from_template(viewer, form.spec())).saved:
        return _new_page(form)
    flash(
        f"Started {name}, its plan laid out from the template with a first baseline. "
        "Next: invite its people and hand its milestones to their owners.",
        "success",
    )
    return redirect(url_for("dashboard.show", slug=slug))


@template_bp.route("/save-as-template", methods=["GET", "POST"])
def save_as_template(slug: str) -> str | Response:
    """A programme admin keeps the programme's plan as a template to start the next from."""
    programme = programmes.get_programme_or_404(slug)
    viewer = current_viewer()
    require(can_administer_programme(viewer, programme.id), ONLY_ITS_ADMINS)
    form = SaveTemplateForm()
    name = (form.name.data or "").strip()
    done = attempt(
        form,
        lambda: programme_setup.save_as_template(
            viewer, programme, name, description=form.description.data or ""
        ),
    )
    if done.saved:
        flash(f"Saved {programme.name} as the template “{name}”.", "success")
        if can_create_programme(viewer):
            return redirect(url_for("programmes.new", template=SAVED_PREFIX + slug_for(name)))
        return redirect(url_for("programme_templates.save_as_template", slug=slug))
    return render_template(
        "programmes/save_template.html",
        programme=programme,
        form=form,
        size=programme_setup.plan_size(programme),
        saved=programme_setup.saved_from(programme),
    )

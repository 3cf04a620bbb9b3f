"""The weekly digest for the programme office: preview anyone's email for any week, and the
ledger of runs and deliveries.

Bad input to a preview (no such person, a week that is not like 2022-W14) re-renders the
digest page at the preview's address with the problem in the error summary, as a bad form
would; the preview's own response is the email alone, with no site layout around it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Blueprint, Response, render_template, request
from flask_login import current_user

from tracker import clock
from tracker.digests.forms import DeliveriesForm, PreviewForm
from tracker.domain.digest import iso_week_label
from tracker.domain.my_work import week_start
from tracker.domain.permissions import can_run_digest
from tracker.security import current_viewer, require
from tracker.services import digest_ledger as ledger
from tracker.services.digest_content import Recipient, for_person, programme_week, recipients
from tracker.services.programmes import get_programme_or_404

if TYPE_CHECKING:
    from tracker.models import Programme

bp = Blueprint("digests", __name__, url_prefix="/p/<slug>")

ONLY_ADMINS = "Only the programme office sees the digest's ledger."


def _programme(slug: str) -> Programme:
    programme = get_programme_or_404(slug)
    require(can_run_digest(current_viewer(), programme.id), ONLY_ADMINS)
    return programme


def _preview_form(people: list[Recipient], submitted: bool) -> PreviewForm:
    today = clock.today()
    form = PreviewForm(formdata=request.args if submitted else None, today=today)
    form.set_people(people)
    if not submitted:
        # The admin's own digest, when they get one: Preview works straight away.
        me = str(current_user.id)
        form.person.data = me if me in form.people else ""
        form.week.data = iso_week_label(week_start(today))
    return form


def _page(programme: Programme, people: list[Recipient], form: PreviewForm) -> str:
    weeks = ledger.delivery_weeks(programme)
    shown = DeliveriesForm(formdata=request.args)
    shown.set_weeks(weeks)
    week = shown.chosen(weeks)
    if week is not None:
        shown.deliveries_week.data = iso_week_label(week)
    found = ledger.deliveries(programme, week) if week else []
    return render_template(
        "digests/index.html",
        programme=programme,
        people=people,
        form=form,
        deliveries_form=shown,
        runs=ledger.runs(programme),
        runs_shown=ledger.RUNS_SHOWN,
        week=week,
        deliveries=found,
        counts=ledger.counts(found),
        this_week=iso_week_label(week_start(clock.today())),
        week_label=iso_week_label,
    )


@bp.get("/digest/")
def index(slug: str) -> str:
    programme = _programme(slug)
    people = recipients(programme)
    return _page(programme, people, _preview_form(people, submitted=False))


def _preview(slug: str, part: str) -> Response | str:
    programme = _programme(slug)
    people = recipients(programme)
    form = _preview_form(people, submitted=True)
    if not form.validate():
        return _page(programme, people, form)
    assert form.monday is not None
    contents = programme_week(programme, form.monday)
    if contents is None:
        form.form_errors.append("The programme has no milestones yet, so there is no digest")
        return _page(programme, people, form)
    rendered = for_person(contents, form.recipient)
    if part == "html":
        return Response(rendered.html, mimetype="text/html")
    return Response(rendered.text, mimetype="text/plain")


@bp.get("/digest/preview")
def preview(slug: str) -> Response | str:
    """Exactly the HTML part the person would get for the week, as the email client gets it."""
    return _preview(slug, "html")


@bp.get("/digest/preview.txt")
def preview_text(slug: str) -> Response | str:
    """The plain-text part of the same email."""
    return _preview(slug, "text")

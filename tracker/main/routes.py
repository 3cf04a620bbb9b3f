from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from tracker.domain.permissions import can_create_programme
from tracker.main import accessibility
from tracker.navigation import SECTIONS
from tracker.security import current_viewer
from tracker.services import programmes

bp = Blueprint("main", __name__)


@bp.get("/")
def index() -> str | Response:
    """Straight to the only programme (a lead to their own workstreams in it); a list when
    there are several."""
    found = programmes.list_programmes(current_viewer())
    if len(found) == 1:
        programme = found[0]
        if programmes.leads_in(current_viewer(), programme):
            return redirect(url_for("updates.my_workstreams", slug=programme.slug))
        return redirect(url_for("dashboard.show", slug=programme.slug))
    viewer = current_viewer()
    return render_template(
        "programmes/index.html",
        programmes=programmes.programme_summaries(found),
        led=programmes.programmes_led(viewer),
        can_create=can_create_programme(viewer),
    )


@bp.get("/switch-programme")
def switch_programme() -> Response:
    """The programme switcher's form: the same section of the programme chosen."""
    slug = request.args.get("programme", "")
    if not slug:
        return redirect(url_for("main.index"))
    programme = programmes.get_programme_or_404(slug)
    # Only a section's landing page, and only one this person sees in that programme.
    section = next((s for s in SECTIONS if s.endpoint == request.args.get("page")), None)
    viewer = current_viewer().viewing(programme.id)
    if section is None or not section.shown_to(viewer, programmes.leads_in(viewer, programme)):
        return redirect(url_for("dashboard.show", slug=programme.slug))
    return redirect(url_for(section.endpoint, slug=programme.slug))


@bp.get("/accessibility")
def accessibility_statement() -> str:
    """The accessibility statement, in the form of GOV.UK's model statement; the pages it says
    were tested are the ones the browser tests open (tracker/main/accessibility.py)."""
    return render_template(
        "accessibility/statement.html",
        tested=accessibility.TESTED_PAGES,
        keyboard=[p for p in accessibility.TESTED_PAGES if p.keyboard],
        signed_in_as=accessibility.SIGNED_IN_AS,
        prepared_on=accessibility.PREPARED_ON,
        reviewed_on=accessibility.REVIEWED_ON,
        contact=current_app.config["ACCESSIBILITY_CONTACT_EMAIL"],
    )

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request

from tracker.form_fields import parse_id
from tracker.history import words
from tracker.history.forms import HistoryFilterForm
from tracker.security import current_viewer
from tracker.services.history import history_choices, programme_history, split_person_key
from tracker.services.programmes import get_programme_or_404

bp = Blueprint("history", __name__, url_prefix="/p/<slug>")

FILTERS = ("person", "workstream", "what", "from_date", "to_date")


def _applied(form: HistoryFilterForm) -> dict[str, str]:
    """The filters that passed validation, as query arguments; bad ones are left out."""
    return {
        name: request.args[name]
        for name in FILTERS
        if request.args.get(name) and not form[name].errors
    }


@bp.get("/history")
def index(slug: str) -> str:
    """Every change to the programme, newest first. Read-only: no route edits the trail."""
    programme = get_programme_or_404(slug)
    with_accounts = current_viewer().is_admin_of(programme.id)
    choices = history_choices(programme, with_accounts=with_accounts)
    form = HistoryFilterForm(formdata=request.args)
    form.set_choices(choices)
    form.validate()
    applied = _applied(form)

    query: dict[str, Any] = {}
    if "person" in applied:
        query["user_id"], query["actor"] = split_person_key(applied["person"])
    if "workstream" in applied:
        query["workstream_id"] = next(
            ws.id for ws in choices.workstreams if ws.code == applied["workstream"]
        )
    if "what" in applied:
        query["entity_type"] = applied["what"]
    if "from_date" in applied:
        query["date_from"] = form.from_date.data
    if "to_date" in applied:
        query["date_to"] = form.to_date.data
    found = programme_history(
        programme,
        with_accounts=with_accounts,
        page=parse_id(request.args.get("page")) or 1,
        **query,
    )
    return render_template(
        "history/index.html",
        programme=programme,
        form=form,
        history=found,
        filters=applied,
        words=words,
    )

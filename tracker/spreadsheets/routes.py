"""The plan out to Excel and CSV for everyone; in from them for the programme office.

Import is upload -> check every row -> preview -> confirm. Each import view requires
can_edit_plan, for GET and POST, and each step is a service call in tracker/services/
plan_sheets.py that checks it again (check_import, confirm_import, cancel_import). The upload
waits on the server between preview and confirm (uploads.py) and is checked again when
confirmed, in the same unit of work that applies it. Reading and checking an upload share
one Budget (rows, cells, seconds: tracker/domain/plan_sheets/budget.py); passing it refuses
the file with a message next to the file field, and problems are listed up to its number.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from typing import TYPE_CHECKING

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from tracker.clock import today
from tracker.domain.permissions import can_edit_plan
from tracker.domain.plan_sheets import (
    MILESTONES,
    RISKS,
    SHEETS,
    Budget,
    CheckedImport,
    KeptCheck,
    OverBudget,
    Problem,
    export_rows,
    sheet_by_key,
)
from tracker.form_errors import flash_refusal, show_refusal
from tracker.security import current_viewer, require
from tracker.services import plan_sheets
from tracker.services.programmes import get_programme_or_404
from tracker.services.unit_of_work import ChangeRefused, Refusal
from tracker.spreadsheets import files, uploads
from tracker.spreadsheets.forms import UploadForm

if TYPE_CHECKING:
    from tracker.models import Programme

bp = Blueprint("spreadsheets", __name__, url_prefix="/p/<slug>")

IMPORTED_SHEETS = [s for s in SHEETS if s.importable]


@bp.get("/spreadsheets/")
def index(slug: str) -> str:
    programme = get_programme_or_404(slug)
    return render_template(
        "spreadsheets/index.html",
        programme=programme,
        sheets=SHEETS,
        imported=IMPORTED_SHEETS,
        can_import=can_edit_plan(current_viewer(), programme.id),
        max_upload=files.MAX_UPLOAD_WORDS,
    )


def _download(data: bytes, mimetype: str, name: str) -> Response:
    response = send_file(
        io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=name
    )
    response.headers["Cache-Control"] = "no-store"  # the plan is for signed-in people only
    return response


@bp.get("/export.xlsx")
def export_workbook(slug: str) -> Response:
    programme = get_programme_or_404(slug)
    plan = plan_sheets.plan_records(programme)
    sheets = [(sheet, export_rows(sheet, plan.for_sheet(sheet))) for sheet in SHEETS]
    data = files.workbook(sheets, title=programme.name)
    name = f"{programme.slug}-plan-{today():%Y-%m-%d}.xlsx"
    return _download(data, files.XLSX_MIMETYPE, name)


@bp.get("/export.csv")
def export_csv(slug: str) -> Response:
    """One sheet as CSV: ?sheet=milestones (the default), dependencies, risks, status-updates."""
    programme = get_programme_or_404(slug)
    sheet = sheet_by_key(request.args.get("sheet") or MILESTONES.key)
    if sheet is None:
        keys = ", ".join(s.key for s in SHEETS)
        abort(404, description=f"There is no such sheet: choose one of {keys}.")
    plan = plan_sheets.plan_records(programme, with_risks=sheet is RISKS)
    rows = export_rows(sheet, plan.for_sheet(sheet))
    name = f"{programme.slug}-{sheet.key}-{today():%Y-%m-%d}.csv"
    return _download(files.csv_file(sheet, rows), files.CSV_MIMETYPE, name)


# Import ------------------------------------------------------------------------------------


def _programme_for_import(slug: str) -> Programme:
    programme = get_programme_or_404(slug)
    require(can_edit_plan(current_viewer(), programme.id), plan_sheets.ONLY_THE_PROGRAMME_OFFICE)
    return programme


def _upload_page(
    programme: Programme,
    form: UploadForm,
    problems: tuple[Problem, ...] = (),
    filename: str = "",
    *,
    more: bool = False,
) -> str:
    if more:
        form.form_errors.append(
            f"{filename} has more than {len(problems)} problems: the first {len(problems)} "
            "are listed below, and the check stopped there. Nothing has been imported: "
            "correct them in the file and upload it again."
        )
    elif problems:
        count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
        form.form_errors.append(
            f"{filename} has {count}, listed below. Nothing has been imported: correct them "
            "in the file and upload it again."
        )
    return render_template(
        "spreadsheets/upload.html",
        programme=programme,
        form=form,
        problems=problems,
        more_problems=more,
        sheets=IMPORTED_SHEETS,
        max_upload=files.MAX_UPLOAD_WORDS,
    )


def _unreadable(programme: Programme, exc: files.UnreadableFile | OverBudget) -> str:
    form = UploadForm()
    form.file.errors = [str(exc)]
    return _upload_page(programme, form)


def _preview_page(
    programme: Programme,
    kept: uploads.PendingImport,
    checked: CheckedImport,
    *,
    new_check: bool = True,
    **extra: object,
) -> str:
    uploads.remember_preview(checked.fingerprint())
    if new_check:  # for the confirm, while the plan stays as it is now
        uploads.keep_check(KeptCheck(checked, plan_sheets.plan_stamp(programme)))
    return render_template(
        "spreadsheets/preview.html",
        programme=programme,
        filename=kept.filename,
        checked=checked,
        form=FlaskForm(),
        **extra,
    )


def _nothing_waiting(programme: Programme) -> Response:
    flash("There is no upload waiting to be imported: upload the file again.", "info")
    return redirect(url_for("spreadsheets.upload", slug=programme.slug))


@bp.route("/import", methods=["GET", "POST"])
def upload(slug: str) -> str | Response:
    programme = _programme_for_import(slug)
    form = UploadForm()
    if not form.validate_on_submit():
        return _upload_page(programme, form)
    chosen = form.file.data
    filename = os.path.basename((chosen.filename or "upload").replace("\\", "/"))[:100]
    # Read one byte past the limit, to know it is over without reading all of a huge file.
    data = chosen.stream.read(files.MAX_UPLOAD_BYTES + 1)
    budget = Budget()  # reading and checking, together
    try:
        checked = plan_sheets.check_import(
            current_viewer(), programme, lambda: files.read_upload(filename, data, budget), budget
        )
    except (files.UnreadableFile, OverBudget) as exc:
        form.file.errors = [str(exc)]
        return _upload_page(programme, form)
    except ChangeRefused as refused:
        show_refusal(form, refused)
        return _upload_page(programme, form)
    if not checked.ok:
        return _upload_page(programme, form, checked.problems, filename, more=checked.more_problems)
    uploads.keep(programme.slug, filename, data, checked.fingerprint())
    uploads.keep_check(KeptCheck(checked, plan_sheets.plan_stamp(programme)))
    return redirect(url_for("spreadsheets.preview", slug=programme.slug))


def _reader(kept: uploads.PendingImport, budget: Budget) -> Callable[[], plan_sheets.Read]:
    """Reads the kept upload, when the service needs it read (files.UnreadableFile if the
    limits changed since it was kept, OverBudget)."""
    return lambda: files.read_upload(kept.filename, kept.data, budget)


def _last_check(programme: Programme, kept: uploads.PendingImport) -> KeptCheck | None:
    """The upload's last check, if it is of what the session last saw (the service uses it
    only while the plan is as it was then)."""
    last = uploads.kept_check()
    return last if last is not None and last.checked.fingerprint() == kept.fingerprint else None


def _failed_checks(
    programme: Programme, kept: uploads.PendingImport, checked: CheckedImport
) -> str:
    """The upload page with the problems the kept upload has now."""
    uploads.discard()
    return _upload_page(
        programme, UploadForm(), checked.problems, kept.filename, more=checked.more_problems
    )


def _recheck(
    programme: Programme, kept: uploads.PendingImport, last: KeptCheck | None = None
) -> CheckedImport | str:
    """The kept upload checked again (or its `last` check, while the plan is as it was), or
    the upload page saying why it no longer passes."""
    budget = Budget()
    try:
        checked = plan_sheets.check_import(
            current_viewer(), programme, _reader(kept, budget), budget, kept=last
        )
    except (files.UnreadableFile, OverBudget) as exc:  # the limits changed; the server is busy
        uploads.discard()
        return _unreadable(programme, exc)
    except ChangeRefused as refused:
        form = UploadForm()
        show_refusal(form, refused)
        return _upload_page(programme, form)
    return checked if checked.ok else _failed_checks(programme, kept, checked)


@bp.get("/import/preview")
def preview(slug: str) -> str | Response:
    programme = _programme_for_import(slug)
    kept = uploads.pending(programme.slug)
    if kept is None:
        return _nothing_waiting(programme)
    last = _last_check(programme, kept)
    checked = _recheck(programme, kept, last)
    if isinstance(checked, str):
        return checked
    return _preview_page(
        programme, kept, checked, new_check=last is None or checked is not last.checked
    )


@bp.post("/import/confirm")
def confirm(slug: str) -> str | Response:
    programme = _programme_for_import(slug)
    kept = uploads.pending(programme.slug)
    if kept is None:
        return _nothing_waiting(programme)
    budget = Budget()
    try:
        done = plan_sheets.confirm_import(
            current_viewer(),
            programme,
            _reader(kept, budget),
            budget=budget,
            previewed=kept.fingerprint,
            kept=_last_check(programme, kept),
        )
    except (files.UnreadableFile, OverBudget) as exc:  # nothing was saved
        uploads.discard()
        return _unreadable(programme, exc)
    except ChangeRefused as refused:
        if refused.refusal is Refusal.NOT_ALLOWED:
            abort(403, description=refused.message)
        # Nothing was saved. Show the preview again, as the plan is now, saying why.
        reason = refused.message if refused.refusal is Refusal.INVALID else plan_sheets.PLAN_CHANGED
        checked = _recheck(programme, kept)
        if isinstance(checked, str):
            return checked
        return _preview_page(programme, kept, checked, failed=reason)
    if not done.checked.ok:
        return _failed_checks(programme, kept, done.checked)
    if done.applied is None:
        # Someone changed the plan since the preview: show what the import would do now.
        return _preview_page(programme, kept, done.checked, plan_changed=True)
    uploads.discard()
    if not done.checked.changes_anything:  # confirmed without the button: it is not offered
        flash(f"Nothing imported: {kept.filename} matches the plan, so nothing changed.", "info")
    else:
        flash(f"Imported {kept.filename}: {done.applied}.", "success")
    return redirect(url_for("spreadsheets.index", slug=programme.slug))


@bp.post("/import/cancel")
def cancel(slug: str) -> Response:
    programme = _programme_for_import(slug)
    try:
        plan_sheets.cancel_import(current_viewer(), programme)
    except ChangeRefused as refused:
        flash_refusal(refused, "The import")
        return redirect(url_for("spreadsheets.upload", slug=programme.slug))
    uploads.discard()
    flash("Import cancelled: nothing was changed.", "info")
    return redirect(url_for("spreadsheets.index", slug=programme.slug))

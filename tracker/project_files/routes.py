"""Microsoft Project import pages (the programme office): upload -> preview -> confirm.

The upload is read once, by MPXJ in its own process (files.read_project); what it read
(the plain ProjectData, as JSON) waits on the server between the preview and the confirm
(tracker/spreadsheets/uploads.py, the same place a spreadsheet waits), so neither step
starts Java again. Each step is one service call that checks the role itself
(tracker/services/project_import.py); confirming applies the file only if it still does
exactly what the preview showed.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from tracker.domain.permissions import can_edit_plan
from tracker.domain.project_data import ProjectData
from tracker.form_errors import flash_refusal, show_refusal
from tracker.project_files import files
from tracker.project_files.forms import ProjectUploadForm
from tracker.request_guard import allow_large_body
from tracker.security import current_viewer, require
from tracker.services import plan_sheets, project_import
from tracker.services.programmes import get_programme_or_404
from tracker.services.unit_of_work import ChangeRefused, Refusal
from tracker.spreadsheets import uploads

if TYPE_CHECKING:
    from tracker.models import Programme

bp = Blueprint("project_files", __name__, url_prefix="/p/<slug>")

UPLOAD_OVERHEAD = 1024 * 1024  # the form's other fields and the multipart framing


def _programme_for_import(slug: str) -> Programme:
    programme = get_programme_or_404(slug)
    require(can_edit_plan(current_viewer(), programme.id), project_import.ONLY_THE_PROGRAMME_OFFICE)
    return programme


def _upload_page(
    programme: Programme,
    form: ProjectUploadForm,
    problems: tuple[str, ...] = (),
    filename: str = "",
) -> str:
    if problems:
        count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
        form.form_errors.append(
            f"{filename} has {count}, listed below. Nothing has been imported: correct them "
            "in Microsoft Project and upload the file again."
        )
    return render_template(
        "project_files/upload.html",
        programme=programme,
        form=form,
        problems=problems,
        max_upload=f"{files.MAX_BYTES // (1024 * 1024)} MB",
    )


def read_upload(filename: str, data: bytes) -> ProjectData:
    """The uploaded bytes read by MPXJ (files.ProjectFileError if it cannot)."""
    suffix = Path(filename).suffix.lower() or ".mpp"
    with tempfile.TemporaryDirectory(prefix="tracker-project-") as folder:
        path = Path(folder) / f"upload{suffix}"
        path.write_bytes(data)
        return files.read_project(path)


@bp.route("/import/project", methods=["GET", "POST"])
# A .mpp file may be far larger than the app's limit on a request (MAX_CONTENT_LENGTH): this
# page takes up to the import's own limit, and files.read_project refuses a file past it.
@allow_large_body(files.MAX_BYTES + UPLOAD_OVERHEAD)
def upload(slug: str) -> str | Response:
    programme = _programme_for_import(slug)
    form = ProjectUploadForm()
    if not form.validate_on_submit():
        return _upload_page(programme, form)
    chosen = form.file.data
    filename = os.path.basename((chosen.filename or "upload").replace("\\", "/"))[:100]
    data = chosen.stream.read(files.MAX_BYTES + 1)
    try:
        project = read_upload(filename, data)
        check = project_import.check_project_import(
            current_viewer(), programme, project, filename, workstream_level=form.level()
        )
    except files.ProjectFileError as exc:
        form.file.errors = [f"{filename}: {exc}"]
        return _upload_page(programme, form)
    except ChangeRefused as refused:
        show_refusal(form, refused)
        return _upload_page(programme, form)
    if not check.ok:
        return _upload_page(programme, form, check.problems, filename)
    kept = json.dumps({"project": project.as_json(), "workstream_level": form.level()})
    uploads.keep(programme.slug, filename, kept.encode(), check.fingerprint())
    return redirect(url_for("project_files.preview", slug=programme.slug))


@dataclass(frozen=True)
class _Waiting:
    """The file waiting for its confirm: its name, what was read, as what, the preview."""

    filename: str
    project: ProjectData
    workstream_level: int
    fingerprint: str


def _kept(programme: Programme) -> _Waiting | None:
    kept = uploads.pending(programme.slug)
    if kept is None:
        return None
    try:
        data = json.loads(kept.data)
        project = ProjectData.from_json(data["project"])
        level = int(data["workstream_level"])
    except (ValueError, KeyError, TypeError):  # a spreadsheet upload waits instead
        return None
    return _Waiting(kept.filename, project, level, kept.fingerprint)


def _nothing_waiting(programme: Programme) -> Response:
    flash("There is no Project file waiting to be imported: upload it again.", "info")
    return redirect(url_for("project_files.upload", slug=programme.slug))


def _preview_page(programme: Programme, check: project_import.ProjectCheck, **extra: object) -> str:
    return render_template(
        "project_files/preview.html",
        programme=programme,
        check=check,
        checked=check.checked,
        mapped=check.mapped,
        form=FlaskForm(),
        **extra,
    )


def _recheck(programme: Programme, kept: _Waiting) -> project_import.ProjectCheck:
    return project_import.check_project_import(
        current_viewer(),
        programme,
        kept.project,
        kept.filename,
        workstream_level=kept.workstream_level,
    )


@bp.get("/import/project/preview")
def preview(slug: str) -> str | Response:
    programme = _programme_for_import(slug)
    kept = _kept(programme)
    if kept is None:
        return _nothing_waiting(programme)
    check = _recheck(programme, kept)
    if not check.ok:
        uploads.discard()
        return _upload_page(programme, ProjectUploadForm(), check.problems, kept.filename)
    uploads.remember_preview(check.fingerprint())  # what the person saw is what is confirmed
    return _preview_page(programme, check)


@bp.post("/import/project/confirm")
def confirm(slug: str) -> str | Response:
    programme = _programme_for_import(slug)
    kept = _kept(programme)
    if kept is None:
        return _nothing_waiting(programme)
    filename = kept.filename
    try:
        done = project_import.confirm_project_import(
            current_viewer(),
            programme,
            kept.project,
            filename,
            previewed=kept.fingerprint,
            workstream_level=kept.workstream_level,
        )
    except ChangeRefused as refused:
        if refused.refusal is Refusal.NOT_ALLOWED:
            abort(403, description=refused.message)
        check = _recheck(programme, kept)
        uploads.remember_preview(check.fingerprint())
        return _preview_page(programme, check, failed=refused.message)
    if not done.check.ok:
        uploads.discard()
        return _upload_page(programme, ProjectUploadForm(), done.check.problems, filename)
    if done.applied is None:
        # The plan changed since the preview: show what the import would do now.
        uploads.remember_preview(done.check.fingerprint())
        return _preview_page(programme, done.check, plan_changed=True)
    uploads.discard()
    flash(f"Imported {filename}: {done.applied}.", "success")
    return redirect(url_for("spreadsheets.index", slug=programme.slug))


@bp.post("/import/project/cancel")
def cancel(slug: str) -> Response:
    programme = _programme_for_import(slug)
    try:
        plan_sheets.cancel_import(current_viewer(), programme)  # checks the role; changes nothing
    except ChangeRefused as refused:
        flash_refusal(refused, "The import")
        return redirect(url_for("project_files.upload", slug=programme.slug))
    uploads.discard()
    flash("Import cancelled: nothing was changed.", "info")
    return redirect(url_for("spreadsheets.index", slug=programme.slug))

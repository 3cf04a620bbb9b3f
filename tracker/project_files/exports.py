"""The programme as Microsoft Project XML (MSPDI), for everyone who can read it."""

from __future__ import annotations

import io

from flask import abort, send_file
from werkzeug.wrappers import Response

from tracker.clock import today
from tracker.project_files import files
from tracker.project_files.routes import bp
from tracker.services import project_export
from tracker.services.programmes import get_programme_or_404

# Project XML is plain XML: application/vnd.ms-project names the binary .mpp.
MSPDI_MIMETYPE = "application/xml"


@bp.get("/export.xml")
def export_mspdi(slug: str) -> Response:
    programme = get_programme_or_404(slug)
    try:
        data = files.write_mspdi(project_export.project_for(programme))
    except files.ProjectFileError as exc:
        # MPXJ could not run (no Java runtime, say): the server's problem, not the reader's.
        abort(503, description=f"The Microsoft Project file could not be made: {exc}")
    response = send_file(
        io.BytesIO(data),
        mimetype=MSPDI_MIMETYPE,
        as_attachment=True,
        download_name=f"{programme.slug}-plan-{today():%Y-%m-%d}.xml",
    )
    response.headers["Cache-Control"] = "no-store"  # the plan is for signed-in people only
    return response

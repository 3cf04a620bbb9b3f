"""The Microsoft Project upload form. What the file holds is checked by the import itself."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired

PROJECT_TYPES = "Upload a Microsoft Project file (.mpp) or Project XML (.xml)"


class ProjectUploadForm(FlaskForm):
    file = FileField(
        "Microsoft Project file to import",
        validators=[
            FileRequired("Choose the .mpp or .xml file to import"),
            FileAllowed(["mpp", "xml", "mpx"], PROJECT_TYPES),
        ],
    )

"""The Microsoft Project upload form. What the file holds is checked by the import itself."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import IntegerField
from wtforms.validators import NumberRange, Optional

PROJECT_TYPES = "Upload a Microsoft Project file (.mpp) or Project XML (.xml)"


class ProjectUploadForm(FlaskForm):
    file = FileField(
        "Microsoft Project file to import",
        validators=[
            FileRequired("Choose the .mpp or .xml file to import"),
            FileAllowed(["mpp", "xml", "mpx"], PROJECT_TYPES),
        ],
    )
    workstream_level = IntegerField(
        "Outline level of the workstreams",
        default=1,
        validators=[
            Optional(),
            NumberRange(1, 9, "Outline level of the workstreams must be a whole number, 1 to 9"),
        ],
    )

    def level(self) -> int:
        return self.workstream_level.data or 1

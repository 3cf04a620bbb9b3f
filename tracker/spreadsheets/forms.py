"""The import's upload form. What the file holds is checked by the import itself."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired

UPLOAD_TYPES = "Upload an Excel workbook (.xlsx) or a CSV file (.csv)"


class UploadForm(FlaskForm):
    file = FileField(
        "Spreadsheet to import",
        validators=[
            FileRequired("Choose the .xlsx or .csv file to import"),
            FileAllowed(["xlsx", "csv"], UPLOAD_TYPES),
        ],
    )

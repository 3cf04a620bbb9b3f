"""The schedule risk analysis defaults form. It only reads what was typed: whether a default
is a whole number in its range, and the words for it, are services/schedule_risk.py's
(check_defaults)."""

from __future__ import annotations

import re

from wtforms import BooleanField, StringField

from tracker.form_fields import OpenedForm
from tracker.scheduling.risk_analysis import UncertaintyDefaults
from tracker.services.schedule_risk import DEFAULT_FIELDS, default_values

# "5", " 5 ", "+10", "-10 %", "1,000": a whole number as people type one.
_WHOLE = re.compile(r"[-+]?\d[\d,]*")


def _number(text: str | None) -> object:
    """A whole number as an int, nothing as None (the default), anything else as typed, for
    the rules to name."""
    cleaned = (text or "").strip().removesuffix("%").strip().replace("\u2212", "-")
    if not cleaned:
        return None
    return int(cleaned.replace(",", "")) if _WHOLE.fullmatch(cleaned) else cleaned


class DefaultsForm(OpenedForm):
    """One text field per default (named by services/schedule_risk.default_field), and the
    button that puts back the tracker's defaults."""

    reset = BooleanField("Put back the tracker's defaults")

    def fill(self, defaults: UncertaintyDefaults) -> None:
        for field, value in default_values(defaults).items():
            self[field].data = str(value)

    def values(self) -> dict[str, object] | None:
        """What was typed, by field; None when the reset button asks for every default."""
        if self.reset.data:
            return None
        return {f: _number(self[f].data) for f in DEFAULT_FIELDS}


for _field in DEFAULT_FIELDS:
    setattr(DefaultsForm, _field, StringField(_field))

"""The plan health thresholds form. It only reads what was typed: whether a threshold is a
whole number in its range, and the words for it, are tracker/domain/plan_health.py's."""

from __future__ import annotations

import re

from wtforms import BooleanField, StringField

from tracker.domain.plan_health import THRESHOLDS, HealthThresholds
from tracker.form_fields import OpenedForm

# "5", " 5 ", "5 %", "1,000": a whole number as people type one.
_WHOLE = re.compile(r"-?\d[\d,]*")


def _number(text: str | None) -> object:
    """A whole number as an int, nothing as None (the default), anything else as typed, for
    the rules to name."""
    cleaned = (text or "").strip().removesuffix("%").strip()
    if not cleaned:
        return None
    return int(cleaned.replace(",", "")) if _WHOLE.fullmatch(cleaned) else cleaned


class ThresholdsForm(OpenedForm):
    """One text field per threshold (named by its key), and the reset button."""

    reset = BooleanField("Reset every threshold to the DCMA default")

    def fill(self, thresholds: HealthThresholds) -> None:
        for t in THRESHOLDS:
            self[t.key].data = str(getattr(thresholds, t.key))

    def values(self) -> dict[str, object]:
        """What was typed, by threshold key; the reset button asks for every default."""
        if self.reset.data:
            return {}
        return {t.key: _number(self[t.key].data) for t in THRESHOLDS}


for _threshold in THRESHOLDS:
    setattr(ThresholdsForm, _threshold.key, StringField(_threshold.label))

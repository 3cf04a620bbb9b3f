"""Starting a programme and saving one as a template. The fields only read what was typed; the
rules and their messages are tracker/domain/templates.py's (check_new_programme)."""

from __future__ import annotations

from collections.abc import Sequence

from flask_wtf import FlaskForm
from wtforms import RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from tracker.domain.templates import NewProgramme, Template
from tracker.form_fields import OptionalDateField, region_field


class NewProgrammeForm(FlaskForm):
    # Any choice is read: whether it is a template or a region is the rules' to say.
    template = RadioField("Template", validate_choice=False)
    name = StringField("Programme name")
    from_organisation = StringField("Organisations that close")
    to_organisation = StringField("Organisation it becomes")
    go_live = OptionalDateField("Go-live date")
    region = region_field(default="ENG")

    def set_choices(self, found: Sequence[Template]) -> None:
        self.templates = list(found)
        self.template.choices = [SelectChoice(t.slug, t.name) for t in found]

    def spec(self) -> NewProgramme:
        return NewProgramme(
            template=(self.template.data or "").strip(),
            name=self.name.data or "",
            from_organisation=self.from_organisation.data or "",
            to_organisation=self.to_organisation.data or "",
            go_live=self.go_live.data,
            region=(self.region.data or "").strip().upper(),
        )

    def choices(self) -> dict[str, str]:
        """What was chosen, as the preview's address and hidden fields carry it."""
        spec = self.spec()
        return {
            "template": spec.template,
            "name": spec.name,
            "from_organisation": spec.from_organisation,
            "to_organisation": spec.to_organisation,
            "go_live": spec.go_live.isoformat() if spec.go_live else "",
            "region": spec.region,
        }


class PreviewForm(NewProgrammeForm):
    """The same choices read from the preview's address: a GET, so no CSRF token."""

    class Meta:
        csrf = False


class SaveTemplateForm(FlaskForm):
    name = StringField("Template name")
    description = TextAreaField("What it is for")

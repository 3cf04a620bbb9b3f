"""Every form shows all its problems at once, each naming its field (issue 18, defect 11).

A form with a field it could not read (a date like "31/02/2022") still shows what the rules
say about the others: the change is rehearsed (tracker/form_errors.attempt), then rolled back,
so nothing is saved and no email is sent. Dates are read as people write them, and no
WTForms message that names no field ("Not a valid date value.") is ever shown.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict

from tests import mail
from tests.helpers import SEED_SLUG, audit_count, count, error_for, page
from tests.mail import SmtpServer
from tests.test_invitations import PASSWORD, accept, invited
from tests.test_people import PEOPLE, new_person
from tests.test_programme_admin import SETTINGS, WORKSTREAMS, details_form, workstream_form
from tests.test_programme_setup import CHOICES
from tests.test_raid_pages import issue_form, risk_form, versioned
from tracker.auth import forms as auth_forms
from tracker.calendars import forms as calendar_forms
from tracker.decisions import forms as decision_forms
from tracker.digests import forms as digest_forms
from tracker.extensions import db
from tracker.form_fields import parse_date
from tracker.history import forms as history_forms
from tracker.issues import forms as issue_forms
from tracker.models import Decision, Person, Programme, Risk, User
from tracker.people import forms as people_forms
from tracker.plan import forms as plan_forms
from tracker.programme_admin import forms as settings_forms
from tracker.programmes import forms as programme_forms
from tracker.risks import forms as risk_forms
from tracker.spreadsheets import forms as spreadsheet_forms
from tracker.tokens import forms as token_forms
from tracker.users import forms as user_forms

smtp_server = mail.smtp_server

KM = f"/p/{SEED_SLUG}"
UNREADABLE = "31/02/2022"


def errors(response: Any) -> dict[str, str]:
    """Each field's message, as the error summary links to it (the first radio of a group
    counts as its group)."""
    html = page(response)
    assert response.status_code == 200, response.status_code
    assert html.title is not None and html.title.get_text().startswith("Error: ")
    summary = html.find(class_="nhsuk-error-summary")
    assert summary is not None
    found = {}
    for link in summary.find_all("a"):
        field = link["href"].removeprefix("#").removesuffix("-1")
        found[field] = link.get_text(" ", strip=True)
    for field, message in found.items():
        assert error_for(html, field) == message  # and the same next to the field
    return found


def state() -> tuple[int, ...]:
    db.session.expire_all()
    return audit_count(), count(User), count(Person), count(Risk), count(Decision)


# --- one of each area's forms, with several bad fields at once --------------------------------


def test_a_new_user_with_a_bad_email_and_no_role_is_told_both(admin_client: FlaskClient) -> None:
    before = state()
    data = {"email": "not-an-email", "name": "Nia Okafor", "programme": SEED_SLUG, "role": ""}
    shown = errors(admin_client.post("/users/new", data=data))
    assert "'not-an-email' is not an email address" in shown["email"]
    assert shown["role"].startswith("Choose their role in")
    assert state() == before


def test_a_risk_with_an_unreadable_date_and_a_long_title_is_told_both(
    admin_client: FlaskClient,
) -> None:
    before = state()
    data = risk_form("R01", title="x" * 201, raised_on=UNREADABLE, owner="")
    shown = errors(admin_client.post(f"{KM}/risks/R01/edit", data=data))
    assert shown == {
        "raised_on": "Enter the date raised as a date, like 1 April 2022",
        "title": "The title is 201 characters: keep it to 200",
        "owner": "Choose the person who owns the risk",
    }
    assert state() == before


def test_a_risk_review_and_action_name_every_problem(admin_client: FlaskClient) -> None:
    before = state()
    review = versioned("R01", consequence="9", likelihood="3", note=" ", review_on="soon")
    shown = errors(admin_client.post(f"{KM}/risks/R01/review", data=review))
    assert shown == {
        "consequence": "Choose the consequence from 1 to 5",
        "note": "Say what the review found, even if nothing changed",
        "review_on": "Enter the next review date as a date, like 1 April 2022",
    }
    action = {"description": "", "owner": "", "due_on": "1 Aprl 2022"}
    shown = errors(admin_client.post(f"{KM}/risks/R01/actions/new", data=action))
    assert shown == {
        "description": "Say what the action is",
        "owner": "Choose who will do it",
        "due_on": "Enter the due date as a date, like 1 April 2022",
    }
    assert state() == before


def test_someone_new_with_three_problems_is_told_all_three_and_nobody_is_emailed(
    admin_client: FlaskClient, smtp_server: SmtpServer
) -> None:
    before = state()
    data = new_person(name="", email="nia@", role="", send_invitation="y")
    shown = errors(admin_client.post(f"{PEOPLE}/new", data=data))
    assert set(shown) == {"name", "email", "role"}
    assert shown["name"] == "Enter their full name"
    assert "is not an email address" in shown["email"]
    assert state() == before and smtp_server.received == []


def test_a_rehearsed_invitation_is_checked_but_never_sent(
    admin_client: FlaskClient, smtp_server: SmtpServer
) -> None:
    """A box that names no workstream cannot be read, so the rest is rehearsed: its problems
    show, and the invitation it would have sent is not sent."""
    before = state()
    data = new_person(name="N" * 121, role="lead", workstreams=["abc"], send_invitation="y")
    shown = errors(admin_client.post(f"{PEOPLE}/new", data=data))
    assert shown == {
        "name": "The full name is 121 characters: keep it to 120",
        "workstreams": "Choose the workstreams they lead from the list",
    }
    # Only the unreadable box is wrong: the rehearsal passes, and still nothing happens.
    data = new_person(role="lead", workstreams=["abc"], send_invitation="y")
    shown = errors(admin_client.post(f"{PEOPLE}/new", data=data))
    assert list(shown) == ["workstreams"]
    assert state() == before and smtp_server.received == []


def test_accepting_an_invitation_names_both_passwords(
    admin_client: FlaskClient, smtp_server: SmtpServer, anonymous_client: FlaskClient
) -> None:
    path = invited(admin_client, smtp_server)
    before = state()
    shown = errors(accept(anonymous_client, path, "short", "shorter"))
    assert "at least 12 characters" in shown["password"]
    assert shown["password_again"] == "The two passwords do not match"
    assert state() == before
    assert accept(anonymous_client, path, PASSWORD).status_code == 302


def test_changing_a_password_names_every_problem(admin_client: FlaskClient) -> None:
    data = {"current_password": "wrong", "new_password": "short", "confirm_password": "other"}
    shown = errors(admin_client.post("/account/password", data=data))
    assert shown == {
        "current_password": "Your current password is wrong",
        "new_password": "The password must be at least 12 characters",
        "confirm_password": "The two new passwords do not match",
    }
    shown = errors(admin_client.post("/account/password", data={}))
    assert shown == {
        "current_password": "Enter your current password",
        "new_password": "Enter a new password",
        "confirm_password": "Enter the new password again",
    }


def test_programme_settings_name_every_problem(admin_client: FlaskClient) -> None:
    before = state()
    data = details_form(name=" ", start_date="1 Julyy 2021", calendar_region="XX")
    shown = errors(admin_client.post(SETTINGS, data=data))
    assert shown["name"] == "Enter the programme's name"
    assert shown["start_date"] == "Enter the start date as a date, like 1 April 2022"
    assert shown["calendar_region"].startswith("Choose whose bank holidays it follows")
    shown = errors(admin_client.post(f"{SETTINGS}/closures", data={"closed_on": "32/12/2022"}))
    assert shown == {
        "closed_on": "Enter the closure date as a date, like 1 April 2022",
        "reason": "Say why the office is closed, like Christmas shutdown",
    }
    data = workstream_form(code="G", name="", leads=["abc"])
    shown = errors(admin_client.post(f"{WORKSTREAMS}/new", data=data))
    assert set(shown) == {"code", "name", "leads"}
    assert state() == before


def test_a_new_programme_names_every_problem(admin_client: FlaskClient) -> None:
    before = count(Programme), state()
    data = {**CHOICES, "name": "", "go_live": "3 Jully 2023", "region": "XX"}
    shown = errors(admin_client.post("/programmes/new/preview", data=data))
    assert shown["go_live"] == "Enter the go-live date as a date, like 1 April 2022"
    assert shown["name"] == "Enter the programme's name"
    assert shown["region"].startswith("Choose whose bank holidays it follows")
    assert (count(Programme), state()) == before


def test_issues_and_decisions_name_every_problem(
    admin_client: FlaskClient, lead_client: FlaskClient
) -> None:
    before = state()
    data = issue_form("I02", title="", raised_on="tomorrow", owner="")
    shown = errors(lead_client.post(f"{KM}/issues/I02/edit", data=data))
    assert shown == {
        "title": "Enter a title: what has happened, in a line",
        "raised_on": "Enter the date raised as a date, like 1 April 2022",
        "owner": "Choose the person who owns the issue",
    }
    data = {"decided_on": "1 Apirl 2022", "forum": "", "decision": "", "owner": ""}
    data["milestones"] = "GOV-999"
    shown = errors(admin_client.post(f"{KM}/decisions/new", data=data))
    assert shown == {
        "decided_on": "Enter the date decided as a date, like 1 April 2022",
        "forum": "Say which forum decided, like 'Transition board'",
        "decision": "Say what was decided",
        "milestones": "GOV-999 is not a milestone in this programme: check the reference",
    }
    assert state() == before


def test_tokens_and_feeds_name_their_field(admin_client: FlaskClient) -> None:
    before = state()
    shown = errors(admin_client.post("/account/api-tokens", data={"name": "x" * 101}))
    assert shown == {"name": "The token's name is 101 characters: keep it to 100"}
    shown = errors(admin_client.post("/account/calendar/workstream-feeds", data={}))
    assert shown == {"workstream": "Choose a workstream from the list"}
    assert state() == before


# --- filters ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            f"{KM}/history?from_date=2022-13-01&workstream=NOPE",
            ["Choose a workstream from the list", "Enter the from date as a date, like 1 April"],
        ),
        (
            f"{KM}/milestones/?due_from=someday&rag=purple",
            ["Choose a RAG from the list", "Enter the earliest due date as a date, like 1 April"],
        ),
        (
            f"{KM}/risks/?q={'x' * 201}&consequence=9",
            ["The search is 201 characters: keep it to 200", "Choose the consequence as a whole"],
        ),
        (
            f"{KM}/decisions/?decided_from=soon&milestone={'X' * 21}",
            ["Enter the earliest decision date as a date", "The milestone is 21 characters"],
        ),
        (f"{KM}/issues/?status=maybe", ["Choose open, closed or both from the list"]),
    ],
)
def test_every_bad_filter_is_named(client: FlaskClient, url: str, expected: list[str]) -> None:
    html = page(client.get(url))
    summary = html.find(class_="nhsuk-error-summary")
    assert summary is not None
    listed = summary.get_text(" ", strip=True)
    for words in expected:
        assert words in listed


# --- dates as people write them ------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed", ["1 April 2022", "1 Apr 2022", "01/04/2022", "2022-04-01", " 1  april 2022 "]
)
def test_a_date_is_read_as_people_write_it(typed: str) -> None:
    assert parse_date(typed) == date(2022, 4, 1)


@pytest.mark.parametrize(
    "typed", ["31 June 2022", "2022-02-30", "1/4/22", "April 1 2022", "١/٤/٢٠٢٢", "1 Avril 2022"]
)
def test_a_date_that_is_none_of_those_is_not_read(typed: str) -> None:
    assert parse_date(typed) is None


def test_a_date_typed_in_words_is_saved(admin_client: FlaskClient) -> None:
    data = {"decided_on": "1 Apr 2022", "forum": "Board", "decision": "Go ahead", "owner": ""}
    response = admin_client.post(f"{KM}/decisions/new", data=data)
    assert response.status_code == 302
    made = db.session.query(Decision).order_by(Decision.id.desc()).first()
    assert made is not None and made.decided_on == date(2022, 4, 1)


# --- no message that names no field ------------------------------------------------------------

FORMS: list[type[FlaskForm]] = [
    auth_forms.SignInForm,
    auth_forms.ChangePasswordForm,
    user_forms.AccountForm,
    user_forms.NewUserForm,
    people_forms.NewPersonForm,
    people_forms.EditPersonForm,
    people_forms.AcceptInvitationForm,
    programme_forms.NewProgrammeForm,
    programme_forms.SaveTemplateForm,
    settings_forms.DetailsForm,
    settings_forms.ClosureForm,
    settings_forms.WorkstreamForm,
    risk_forms.RiskForm,
    risk_forms.ReviewForm,
    risk_forms.CloseForm,
    risk_forms.ActionForm,
    risk_forms.RiskFilterForm,
    issue_forms.IssueForm,
    issue_forms.CloseIssueForm,
    issue_forms.IssueFilterForm,
    decision_forms.DecisionForm,
    decision_forms.DecisionFilterForm,
    digest_forms.DeliveriesForm,
    calendar_forms.WorkstreamFeedForm,
    token_forms.NewTokenForm,
    history_forms.HistoryFilterForm,
    plan_forms.GanttFilterForm,
    plan_forms.MilestoneFilterForm,
    spreadsheet_forms.UploadForm,
]
WTFORMS_OWN = (
    "Not a valid",
    "Field cannot be",
    "Field must be",
    "This field is required",
    "Invalid choice",
    "is not a valid choice",
    "Invalid value",
    "Invalid input",
    "Number must be",
    "could not be coerced",
)


@pytest.mark.parametrize("form_class", FORMS, ids=lambda f: f"{f.__module__}.{f.__name__}")
@pytest.mark.parametrize("typed", ["", "nonsense ☃", "x" * 5000, "99999999999999999999"])
def test_no_form_says_what_wtforms_says(app: Flask, form_class: type[Any], typed: str) -> None:
    """Whatever is typed into every field, each message names its field: none is one of
    WTForms' own, which name none."""
    with app.test_request_context(method="POST"):
        names = list(form_class(formdata=None)._fields)
        form = form_class(formdata=MultiDict({name: typed for name in names}))
        for field in form:
            if getattr(field, "choices", ()) is None:
                field.choices = [("1", "One")]
        form.validate()
        for name, messages in form.errors.items():
            field = form._fields.get(name)
            if name == "csrf_token" or (field is not None and field.type == "HiddenField"):
                continue  # never typed by a person: not shown next to a field
            assert len(set(messages)) == len(messages), (name, messages)  # each said once
            for message in messages:
                assert not any(words in str(message) for words in WTFORMS_OWN), (name, message)


def test_the_digest_preview_names_both_fields(admin_client: FlaskClient) -> None:
    query = {"person": "nobody", "week": "next week"}
    html = page(admin_client.get(f"{KM}/digest/preview", query_string=query))
    assert "Choose someone from the list of people who get the digest" in error_for(html, "person")
    assert error_for(html, "week").startswith("Enter the week as a year and week number")

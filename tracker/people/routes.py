"""A programme's people: the directory, roles, and invitations by email (and accepting one).

The programme's admins see its members, add people (inviting them), change their details,
role and workstreams or remove them, and invite, re-invite or revoke; each POST is one unit
of work in services/people.py or services/invitations.py, which check the role again.
Everything here is under /p/<slug>/, so non-members get 404 before a view runs.

Accepting an invitation (/invitations/<token>) is the one public page besides signing in:
the link's token is the proof, rate limited like signing in, and every link that does not
work (unknown, used, revoked, expired) gets the same page and status, 404.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_limiter import RateLimitExceeded
from flask_login import current_user
from werkzeug.wrappers import Response

from tracker.domain.permissions import can_administer_programme
from tracker.domain.terms import Role
from tracker.form_errors import attempt, flash_refusal
from tracker.formatting import london_time
from tracker.people.forms import ROLE_HINTS, AcceptInvitationForm, EditPersonForm, NewPersonForm
from tracker.security import current_viewer, limiter, require, safe_next, start_session
from tracker.services import invitations, people
from tracker.services.invitations import InvitationInvalid, Sent
from tracker.services.optimistic_locking import EditConflict
from tracker.services.programmes import get_programme_or_404
from tracker.services.unit_of_work import ChangeRefused

if TYPE_CHECKING:
    from tracker.models import Programme
    from tracker.services.people import Member

bp = Blueprint("people", __name__)

TOO_MANY = "Too many attempts from your network. Wait a minute, then open the link again."


def _admin_only(slug: str) -> Programme:
    programme = get_programme_or_404(slug)
    require(can_administer_programme(current_viewer(), programme.id), people.ONLY_ITS_ADMINS)
    return programme


def _member_or_404(programme: Programme, person_id: int) -> Member:
    member = people.member_or_none(programme, person_id)
    if member is None:
        abort(404, description=f"{programme.name} has no such member.")
    return member


def _directory(slug: str) -> Response:
    return redirect(url_for("people.index", slug=slug))


def _back(slug: str) -> Response:
    """Where the button was pressed: the directory, or a person's page."""
    return redirect(safe_next(request.form.get("next"), url_for("people.index", slug=slug)))


def _sent_words(sent: Sent) -> str:
    if sent.added:
        return f"{sent.email} was emailed that they have been added, with a link to sign in."
    return (
        f"An invitation was emailed to {sent.email}: its link works once, until "
        f"{london_time(sent.expires_at)}."
    )


# --- the directory -------------------------------------------------------------------------


@bp.get("/p/<slug>/people")
def index(slug: str) -> str:
    programme = _admin_only(slug)
    return render_template(
        "people/index.html", programme=programme, members=people.directory(programme)
    )


@bp.route("/p/<slug>/people/new", methods=["GET", "POST"])
def new(slug: str) -> str | Response:
    programme = _admin_only(slug)
    form = NewPersonForm()
    form.set_choices(people.workstream_choices(programme))
    done = attempt(
        form,
        lambda: people.add_person(
            current_viewer(),
            programme,
            people.NewPerson(
                name=form.name.data or "",
                email=form.email.data or "",
                role=form.role.data or "",
                job_title=form.job_title.data or "",
                led_workstream_ids=form.led_ids,
                send_invitation=bool(form.send_invitation.data),
            ),
        ),
    )
    if done.saved:
        added = done.result
        words = [f"Added {added.name} to {programme.name} as {Role(form.role.data).label}."]
        if added.kept_name:
            words.append(
                f"{added.email} is already {added.kept_name}'s address, so their name stays "
                f"{added.kept_name}: change it on their page if it is wrong."
            )
        words.append(
            _sent_words(added.sent)
            if added.sent
            else "No email was sent: invite them from this list when you are ready."
        )
        flash(" ".join(words), "success")
        return _directory(slug)
    return render_template("people/new.html", programme=programme, form=form, role_hints=ROLE_HINTS)


@bp.route("/p/<slug>/people/<int:person_id>", methods=["GET", "POST"])
def edit(slug: str, person_id: int) -> str | Response:
    programme = _admin_only(slug)
    member = _member_or_404(programme, person_id)
    person = member.person
    has_account = person.user is not None
    form = EditPersonForm()
    form.set_choices(people.workstream_choices(programme, person))
    conflict: EditConflict | None = None
    if request.method == "GET":
        form.fill(member)
    done = attempt(
        form,
        lambda: people.edit_person(
            current_viewer(),
            programme,
            person,
            form.seen(),
            people.PersonChange(
                name=form.name.data or "",
                job_title=form.job_title.data or "",
                role=form.chosen_role,
                led_workstream_ids=form.led_ids,
                email=None if has_account else (form.email.data or ""),
            ),
        ),
    )
    if done.saved:
        edited = done.result
        if edited.removed:
            flash(f"Removed {edited.name} from {programme.name}.", "success")
        else:
            flash(f"Saved {edited.name}'s details.", "success")
        return _directory(slug)
    conflict = done.conflict
    if has_account:
        form.email.data = person.email  # shown, never changed here
    return render_template(
        "people/edit.html",
        programme=programme,
        member=member,
        form=form,
        conflict=conflict,
        has_account=has_account,
        own=current_viewer().person_id == person.id,
        invitations=people.history(programme, person),
        role_hints=ROLE_HINTS,
    )


# --- invitations ---------------------------------------------------------------------------


@bp.post("/p/<slug>/people/<int:person_id>/invite")
def invite(slug: str, person_id: int) -> Response:
    programme = _admin_only(slug)
    member = _member_or_404(programme, person_id)
    name = member.person.name
    try:
        sent = invitations.invite(current_viewer(), programme, person_id)
    except ChangeRefused as refused:
        flash_refusal(refused, f"{name}'s invitation")
    else:
        flash(_sent_words(sent), "success")
    return _back(slug)


def _invitation_or_404(programme: Programme, invitation_id: int) -> str:
    """The invited person's name, when the invitation is this programme's."""
    invitation = invitations.invitation_in(programme, invitation_id)
    if invitation is None:
        abort(404, description=f"{programme.name} has no such invitation.")
    return invitation.person.name


@bp.post("/p/<slug>/invitations/<int:invitation_id>/resend")
def resend(slug: str, invitation_id: int) -> Response:
    programme = _admin_only(slug)
    name = _invitation_or_404(programme, invitation_id)
    try:
        sent = invitations.resend(current_viewer(), programme, invitation_id)
    except ChangeRefused as refused:
        flash_refusal(refused, f"{name}'s invitation")
    else:
        flash(f"{_sent_words(sent)} The link in the earlier email no longer works.", "success")
    return _back(slug)


@bp.post("/p/<slug>/invitations/<int:invitation_id>/revoke")
def revoke(slug: str, invitation_id: int) -> Response:
    programme = _admin_only(slug)
    name = _invitation_or_404(programme, invitation_id)
    try:
        invitations.revoke(current_viewer(), programme, invitation_id)
    except ChangeRefused as refused:
        flash_refusal(refused, f"{name}'s invitation")
    else:
        flash(f"Revoked {name}'s invitation: its link no longer works.", "success")
    return _back(slug)


# --- accepting one (public) ----------------------------------------------------------------


def _no_store(body: str, status: int = 200) -> Response:
    """The page holds a live link's details: no cache keeps it."""
    response = current_app.make_response((body, status))
    response.headers["Cache-Control"] = "no-store"
    return response


def _invalid() -> Response:
    return _no_store(render_template("people/invitation_invalid.html"), 404)


@bp.route("/invitations/<token>", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["SIGN_IN_RATE_LIMIT"])
def accept_invitation(token: str) -> Response:
    found = invitations.open_invitation(token)
    if found is None:
        return _invalid()
    form = AcceptInvitationForm()
    try:
        done = attempt(
            form,
            lambda: invitations.accept(
                token, form.password.data or "", form.password_again.data or ""
            ),
        )
    except InvitationInvalid:
        return _invalid()
    if done.saved:
        accepted = done.result
        start_session(accepted.user)
        flash(
            f"Your password is set and you are signed in. Welcome to {accepted.programme_name}.",
            "success",
        )
        return redirect(url_for("dashboard.show", slug=accepted.programme_slug))
    other = current_user.email if current_user.is_authenticated else None
    return _no_store(
        render_template(
            "people/accept.html",
            invitation=found,
            form=form,
            signed_in_as=other if other != found.email else None,
        )
    )


@bp.errorhandler(RateLimitExceeded)
def too_many_attempts(error: RateLimitExceeded) -> tuple[str, int]:
    return render_template("people/invitation_invalid.html", too_many=TOO_MANY), 429

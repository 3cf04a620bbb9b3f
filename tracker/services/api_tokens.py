"""Personal API tokens: made in the app or with `flask users token`, used as
`Authorization: Bearer tt_...`, revoked when no longer needed.

Only a SHA-256 digest of each token is stored, so a copy of the database does not give
anyone a way in; the token itself is shown once, when it is made. A token is long and
random (256 bits), so a fast hash is enough: nothing is gained by guessing.

The changes are units of work (tracker/services/unit_of_work.py) taking the acting person
first: make_token (your own, or as an admin anyone's: the CLI), revoke_token and
revoke_token_by_prefix (your own, or as an admin anyone's), and use_token (the API's sign-in
by token, which writes when it was last used). create_token, revoke and authenticate are
their building blocks and leave the commit to the caller.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import abort
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from tracker.domain import permissions
from tracker.domain.permissions import Viewer
from tracker.domain.text import strip_bidi
from tracker.domain.validation import FieldError, ValidationError, check_title, raise_if
from tracker.extensions import db
from tracker.models import ApiToken, Person, User
from tracker.models.base import utcnow
from tracker.services import accounts
from tracker.services.unit_of_work import allow, unit_of_work

TOKEN_START = "tt_"  # noqa: S105  # not a secret: so a leaked token is recognisable (and secret scanners can find it)
PREFIX_LENGTH = 10  # "tt_" and 7 characters: shown on the page to tell tokens apart
MAX_NAME_LENGTH = 100
MAX_TOKEN_LENGTH = 100  # a token is 46 characters; anything much longer is not one
# last_used_at is a hint for people tidying up their tokens, not a log: writing it at most
# once a minute spares a database write on every API call.
LAST_USED_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class NewToken:
    """A token just made: the record, and the secret to show once."""

    record: ApiToken
    secret: str


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def check_name(name: str | None) -> list[FieldError]:
    name = (name or "").strip()
    if not name:
        return [FieldError("name", "Enter a name for the token, like 'Power BI refresh'")]
    return check_title("name", name, "token's name", MAX_NAME_LENGTH)


def create_token(user: User, name: str | None) -> NewToken:
    """A new token for `user`; the caller commits, then shows `secret` once."""
    name = strip_bidi(name)
    raise_if(check_name(name), entity="API token")
    secret = TOKEN_START + secrets.token_urlsafe(32)
    record = ApiToken(
        user_id=user.id,
        user=user,
        name=(name or "").strip(),
        token_digest=digest(secret),
        prefix=secret[:PREFIX_LENGTH],
    )
    db.session.add(record)
    db.session.flush()
    return NewToken(record, secret)


def tokens_of(user: User) -> list[ApiToken]:
    """A user's tokens, newest first, revoked ones included (they show when it happened)."""
    return list(
        db.session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def live_tokens_of_others(user: User) -> list[ApiToken]:
    """Everyone else's tokens that still work, by owner: what an admin may revoke."""
    return list(
        db.session.scalars(
            select(ApiToken)
            .join(ApiToken.user)
            .join(User.person)
            .where(ApiToken.user_id != user.id, ApiToken.revoked_at.is_(None))
            .options(joinedload(ApiToken.user))
            .order_by(Person.name, ApiToken.created_at, ApiToken.id)
        )
    )


def token_by_id(token_id: int) -> ApiToken | None:
    return db.session.get(ApiToken, token_id)


def token_by_prefix(user: User, prefix: str) -> ApiToken:
    """The user's live token that starts with `prefix`, as the tokens page shows it."""
    shown = prefix.strip().rstrip("….")[:PREFIX_LENGTH]
    found = [
        t
        for t in tokens_of(user)
        if t.revoked_at is None and len(shown) > len(TOKEN_START) and t.prefix.startswith(shown)
    ]
    if len(found) != 1:
        problem = "no live API token" if not found else "several live API tokens"
        raise ValidationError(
            [FieldError("prefix", f"{user.email} has {problem} starting '{prefix}'")]
        )
    return found[0]


def revoke(token: ApiToken) -> None:
    """Stops the token working at once; revoking twice keeps the first time."""
    if token.revoked_at is None:
        token.revoked_at = utcnow()


def _live_token(secret: str | None) -> ApiToken | None:
    """The live token of an active user with this secret, or None.

    Looked up by digest: the database compares digests, never the secret itself, so the time
    taken tells an attacker nothing about how close a guess was; the final comparison is
    constant-time anyway.
    """
    if not secret or not secret.startswith(TOKEN_START) or len(secret) > MAX_TOKEN_LENGTH:
        return None
    wanted = digest(secret)
    token = db.session.scalar(
        select(ApiToken).where(ApiToken.token_digest == wanted).options(joinedload(ApiToken.user))
    )
    if token is None or not secrets.compare_digest(token.token_digest, wanted):
        return None
    if token.revoked_at is not None or not token.user.is_active:
        return None
    return token


def _last_use_due(token: ApiToken) -> bool:
    return token.last_used_at is None or utcnow() - token.last_used_at >= LAST_USED_EVERY


def authenticate(secret: str | None) -> User | None:
    """The active user whose live token this is, or None; notes its use in the session (at
    most once a minute) for the caller to commit. The API signs in with use_token."""
    token = _live_token(secret)
    if token is None:
        return None
    if _last_use_due(token):
        token.last_used_at = utcnow()
    return token.user


def use_token(secret: str | None) -> User | None:
    """The API's sign-in: the active user whose live token this is, or None. When the token
    was last used is saved at once (its own unit of work, kept even if the request then
    fails), at most once a minute, so most calls write nothing."""
    token = _live_token(secret)
    if token is None:
        return None
    if _last_use_due(token):
        _record_use(token)
    return token.user


@unit_of_work
def _record_use(token: ApiToken) -> None:
    token.last_used_at = utcnow()


# --- Changes: one unit of work each ----------------------------------------------------


@unit_of_work
def make_token(actor: Viewer, name: str | None, *, owner: User | str | None = None) -> NewToken:
    """A new token, shown once: the acting person's own, or (an admin: the CLI) that of
    `owner`, an account or its email address. Never for a deactivated account."""
    user = accounts.own_account(actor) if owner is None else accounts.resolve_account(owner)
    allow(
        permissions.can_manage_token(actor, user.person_id),
        "Only the account's owner or an admin makes its API tokens.",
    )
    if not user.is_active:
        raise ValidationError(
            [FieldError("email", f"{user.email} is deactivated: reactivate the account first")]
        )
    return create_token(user, name)


NOT_YOURS = "Only its owner or an admin may revoke a token."


@unit_of_work
def revoke_token(actor: Viewer, token_id: int) -> ApiToken:
    """Revoke a token by its id (the tokens page): 404 when there is none."""
    token = token_by_id(token_id)
    if token is None:
        abort(404, description="There is no such API token.")
    allow(permissions.can_manage_token(actor, token.user.person_id), NOT_YOURS)
    revoke(token)
    return token


@unit_of_work
def revoke_token_by_prefix(actor: Viewer, owner: User | str, prefix: str) -> ApiToken:
    """Revoke the owner's live token that starts with `prefix` (`flask users revoke-token`);
    `owner` is an account or its email address."""
    token = token_by_prefix(accounts.resolve_account(owner), prefix)
    allow(permissions.can_manage_token(actor, token.user.person_id), NOT_YOURS)
    revoke(token)
    return token

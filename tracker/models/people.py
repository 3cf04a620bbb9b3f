"""People (who owns and leads things) and users (who can sign in)."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.domain.terms import Role
from tracker.domain.validation import FieldError, check_email, check_role
from tracker.models.base import Base, Timestamps, UTCDateTime

if TYPE_CHECKING:
    from tracker.models.programme import Programme


class Person(Timestamps, Base):
    """Someone named in a plan: a lead director, a milestone owner, a board member."""

    __tablename__ = "person"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    job_title: Mapped[str] = mapped_column(String(200), default="")
    directorate: Mapped[str] = mapped_column(String(120), default="")
    # Stored lower-case so sign-in and seeding match however people type it.
    email: Mapped[str] = mapped_column(String(254), unique=True)

    user: Mapped[User | None] = relationship(back_populates="person")
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="person", cascade="all, delete-orphan", passive_deletes=True
    )

    def __repr__(self) -> str:
        return f"<Person {self.email}>"

    @property
    def audit_label(self) -> str:
        return self.name

    def validate(self) -> list[FieldError]:
        errors = []
        if not self.name or not self.name.strip():
            errors.append(FieldError("name", "Enter the person's name"))
        address = check_email(self.email)  # the one rule (email-validator), whoever saves it
        if address:
            errors += address
        elif self.email != self.email.strip().lower():
            errors.append(FieldError("email", "Store email addresses in lower case"))
        return errors


class Membership(Timestamps, Base):
    """A person's place in one programme: their role there (tracker/domain/permissions.py).
    Someone with no membership of a programme does not see it."""

    __tablename__ = "membership"
    __table_args__ = (
        UniqueConstraint("person_id", "programme_id"),
        CheckConstraint(f"role IN {tuple(r.value for r in Role)}", name="role_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programme.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(10))
    # Optimistic locking for the people page's role form (services/memberships.py).
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    person: Mapped[Person] = relationship(back_populates="memberships")
    programme: Mapped[Programme] = relationship()

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Membership {self.person_id} {self.role} of {self.programme_id}>"

    @property
    def audit_label(self) -> str:
        return f"{self.person.name} ({self.role})" if self.person else f"membership {self.id}"

    def validate(self) -> list[FieldError]:
        return check_role(self.role)


class User(Timestamps, Base):
    """A sign-in identity for a person. What they may do is held per programme (Membership);
    an instance administrator also creates programmes and manages accounts."""

    __tablename__ = "user_account"  # "user" is reserved in PostgreSQL

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), unique=True)
    is_instance_admin: Mapped[bool] = mapped_column(default=False, server_default=false())
    # None means no usable password yet (set one with `flask users reset-password`).
    password_hash: Mapped[str | None] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(default=True)
    digest_opt_out: Mapped[bool] = mapped_column(default=False)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Counted up by signing out (and deactivating): every session cookie made before then
    # stops working, from any client (see get_id). Changed by an UPDATE statement, so it
    # neither moves `version` nor enters the audit trail.
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")
    # Optimistic locking for the account edit page (services/user_admin.py change_account).
    # Sign-ins and sign-outs change their columns with UPDATE statements, not through here.
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    person: Mapped[Person] = relationship(back_populates="user", lazy="joined")

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<User {self.person.email if self.person else self.id}>"

    @property
    def email(self) -> str:
        return self.person.email

    @property
    def name(self) -> str:
        return self.person.name

    # What Flask-Login asks of a user (`is_active` is the column above). Not UserMixin:
    # its __eq__ would make instances unhashable, which SQLAlchemy's identity map needs.
    is_authenticated = True
    is_anonymous = False

    def get_id(self) -> str:
        """The id in the session cookie, tied to the password and the session generation:
        changing or resetting the password signs the account out everywhere else, and
        signing out (or deactivation) ends every session made before it."""
        return f"{self.id}.{self.session_token}"

    @property
    def session_token(self) -> str:
        material = f"{self.password_hash or ''}:{self.session_generation or 0}"
        return hashlib.sha256(material.encode()).hexdigest()[:16]

    @property
    def audit_label(self) -> str:
        return self.person.name if self.person else f"user {self.id}"

    @property
    def access(self) -> str:
        """How the account is described in lists: "instance administrator" or "member"."""
        return "instance administrator" if self.is_instance_admin else "member"

"""Emailing an issued board pack to the programme's board: each board member gets the PDF
once per issue, through the digest's mail path (digest_delivery.relay and .message).

Exactly once, as the digest's ledger does it (tracker/services/digest_ledger.py):

1. Each member's delivery is *claimed* before anything is sent: a `board_pack_delivery` row,
   unique per (pack, person), inserted and committed in its own unit of work. An admin
   pressing "Send" twice at once, or on two servers, loses the insert and skips that person.
2. After the relay accepts the message the row gets `sent_at`; when the relay refuses it or
   fails, `error`. A later send takes over a failed row with a compare-and-set UPDATE (only
   if nobody else took it first), so only those not sent are sent again.
3. A claim left by a request that died mid-send is retried after digest_ledger.STALE_CLAIM.
4. When the relay cannot be reached at all, every member still due gets a failed row (one
   unit of work) saying so, so the page shows who has not had it and the next send retries
   them.

So send_to_board is not one unit of work but a sequence of them (claim, then record_sent or
record_failed, per member). Who is sent it: members of the programme with the board role
whose account is active. The weekly digest's opt-out does not apply: it stops the weekly
mailing, not the paper for the board's own meeting, which an admin sends on purpose, once.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass, field
from datetime import date
from email.message import EmailMessage
from typing import Any

from flask import current_app
from markupsafe import Markup
from sqlalchemy import CursorResult, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from tracker.domain import permissions
from tracker.domain.permissions import Viewer
from tracker.domain.terms import Role
from tracker.extensions import db
from tracker.formatting import long_date
from tracker.models import BoardPackDelivery, IssuedPack, Membership, Person, Programme, User
from tracker.models.base import utcnow
from tracker.services.digest_content import Recipient, RenderedDigest
from tracker.services.digest_delivery import (
    RelayUnavailable,
    failure_words,
    message,
    relay,
    relay_gone,
)
from tracker.services.digest_ledger import STALE_CLAIM
from tracker.services.unit_of_work import allow, unit_of_work

ONLY_ADMINS = "Only the programme's admins send its board pack to the board."


@dataclass(frozen=True)
class BoardMember:
    person_id: int
    user_id: int
    name: str
    email: str


@dataclass
class SendReport:
    """What one press of "Send to the board" did."""

    sent: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # sent before, or being sent now
    failed: list[tuple[str, str]] = field(default_factory=list)  # (email, error)
    error: str | None = None  # the relay could not be used at all

    def summary(self) -> str:
        """The outcome in one sentence, for the page's message."""
        words = (
            f"Sent to {len(self.sent)} board member{'' if len(self.sent) == 1 else 's'}; "
            f"{len(self.skipped)} had it already; {len(self.failed)} failed."
        )
        return f"{words} {self.error}" if self.error else words


@dataclass(frozen=True)
class PackMail:
    """What the message needs of the pack, read once: every claim commits, and a commit
    would otherwise read the pack (and its PDF) again."""

    pack_id: int
    title: str
    board_date: date
    position_at: date
    marking: str
    pdf: bytes
    slug: str
    programme: str

    @property
    def filename(self) -> str:
        return f"{self.slug}-board-pack-{self.board_date.isoformat()}.pdf"


def board_members(programme: Programme) -> list[BoardMember]:
    """The programme's board members with an active account, by name."""
    rows = db.session.execute(
        select(Person.id, User.id, Person.name, Person.email)
        .join(User, User.person_id == Person.id)
        .join(Membership, Membership.person_id == Person.id)
        .where(
            Membership.programme_id == programme.id,
            Membership.role == Role.BOARD.value,
            User.is_active.is_(True),
        )
        .order_by(Person.name, Person.id)
    )
    return [BoardMember(*row) for row in rows]


def sent_to(pack: IssuedPack) -> set[int]:
    """The people (ids) the pack has been sent to."""
    return set(
        db.session.scalars(
            select(BoardPackDelivery.person_id).where(
                BoardPackDelivery.issued_pack_id == pack.id,
                BoardPackDelivery.sent_at.is_not(None),
            )
        )
    )


@dataclass(frozen=True)
class Counts:
    sent: int = 0
    failed: int = 0


def delivery_counts(programme: Programme) -> dict[int, Counts]:
    """How many board members each issued pack was sent to, and how many failed, by pack
    id (packs never sent are left out)."""
    rows = db.session.execute(
        select(
            BoardPackDelivery.issued_pack_id,
            func.count(BoardPackDelivery.sent_at),
            func.count(BoardPackDelivery.error),
        )
        .join(IssuedPack, IssuedPack.id == BoardPackDelivery.issued_pack_id)
        .where(IssuedPack.programme_id == programme.id)
        .group_by(BoardPackDelivery.issued_pack_id)
    )
    return {pack_id: Counts(sent, failed) for pack_id, sent, failed in rows}


def send_to_board(actor: Viewer, programme: Programme, pack: IssuedPack) -> SendReport:
    """Email the issued pack to every board member who has not had it yet; what was done.

    Programme admins only (NotAllowed for anyone else, before anything is read or sent)."""
    allow(permissions.can_administer_programme(actor, programme.id), ONLY_ADMINS)
    assert pack.programme_id == programme.id, "the route found the pack in this programme"
    report = SendReport()
    mail = PackMail(
        pack.id,
        pack.title,
        pack.board_date,
        pack.position_at,
        pack.protective_marking,
        pack.pdf,
        programme.slug,
        programme.name,
    )
    already = sent_to(pack)
    members = board_members(programme)
    due = [m for m in members if m.person_id not in already]
    report.skipped.extend(m.email for m in members if m.person_id in already)
    if not due:
        return report
    done = 0  # members whose outcome is recorded
    try:
        with relay() as smtp:
            for member in due:
                done += 1  # recorded by _send_one, even when it finds the relay gone
                _send_one(smtp, mail, member, report)
    except RelayUnavailable as exc:
        report.error = str(exc)
        waiting = due[done:]
        if waiting:
            record_unreachable(mail.pack_id, waiting, report.error)
            report.failed.extend((m.email, report.error) for m in waiting)
    return report


def _send_one(smtp: smtplib.SMTP, mail: PackMail, member: BoardMember, report: SendReport) -> None:
    if not claim(mail.pack_id, member):
        report.skipped.append(member.email)
        return
    msg = _message(mail, member)
    try:
        refused = smtp.send_message(msg)
        if refused:
            raise smtplib.SMTPRecipientsRefused(refused)
    except (smtplib.SMTPException, OSError) as exc:
        error = failure_words(exc)
        record_failed(mail.pack_id, member.person_id, error)
        report.failed.append((member.email, error))
        if relay_gone(exc):
            raise RelayUnavailable(f"the mail relay went away: {error}") from exc
        return
    record_sent(mail.pack_id, member.person_id)
    report.sent.append(member.email)


def _message(mail: PackMail, member: BoardMember) -> EmailMessage:
    base = str(current_app.config["APP_BASE_URL"]).rstrip("/")
    link = f"{base}/p/{mail.slug}/board-packs"
    subject = f"Board pack: {mail.title}"
    lines = [
        f"{mail.title} ({mail.marking})",
        "",
        f"Programme: {mail.programme}",
        f"Position at: {long_date(mail.position_at)}",
        f"Board: {long_date(mail.board_date)}",
        "",
        f"The pack is attached as a PDF ({mail.filename}), exactly as issued.",
        f"Every issued pack: {link}",
    ]
    html = Markup(
        "<h1>{title}</h1><p>{marking}</p><table>"
        "<tr><th scope='row'>Programme</th><td>{programme}</td></tr>"
        "<tr><th scope='row'>Position at</th><td>{position}</td></tr>"
        "<tr><th scope='row'>Board</th><td>{board}</td></tr></table>"
        "<p>The pack is attached as a PDF ({filename}), exactly as issued. "
        "<a href='{link}'>Every issued pack</a>.</p>"
    ).format(
        title=mail.title,
        marking=mail.marking,
        programme=mail.programme,
        position=long_date(mail.position_at),
        board=long_date(mail.board_date),
        filename=mail.filename,
        link=link,
    )
    msg = message(
        RenderedDigest(subject=subject, html=str(html), text="\n".join(lines) + "\n"),
        Recipient(member.user_id, member.name, member.email, Role.BOARD.value, ()),
    )
    msg.add_attachment(mail.pdf, maintype="application", subtype="pdf", filename=mail.filename)
    return msg


# The ledger: each write its own unit of work, committed when it returns ------------------


@unit_of_work
def claim(pack_id: int, member: BoardMember) -> bool:
    """Claim the member's delivery of the pack; True if claimed (send it now), False if it
    was sent before or someone is sending it. Committed before anything is sent."""
    now = utcnow()
    try:
        with db.session.begin_nested():
            db.session.execute(
                insert(BoardPackDelivery).values(
                    issued_pack_id=pack_id,
                    person_id=member.person_id,
                    email=member.email,
                    claimed_at=now,
                )
            )
        return True
    except IntegrityError:
        pass  # claimed before: sent, failed, or being sent by another request
    existing = db.session.execute(
        select(BoardPackDelivery.id, BoardPackDelivery.claimed_at).where(
            BoardPackDelivery.issued_pack_id == pack_id,
            BoardPackDelivery.person_id == member.person_id,
            BoardPackDelivery.sent_at.is_(None),
            BoardPackDelivery.error.is_not(None)
            | (BoardPackDelivery.claimed_at < now - STALE_CLAIM),
        )
    ).first()
    if existing is None:
        return False
    taken: CursorResult[Any] = db.session.execute(  # type: ignore[assignment]
        update(BoardPackDelivery)
        .where(
            BoardPackDelivery.id == existing.id,
            BoardPackDelivery.claimed_at == existing.claimed_at,
            BoardPackDelivery.sent_at.is_(None),
        )
        .values(claimed_at=now, error=None, email=member.email)
    )
    return taken.rowcount == 1


def _record(pack_id: int, person_id: int, **values: Any) -> None:
    db.session.execute(
        update(BoardPackDelivery)
        .where(
            BoardPackDelivery.issued_pack_id == pack_id,
            BoardPackDelivery.person_id == person_id,
        )
        .values(**values)
    )


@unit_of_work
def record_sent(pack_id: int, person_id: int) -> None:
    """The relay accepted the claimed message."""
    _record(pack_id, person_id, sent_at=utcnow(), error=None)


@unit_of_work
def record_failed(pack_id: int, person_id: int, error: str) -> None:
    """The relay refused the claimed message, or failed; the next send retries it."""
    _record(pack_id, person_id, error=error)


@unit_of_work
def record_unreachable(pack_id: int, members: list[BoardMember], error: str) -> None:
    """The relay could not be used: each member still due is recorded as failed (a new row,
    or the failed one's error), so the next send retries them. A row someone is sending, or
    has sent, is left alone."""
    now = utcnow()
    for member in members:
        try:
            with db.session.begin_nested():
                db.session.execute(
                    insert(BoardPackDelivery).values(
                        issued_pack_id=pack_id,
                        person_id=member.person_id,
                        email=member.email,
                        claimed_at=now,
                        error=error,
                    )
                )
        except IntegrityError:
            db.session.execute(
                update(BoardPackDelivery)
                .where(
                    BoardPackDelivery.issued_pack_id == pack_id,
                    BoardPackDelivery.person_id == member.person_id,
                    BoardPackDelivery.sent_at.is_(None),
                    BoardPackDelivery.error.is_not(None),
                )
                .values(error=error)
            )

"""The weekly digest: who gets it, what it says, and sending it exactly once per person.

Exactly once, even with cron on two servers and a relay that hiccups:

1. Each recipient's delivery is *claimed* in the ledger before anything is sent: a row
   unique per (programme, week, recipient), inserted as "sending" and committed. A second run
   inserting the same row waits for the first's commit and then fails the unique constraint,
   so it skips that person.
2. After the relay accepts the message the row becomes "sent" with its Message-ID; if the
   relay refuses or fails, "failed" with the error. A later run takes over a failed row with
   a compare-and-set UPDATE (only if nobody else changed it first), so it is retried once.
3. A row left "sending" by a run that died mid-send is retried after STALE_CLAIM: without
   that it would never be sent; the rare cost is a duplicate when the relay had in fact
   accepted the message just before the crash.
"""

from __future__ import annotations

import smtplib
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid
from typing import Any

import css_inline
from flask import current_app, render_template, url_for
from sqlalchemy import CursorResult, insert, select, update
from sqlalchemy.exc import IntegrityError

from tracker import clock
from tracker.domain.digest import Digest, for_recipient, iso_week_label, programme_digest, snapshot
from tracker.domain.my_work import week_start as monday_of
from tracker.domain.terms import Role
from tracker.extensions import db
from tracker.models import (
    DigestDelivery,
    DigestRun,
    DigestSnapshot,
    Milestone,
    Person,
    Programme,
    Risk,
    User,
    Workstream,
    WorkstreamLead,
)
from tracker.models.base import utcnow
from tracker.services import board
from tracker.services.schedule import programme_schedule

STALE_CLAIM = timedelta(hours=1)


@dataclass(frozen=True)
class Recipient:
    user_id: int
    name: str
    email: str
    role: str
    my_workstreams: tuple[str, ...] = ()


def as_at(week_start: date) -> date:
    """The day the digest reports: today for this week, else that week's Monday."""
    today = clock.today()
    return today if monday_of(today) == week_start else week_start


def recipients(programme: Programme, only: str | None = None) -> list[Recipient]:
    """Every active account that has not opted out: admins and board members for every
    programme, leads for the programmes where they lead a workstream or own a milestone."""
    led: dict[int, list[str]] = {}
    for person_id, code in db.session.execute(
        select(WorkstreamLead.person_id, Workstream.code)
        .join(Workstream, Workstream.id == WorkstreamLead.workstream_id)
        .where(Workstream.programme_id == programme.id)
        .order_by(Workstream.display_order, Workstream.code)
    ):
        led.setdefault(person_id, []).append(code)
    owners = set(
        db.session.scalars(
            select(Milestone.owner_id).where(Milestone.programme_id == programme.id).distinct()
        )
    )
    query = (
        select(User.id, User.role, Person.id, Person.name, Person.email)
        .join(Person, Person.id == User.person_id)
        .where(User.is_active.is_(True), User.digest_opt_out.is_(False))
        .order_by(Person.name)
    )
    if only:
        query = query.where(Person.email == only.strip().lower())
    found = []
    for user_id, role, person_id, name, email in db.session.execute(query):
        if role == Role.LEAD and person_id not in led and person_id not in owners:
            continue
        found.append(Recipient(user_id, name, email, role, tuple(led.get(person_id, ()))))
    return found


def previous_snapshot(programme: Programme, week_start: date) -> dict[str, Any] | None:
    return db.session.scalar(
        select(DigestSnapshot.data)
        .where(DigestSnapshot.programme_id == programme.id, DigestSnapshot.week_start < week_start)
        .order_by(DigestSnapshot.week_start.desc())
        .limit(1)
    )


@dataclass
class ProgrammeWeek:
    """The programme's digest for a week, before personalising, and what it leaves behind."""

    digest: Digest
    snapshot: dict[str, Any]
    # Each digest has a few hundred links, the same for every recipient: built once a run.
    links: dict[tuple[Any, ...], str] = field(default_factory=dict)


def programme_week(programme: Programme, week_start: date) -> ProgrammeWeek | None:
    """None when the programme has no milestones yet."""
    day = as_at(week_start)
    schedule = programme_schedule(programme, today=day)
    if schedule is None:
        return None
    workstreams = board.workstreams(programme)
    code_of = {ws.id: ws.code for ws in workstreams}
    reported = {
        code_of[ws_id]: h.rag for ws_id, h in board.latest_highlights(programme, day).items()
    }
    last_week = {
        code_of[ws_id]: h.rag
        for ws_id, h in board.latest_highlights(programme, week_start - timedelta(days=1)).items()
    }
    risks = board.risk_lines(programme, day)
    raised = dict(
        db.session.execute(
            select(Risk.ref, Risk.raised_on).where(Risk.programme_id == programme.id)
        ).all()
    )
    digest = programme_digest(
        programme=programme.name,
        slug=programme.slug,
        week_start=week_start,
        forecast=schedule.forecast,
        baseline_label=schedule.baseline_label,
        workstreams=[(ws.code, ws.name) for ws in workstreams],
        reported_rags=reported,
        previous_reported_rags=last_week,
        risks=risks,
        risks_raised=raised,
        previous=previous_snapshot(programme, week_start),
    )
    return ProgrammeWeek(digest, snapshot(schedule.forecast, reported, risks))


@dataclass(frozen=True)
class RenderedDigest:
    subject: str
    html: str
    text: str


def render(digest: Digest, links: dict[tuple[Any, ...], str] | None = None) -> RenderedDigest:
    """The HTML part (CSS inlined, tables for layout: Outlook) and the plain-text part.

    Links are absolute, on APP_BASE_URL, so they work from a mail client. `links` caches
    them across recipients.
    """
    base = current_app.config["APP_BASE_URL"].rstrip("/")
    cache = {} if links is None else links
    with current_app.test_request_context(base_url=base):

        def link(endpoint: str, **values: Any) -> str:
            key = (endpoint, *sorted(values.items()))
            if key not in cache:
                cache[key] = url_for(endpoint, _external=True, **values)
            return cache[key]

        context = {"d": digest, "link": link, "week": iso_week_label(digest.week_start)}
        html = render_template("email/digest.html", **context)
        text = render_template("email/digest.txt", **context)
    return RenderedDigest(digest.subject, _inliner.inline(html), text)


# keep_style_tags: the block stays for the few clients that honour it; load_remote_stylesheets
# off: an email must never fetch anything.
_inliner = css_inline.CSSInliner(keep_style_tags=False, load_remote_stylesheets=False)


def message(rendered: RenderedDigest, recipient: Recipient) -> EmailMessage:
    config = current_app.config
    sender = config["MAIL_FROM"]
    msg = EmailMessage()
    msg["Subject"] = rendered.subject
    msg["From"] = formataddr(("Transition tracker", sender))
    msg["To"] = formataddr((recipient.name, recipient.email))
    msg["Date"] = format_datetime(utcnow())
    msg["Message-ID"] = make_msgid("digest", domain=sender.rpartition("@")[2] or None)
    # No out-of-office replies to a weekly mailing.
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(rendered.text)
    msg.add_alternative(rendered.html, subtype="html")
    return msg


def for_person(week: ProgrammeWeek, recipient: Recipient) -> RenderedDigest:
    return render(for_recipient(week.digest, recipient.name, recipient.my_workstreams), week.links)


# --- sending ------------------------------------------------------------------------------


class RelayUnavailable(Exception):
    """The mail relay could not be reached or refused the connection or login."""


@contextmanager
def relay() -> Iterator[smtplib.SMTP]:
    """A connection to the configured relay (SMTP_*), closed afterwards."""
    config = current_app.config
    host, port = config["SMTP_HOST"], int(config["SMTP_PORT"])
    try:
        smtp: smtplib.SMTP
        if config.get("SMTP_SSL"):
            smtp = smtplib.SMTP_SSL(host, port, timeout=30)
        else:
            smtp = smtplib.SMTP(host, port, timeout=30)
            if config.get("SMTP_STARTTLS"):
                smtp.starttls()
        if config.get("SMTP_USERNAME"):
            smtp.login(config["SMTP_USERNAME"], config.get("SMTP_PASSWORD") or "")
    except (OSError, smtplib.SMTPException) as exc:
        raise RelayUnavailable(f"cannot use the mail relay {host}:{port}: {exc}") from exc
    try:
        yield smtp
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()


@dataclass
class RunReport:
    programme: str
    week: str
    sent: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (email, why)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (email, error)
    error: str | None = None  # the run could not send at all
    nothing_to_report: bool = False  # a programme with no milestones yet: not a failure

    @property
    def ok(self) -> bool:
        return not self.failed and self.error is None

    def summary(self, dry_run: bool = False) -> str:
        counts = (
            f"{self.programme}, week {self.week}: {len(self.sent)} "
            f"{'would be sent' if dry_run else 'sent'}, {len(self.skipped)} skipped as already "
            f"sent, {len(self.failed)} failed."
        )
        return f"{counts} Stopped: {self.error}" if self.error else counts


def _claim(programme_id: int, week: date, recipient: Recipient, run_id: int) -> str | None:
    """Claim this person's delivery for this run; None if claimed, else why it is skipped."""
    now = utcnow()
    try:
        with db.session.begin_nested():
            db.session.execute(
                insert(DigestDelivery).values(
                    programme_id=programme_id,
                    week_start=week,
                    user_id=recipient.user_id,
                    email=recipient.email,
                    status="sending",
                    attempts=1,
                    claimed_at=now,
                    run_id=run_id,
                )
            )
        db.session.commit()
        return None
    except IntegrityError:
        pass
    existing = db.session.execute(
        select(DigestDelivery.id, DigestDelivery.status, DigestDelivery.attempts)
        .where(
            DigestDelivery.programme_id == programme_id,
            DigestDelivery.week_start == week,
            DigestDelivery.user_id == recipient.user_id,
        )
        .where(
            (DigestDelivery.status == "failed")
            | (
                (DigestDelivery.status == "sending")
                & (DigestDelivery.claimed_at < now - STALE_CLAIM)
            )
        )
    ).first()
    if existing is None:
        db.session.rollback()
        return "already sent, or being sent by another run"
    taken: CursorResult[Any] = db.session.execute(  # type: ignore[assignment]
        update(DigestDelivery)
        .where(
            DigestDelivery.id == existing.id,
            DigestDelivery.status == existing.status,
            DigestDelivery.attempts == existing.attempts,
        )
        .values(
            status="sending",
            attempts=existing.attempts + 1,
            claimed_at=now,
            run_id=run_id,
            email=recipient.email,
        )
    )
    db.session.commit()
    return None if taken.rowcount == 1 else "being sent by another run"


def _record(programme_id: int, week: date, recipient: Recipient, **values: Any) -> None:
    db.session.execute(
        update(DigestDelivery)
        .where(
            DigestDelivery.programme_id == programme_id,
            DigestDelivery.week_start == week,
            DigestDelivery.user_id == recipient.user_id,
        )
        .values(**values)
    )
    db.session.commit()


def _keep_snapshot(programme_id: int, week: date, data: dict[str, Any]) -> None:
    """The first run of the week leaves what it reported for next week's comparisons."""
    try:
        with db.session.begin_nested():
            db.session.add(DigestSnapshot(programme_id=programme_id, week_start=week, data=data))
        db.session.commit()
    except IntegrityError:
        db.session.rollback()


Progress = Callable[[str], None]


def send_week(
    programme: Programme,
    week: date,
    *,
    dry_run: bool = False,
    only: str | None = None,
    progress: Progress = lambda line: None,
) -> RunReport:
    """Send (or, dry, describe) the week's digest to everyone due one for this programme."""
    report = RunReport(programme.name, iso_week_label(week))
    people = recipients(programme, only)
    contents = programme_week(programme, week)
    if contents is None:
        report.nothing_to_report = True
        progress("  nothing to send: the programme has no milestones yet")
        return report
    if dry_run:
        delivered = dict(
            db.session.execute(
                select(DigestDelivery.user_id, DigestDelivery.status).where(
                    DigestDelivery.programme_id == programme.id, DigestDelivery.week_start == week
                )
            ).all()
        )
        for person in people:
            if delivered.get(person.user_id) == "sent":
                report.skipped.append((person.email, "already sent"))
                progress(f"  would skip  {person.email}: already sent")
                continue
            rendered = for_person(contents, person)
            report.sent.append(person.email)
            progress(f"  would send  {person.email} ({person.role}): {rendered.subject}")
        return report

    run = DigestRun(programme_id=programme.id, week_start=week, host=socket.gethostname())
    db.session.add(run)
    db.session.commit()
    try:
        with relay() as smtp:
            _keep_snapshot(programme.id, week, contents.snapshot)
            for person in people:
                _send_one(smtp, programme, week, contents, person, run, report, progress)
    except RelayUnavailable as exc:
        report.error = str(exc)
    run.sent, run.skipped, run.failed = len(report.sent), len(report.skipped), len(report.failed)
    run.error = report.error
    run.finished_at = utcnow()
    db.session.commit()
    return report


def _send_one(
    smtp: smtplib.SMTP,
    programme: Programme,
    week: date,
    contents: ProgrammeWeek,
    person: Recipient,
    run: DigestRun,
    report: RunReport,
    progress: Progress,
) -> None:
    rendered = for_person(contents, person)
    why = _claim(programme.id, week, person, run.id)
    if why is not None:
        report.skipped.append((person.email, why))
        progress(f"  skipped  {person.email}: {why}")
        return
    msg = message(rendered, person)
    try:
        refused = smtp.send_message(msg)
        if refused:
            raise smtplib.SMTPRecipientsRefused(refused)
    except (smtplib.SMTPException, OSError) as exc:
        error = _describe(exc)
        _record(programme.id, week, person, status="failed", last_error=error)
        report.failed.append((person.email, error))
        progress(f"  FAILED   {person.email}: {error}")
        if _relay_gone(exc):
            raise RelayUnavailable(f"the mail relay went away: {error}") from exc
        return
    _record(
        programme.id,
        week,
        person,
        status="sent",
        message_id=msg["Message-ID"],
        sent_at=utcnow(),
        last_error=None,
    )
    report.sent.append(person.email)
    progress(f"  sent     {person.email}")


def _relay_gone(exc: BaseException) -> bool:
    """Whether the relay itself failed (stop the run) rather than refused one message.

    Every smtplib error is an OSError, so the SMTP ones are told apart first.
    """
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return True
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code == 421  # "service not available, closing channel"
    return not isinstance(exc, smtplib.SMTPException)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(
            f"{who}: {code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"
            for who, (code, text) in exc.recipients.items()
        )
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error
        message = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
        return f"{exc.smtp_code} {message}"
    return f"{type(exc).__name__}: {exc}"

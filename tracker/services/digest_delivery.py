"""Sending the weekly digest: each person due it, once a week, through the mail relay.

send_week is what `flask --app wsgi digest send` runs for each programme. Who gets the digest
and what it says are tracker/services/digest_content.py's; the ledger that makes each person's
delivery happen exactly once, even with runs on two servers at once, is
tracker/services/digest_ledger.py. send_week is not one unit of work but a sequence of the
ledger's: the run recorded, then for each person a claim committed before the message goes
to the relay and the relay's answer committed as soon as it comes (the ledger's docstring
says why).
"""

from __future__ import annotations

import smtplib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid

from flask import current_app

from tracker.domain.digest import iso_week_label
from tracker.models import Programme
from tracker.models.base import utcnow
from tracker.services import digest_ledger as ledger
from tracker.services.digest_content import (
    ProgrammeWeek,
    Recipient,
    RenderedDigest,
    for_person,
    programme_week,
    recipients,
)


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
    programme_id = programme.id
    people = recipients(programme, only)
    contents = programme_week(programme, week)
    if contents is None:
        report.nothing_to_report = True
        progress("  nothing to send: the programme has no milestones yet")
        return report
    if dry_run:
        delivered = ledger.statuses(programme_id, week)
        for person in people:
            if delivered.get(person.user_id) == "sent":
                report.skipped.append((person.email, "already sent"))
                progress(f"  would skip  {person.email}: already sent")
                continue
            rendered = for_person(contents, person)
            report.sent.append(person.email)
            progress(f"  would send  {person.email} ({person.role}): {rendered.subject}")
        return report

    run_id = ledger.start_run(programme_id, week)
    try:
        with relay() as smtp:
            ledger.keep_snapshot(programme_id, week, contents.snapshot)
            for person in people:
                _send_one(smtp, programme_id, week, contents, person, run_id, report, progress)
    except RelayUnavailable as exc:
        report.error = str(exc)
    ledger.finish_run(
        run_id,
        sent=len(report.sent),
        skipped=len(report.skipped),
        failed=len(report.failed),
        error=report.error,
    )
    return report


def _send_one(
    smtp: smtplib.SMTP,
    programme_id: int,
    week: date,
    contents: ProgrammeWeek,
    person: Recipient,
    run_id: int,
    report: RunReport,
    progress: Progress,
) -> None:
    rendered = for_person(contents, person)
    why = ledger.claim(programme_id, week, person, run_id)
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
        error = failure_words(exc)
        ledger.record_failed(programme_id, week, person, error)
        report.failed.append((person.email, error))
        progress(f"  FAILED   {person.email}: {error}")
        if relay_gone(exc):
            raise RelayUnavailable(f"the mail relay went away: {error}") from exc
        return
    ledger.record_sent(programme_id, week, person, msg["Message-ID"])
    report.sent.append(person.email)
    progress(f"  sent     {person.email}")


def relay_gone(exc: BaseException) -> bool:
    """Whether the relay itself failed (stop the run) rather than refused one message.

    Every smtplib error is an OSError, so the SMTP ones are told apart first.
    """
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return True
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code == 421  # "service not available, closing channel"
    return not isinstance(exc, smtplib.SMTPException)


def failure_words(exc: BaseException) -> str:
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

"""A real SMTP server for tests: aiosmtpd on 127.0.0.1, on a free port.

It keeps every message it accepts, parsed, and can play a relay that refuses some
recipients (550) or one that is down (stopped: nothing listens on its port any more).

Use the `smtp_server` fixture, which also points the app's SMTP_* settings at it, by adding
``pytest_plugins = ["tests.mail"]`` to a test module; or `SmtpServer` directly as a context
manager, for an app of your own.
"""

from __future__ import annotations

import asyncio
import email
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from types import TracebackType
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask

REFUSAL = "550 5.1.1 Mailbox unavailable"
HANG_UP = "421 4.3.0 Relay shutting down"
SMTP_SETTINGS = ("SMTP_HOST", "SMTP_PORT", "SMTP_USERNAME", "SMTP_STARTTLS", "SMTP_SSL")


def free_port() -> int:
    """A port nothing listens on (aiosmtpd's Controller cannot take port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass(frozen=True)
class Received:
    """One message as the server got it: the envelope and the parsed message."""

    sender: str
    recipients: tuple[str, ...]
    message: EmailMessage


class Mailbox:
    """The aiosmtpd handler: refuses the recipients it is told to, keeps the rest."""

    def __init__(self, delay: float = 0.0) -> None:
        self.received: list[Received] = []
        self.refused: set[str] = set()
        self.delay = delay  # seconds per message, as a busy relay takes
        self.hang_up_after: int | None = None  # messages taken before it answers 421
        self._lock = threading.Lock()

    async def handle_RCPT(  # noqa: N802 (aiosmtpd's hook name)
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        with self._lock:
            refuse = address.lower() in self.refused
        if refuse:
            return REFUSAL
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if self.delay:
            await asyncio.sleep(self.delay)
        raw = envelope.original_content or envelope.content
        message = email.message_from_bytes(raw, policy=policy.default)
        assert isinstance(message, EmailMessage)
        with self._lock:
            if self.hang_up_after is not None and len(self.received) >= self.hang_up_after:
                return HANG_UP  # smtplib closes the connection on a 421
            self.received.append(Received(envelope.mail_from, tuple(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


class SmtpServer:
    """aiosmtpd on 127.0.0.1 and a free port, in a thread of its own."""

    host = "127.0.0.1"

    def __init__(self, delay: float = 0.0) -> None:
        self.port = free_port()
        self.mailbox = Mailbox(delay)
        self._controller: Controller | None = None
        self._holder: socket.socket | None = None

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def start(self) -> SmtpServer:
        assert self._controller is None, "already running"
        self._release_port()
        # server_hostname: without it aiosmtpd asks for the machine's FQDN, slow offline.
        self._controller = Controller(
            self.mailbox,
            hostname=self.host,
            port=self.port,
            server_hostname="relay.test",
            ready_timeout=10,
        )
        self._controller.start()
        return self

    def stop(self) -> None:
        """Stops listening: from now on the relay is down (connections are refused).

        The port stays bound, without listening, so that no other test's server can take it
        and answer in this one's place."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
            holder = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                holder.bind((self.host, self.port))
            except OSError:
                holder.close()
            else:
                self._holder = holder

    def close(self) -> None:
        self.stop()
        self._release_port()

    def _release_port(self) -> None:
        if self._holder is not None:
            self._holder.close()
            self._holder = None

    @property
    def running(self) -> bool:
        return self._controller is not None

    def __enter__(self) -> SmtpServer:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # --- what it does with recipients

    def refuse(self, *addresses: str) -> None:
        """Answer RCPT TO for these addresses with 550."""
        with self.mailbox._lock:
            self.mailbox.refused.update(a.lower() for a in addresses)

    def accept_all(self) -> None:
        """Take every recipient and every message again."""
        with self.mailbox._lock:
            self.mailbox.refused.clear()
            self.mailbox.hang_up_after = None

    def hang_up_after(self, messages: int) -> None:
        """Take this many more messages, then answer each one with 421 and hang up."""
        with self.mailbox._lock:
            self.mailbox.hang_up_after = len(self.mailbox.received) + messages

    # --- what it received

    @property
    def received(self) -> list[Received]:
        with self.mailbox._lock:
            return list(self.mailbox.received)

    @property
    def messages(self) -> list[EmailMessage]:
        return [r.message for r in self.received]

    def recipients(self) -> list[str]:
        """Every envelope recipient of every message, in order (repeats kept)."""
        return [to.lower() for r in self.received for to in r.recipients]

    def to(self, address: str) -> list[EmailMessage]:
        """The messages whose envelope included `address`."""
        address = address.lower()
        return [r.message for r in self.received if address in (t.lower() for t in r.recipients)]

    def one_to(self, address: str) -> EmailMessage:
        found = self.to(address)
        assert len(found) == 1, f"{len(found)} messages to {address}"
        return found[0]

    def clear(self) -> None:
        with self.mailbox._lock:
            self.mailbox.received.clear()


def point_app_at(app: Flask, server: SmtpServer) -> dict[str, Any]:
    """Send the app's mail to `server`, in plain SMTP; returns the settings it replaced."""
    saved = {name: app.config.get(name) for name in SMTP_SETTINGS}
    app.config.update(
        SMTP_HOST=server.host,
        SMTP_PORT=server.port,
        SMTP_USERNAME=None,
        SMTP_STARTTLS=False,
        SMTP_SSL=False,
    )
    return saved


@pytest.fixture()
def smtp_server(app: Flask) -> Iterator[SmtpServer]:
    """A running SMTP server, with the app's SMTP_HOST and SMTP_PORT pointed at it."""
    server = SmtpServer().start()
    saved = point_app_at(app, server)
    try:
        yield server
    finally:
        server.close()
        app.config.update(saved)

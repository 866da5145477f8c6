"""A real SMTP server on loopback for tests (aiosmtpd), recording the mail it accepts.

The server runs in a thread of the test process, so a test can point Django at it through the
`settings` fixture, or a worker process through `EMAIL_URL`. It can be told to refuse the next
messages with an SMTP reply, or to stall on the next ones so a client can be killed mid-send.
A message counts as received only when the server answered 250 to a client still connected:
that is the moment an SMTP sender may consider the mail delivered.
"""

import asyncio
import contextlib
import dataclasses
import socket
import threading
import time
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller

LOOPBACK = "127.0.0.1"


@dataclasses.dataclass(frozen=True)
class ReceivedMail:
    mail_from: str
    rcpt_tos: tuple[str, ...]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        return message_from_bytes(self.raw, policy=policy.default)

    @property
    def subject(self):
        return self.message["Subject"]

    @property
    def body(self):
        return self.message.get_body(preferencelist=("plain",)).get_content()


class RecordingHandler:
    """aiosmtpd handler: accepts, refuses or stalls each message as it has been told."""

    def __init__(self):
        self._lock = threading.Lock()
        self.received: list[ReceivedMail] = []
        # Refused with a 4xx/5xx reply, or abandoned by a client that went away mid-DATA.
        self.refused: list[ReceivedMail] = []
        self.abandoned: list[ReceivedMail] = []
        self._refusals: list[str] = []
        self._stalls: list[float] = []
        self.stalled = threading.Event()

    def refuse_next(self, count, reply="451 4.3.0 Mailbox temporarily unavailable"):
        with self._lock:
            self._refusals.extend([reply] * count)

    def stall_next(self, count=1, seconds=20.0):
        """Hold the next messages' DATA reply for `seconds`, or until the client goes away."""
        with self._lock:
            self._stalls.extend([seconds] * count)

    async def handle_DATA(self, server, session, envelope):
        mail = ReceivedMail(
            mail_from=envelope.mail_from,
            rcpt_tos=tuple(envelope.rcpt_tos),
            raw=bytes(envelope.original_content or envelope.content),
        )
        with self._lock:
            refusal = self._refusals.pop(0) if self._refusals else None
            stall = self._stalls.pop(0) if self._stalls and refusal is None else None
        if refusal:
            self._add(self.refused, mail)
            return refusal
        if stall is not None:
            self.stalled.set()
            try:
                stayed = await self._client_stays(server, stall)
            except asyncio.CancelledError:
                # aiosmtpd cancels the session when the peer closes the connection mid-DATA.
                self._add(self.abandoned, mail)
                raise
            if not stayed:
                self._add(self.abandoned, mail)
                return "451 4.4.2 Client went away"
        self._add(self.received, mail)
        return "250 2.0.0 OK: queued"

    @staticmethod
    async def _client_stays(server, seconds):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if server.transport is None or server.transport.is_closing():
                return False
            await asyncio.sleep(0.05)
        return True

    def _add(self, mailbox, mail):
        with self._lock:
            mailbox.append(mail)

    def to(self, address):
        """Messages accepted for this recipient."""
        with self._lock:
            return [mail for mail in self.received if address in mail.rcpt_tos]


class SMTPServer:
    def __init__(self, handler: RecordingHandler, port: int):
        self.handler = handler
        self.host = LOOPBACK
        self.port = port

    @property
    def email_url(self):
        return f"smtp://{self.host}:{self.port}"

    def use_in(self, settings):
        """Point this process's Django (the pytest-django `settings` fixture) at the server."""
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = self.host
        settings.EMAIL_PORT = self.port
        settings.EMAIL_HOST_USER = ""
        settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_USE_SSL = False

    def wait_for(self, predicate, timeout=30.0, message="the SMTP server"):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate(self.handler):
                return
            time.sleep(0.05)
        raise AssertionError(f"timed out after {timeout} s waiting for {message}")


def free_port():
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def running_smtp_server():
    """An SMTPServer on a free loopback port for the duration of the block."""
    handler = RecordingHandler()
    for _ in range(5):
        port = free_port()
        controller = Controller(handler, hostname=LOOPBACK, port=port)
        try:
            controller.start()
        except OSError:  # the port was taken between probing and binding
            continue
        break
    else:
        raise RuntimeError("no free port for the test SMTP server")
    try:
        yield SMTPServer(handler, port)
    finally:
        controller.stop()

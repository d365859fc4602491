"""Notifications: e-mail (SMTP) and a generic webhook (JSON POST), per portal.

Delivery never raises: each channel is tried a bounded number of times with growing pauses,
and what happened comes back as :class:`Delivery` values the service logs and stores. A mail
server that is down must not stop an audit, a probe or the service. Network errors are caught
here (not in :mod:`sitecheck.fetch.client`) because a notification is not an observation of the
audited site: it has no Outcome, only "delivered or not, and why".
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import smtplib
import socket
import ssl
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

import httpx2

from sitecheck import __version__
from sitecheck.config import NotifySection
from sitecheck.report.text import clean_line

log = logging.getLogger(__name__)

EVENTS = ("new_findings", "veto_risk", "home_down")
EVENT_LABELS = {
    "new_findings": "新发现问题",
    "veto_risk": "单项否决风险",
    "home_down": "首页无法访问",
}
WEBHOOK_SCHEMA = "sitecheck/notification"


@dataclass(frozen=True, slots=True)
class Notification:
    event: str  # one of EVENTS
    site: str
    start_url: str
    subject: str
    lines: tuple[str, ...]  # the message body, one line each
    at: str  # UTC ISO time of what is reported
    details: dict[str, Any] = field(default_factory=dict)  # machine-readable facts for the webhook

    def text(self) -> str:
        # Lines quote crawled URLs and texts: bidi and control characters are neutralised as
        # in every report, so a hostile page cannot reorder or forge the message's wording.
        return "\n".join(clean_line(line) for line in self.lines) + "\n"

    def payload(self) -> dict[str, Any]:
        return {
            "schema": WEBHOOK_SCHEMA,
            "schema_version": 1,
            "event": self.event,
            "event_label": EVENT_LABELS.get(self.event, self.event),
            "site": self.site,
            "start_url": self.start_url,
            "at": self.at,
            "subject": self.subject,
            "text": self.text(),
            "details": self.details,
        }


@dataclass(frozen=True, slots=True)
class Delivery:
    channel: str  # email, webhook
    ok: bool
    attempts: int
    error: str = ""


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Bounded retries: by default 4 attempts, 10 s, 40 s and 160 s apart, each cut off after 20 s
    (at most 4 min 50 s in all)."""

    attempts: int = 4
    first_delay: float = 10.0
    factor: float = 4.0
    # Seconds for one whole attempt (connect, send, answer), not per read: a receiver that
    # drips a byte every few seconds must not stretch 4 attempts past the promised 5 minutes.
    timeout: float = 20.0

    def delay(self, attempt: int) -> float:
        """Pause after failed attempt number ``attempt`` (1-based)."""
        return self.first_delay * self.factor ** (attempt - 1)


class Notifier:
    """Sends one portal's notifications to the channels its ``[notify]`` section names."""

    def __init__(self, settings: NotifySection, retry: RetryPolicy | None = None) -> None:
        self.settings = settings
        self.retry = retry or RetryPolicy()

    @property
    def channels(self) -> tuple[str, ...]:
        found: list[str] = []
        if self.settings.email_to and self.settings.smtp_host:
            found.append("email")
        if self.settings.webhook_url:
            found.append("webhook")
        return tuple(found)

    def wants(self, event: str) -> bool:
        return bool(self.channels) and event in self.settings.events

    async def send(self, notification: Notification) -> list[Delivery]:
        """Deliver on every channel (concurrently); never raises."""
        senders = {"email": self._email_once, "webhook": self._webhook_once}
        tasks = [self._with_retries(channel, senders[channel], notification) for channel in self.channels]
        return list(await asyncio.gather(*tasks))

    async def _with_retries(self, channel: str, once: Any, notification: Notification) -> Delivery:
        error = ""
        for attempt in range(1, self.retry.attempts + 1):
            try:
                error = await once(notification)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # a bug in a sender must not take the service down either
                log.exception("%s notification failed unexpectedly", channel)
                error = f"{type(exc).__name__}: {exc}"
            if not error:
                if attempt > 1:
                    log.info("%s notification delivered on attempt %d", channel, attempt)
                return Delivery(channel, True, attempt)
            if attempt < self.retry.attempts:
                wait = self.retry.delay(attempt)
                log.warning(
                    "%s notification (%s) failed: %s; retrying in %.0f s",
                    channel,
                    notification.event,
                    error,
                    wait,
                )
                await asyncio.sleep(wait)
        log.error(
            "%s notification (%s) not delivered after %d attempts: %s",
            channel,
            notification.event,
            self.retry.attempts,
            error,
        )
        return Delivery(channel, False, self.retry.attempts, error)

    # -- channels: each returns "" when delivered, else the reason ------------------------------
    async def _email_once(self, notification: Notification) -> str:
        # The thread enforces the deadline itself (_smtp_send); the outer bound only keeps the
        # attempt's end on time should the thread be stuck where no socket can be shut down.
        try:
            async with asyncio.timeout(self.retry.timeout + 5.0):
                return await asyncio.to_thread(self._smtp_send, self._email(notification))
        except TimeoutError:
            return f"timed out after {self.retry.timeout:g} s"

    def _email(self, notification: Notification) -> EmailMessage:
        message = EmailMessage()
        message["Subject"] = notification.subject
        message["From"] = self.settings.email_from
        message["To"] = ", ".join(self.settings.email_to)
        message["Date"] = formatdate(localtime=True)
        message["Message-ID"] = make_msgid(domain="sitecheck.local")
        message["X-Sitecheck-Event"] = notification.event
        message.set_content(notification.text())
        return message

    def _smtp_send(self, message: EmailMessage) -> str:
        settings = self.settings
        # smtplib's timeout bounds each socket operation only. A watchdog shuts the socket down
        # when the attempt's time is up, which wakes any read or write blocked on it.
        smtp = smtplib.SMTP(timeout=self.retry.timeout)
        expired = threading.Event()

        def expire() -> None:
            expired.set()
            sock = smtp.sock
            if sock is not None:
                with contextlib.suppress(OSError):  # closed meanwhile
                    sock.shutdown(socket.SHUT_RDWR)

        watchdog = threading.Timer(self.retry.timeout, expire)
        watchdog.daemon = True
        watchdog.start()
        try:
            with smtp:
                code, greeting = smtp.connect(settings.smtp_host, settings.smtp_port)
                if code != 220:  # what smtplib.SMTP(host, port) checks when it connects itself
                    raise smtplib.SMTPConnectError(code, greeting)
                if settings.smtp_starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if settings.smtp_user:
                    smtp.login(settings.smtp_user, settings.smtp_password)
                refused = smtp.send_message(message)
        except (smtplib.SMTPException, OSError, ValueError) as exc:
            if expired.is_set():
                return f"timed out after {self.retry.timeout:g} s"
            return f"{type(exc).__name__}: {exc}".strip()
        finally:
            watchdog.cancel()
        if refused:
            return "refused recipients: " + ", ".join(sorted(refused))
        return ""

    async def _webhook_once(self, notification: Notification) -> str:
        body = json.dumps(notification.payload(), ensure_ascii=False).encode("utf-8")
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": f"sitecheck/{__version__} (notification)",
        }
        try:
            # One deadline for the whole attempt: httpx's timeout is per read and per write.
            async with (
                asyncio.timeout(self.retry.timeout),
                httpx2.AsyncClient(timeout=self.retry.timeout, trust_env=False) as client,
            ):
                response = await client.post(self.settings.webhook_url, content=body, headers=headers)
        except TimeoutError:
            return f"timed out after {self.retry.timeout:g} s"
        except (httpx2.HTTPError, httpx2.InvalidURL, OSError) as exc:
            return f"{type(exc).__name__}: {exc}".strip()
        if not 200 <= response.status_code < 300:
            return f"HTTP {response.status_code}"
        return ""


def message_lines(header: str, items: Sequence[str], footer: Sequence[str] = ()) -> tuple[str, ...]:
    """A plain-text body: a header line, indented items, then footer lines."""
    return (header, *(f"  - {item}" for item in items), *footer)

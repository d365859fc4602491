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
from pathlib import Path
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
CHANNEL_LABELS = {"email": "邮件", "webhook": "网络回调（webhook）"}


@dataclass(frozen=True, slots=True)
class Notification:
    event: str  # one of EVENTS
    site: str
    start_url: str
    subject: str
    lines: tuple[str, ...]  # the message body, one line each
    at: str  # UTC ISO time of what is reported
    details: dict[str, Any] = field(default_factory=dict)  # machine-readable facts for the webhook
    # Files the e-mail carries (the checklist's HTML and XLSX): the people who must act on it
    # rarely have access to the machine the path in the text names. Missing files are skipped.
    attachments: tuple[Path, ...] = ()

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
            "attachments": [str(path) for path in self.attachments],
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
                log.exception("%s通知程序出错", CHANNEL_LABELS.get(channel, channel))
                error = f"程序错误（{type(exc).__name__}），详见服务日志"
            if not error:
                if attempt > 1:
                    log.info("%s通知第 %d 次尝试时送达", CHANNEL_LABELS.get(channel, channel), attempt)
                return Delivery(channel, True, attempt)
            if attempt < self.retry.attempts:
                wait = self.retry.delay(attempt)
                log.warning(
                    "%s通知（%s）未送达：%s；%.0f 秒后重试",
                    CHANNEL_LABELS.get(channel, channel),
                    EVENT_LABELS.get(notification.event, notification.event),
                    error,
                    wait,
                )
                await asyncio.sleep(wait)
        log.error(
            "%s通知（%s）尝试 %d 次仍未送达：%s",
            CHANNEL_LABELS.get(channel, channel),
            EVENT_LABELS.get(notification.event, notification.event),
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
            return f"超时（{self.retry.timeout:g} 秒）"

    def _email(self, notification: Notification) -> EmailMessage:
        message = EmailMessage()
        message["Subject"] = notification.subject
        message["From"] = self.settings.email_from
        message["To"] = ", ".join(self.settings.email_to)
        message["Date"] = formatdate(localtime=True)
        message["Message-ID"] = make_msgid(domain="sitecheck.local")
        message["X-Sitecheck-Event"] = notification.event
        message.set_content(notification.text())
        for path in notification.attachments:
            attach(message, path)
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
                return f"超时（{self.retry.timeout:g} 秒）"
            return failure_reason(exc)
        finally:
            watchdog.cancel()
        if refused:
            return "收件人被拒收：" + "，".join(sorted(refused))
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
            return f"超时（{self.retry.timeout:g} 秒）"
        except (httpx2.HTTPError, httpx2.InvalidURL, OSError) as exc:
            return failure_reason(exc)
        if not 200 <= response.status_code < 300:
            return f"接收方返回 HTTP {response.status_code}"
        return ""


def message_lines(header: str, items: Sequence[str], footer: Sequence[str] = ()) -> tuple[str, ...]:
    """A plain-text body: a header line, indented items, then footer lines."""
    return (header, *(f"  - {item}" for item in items), *footer)


def attach(message: EmailMessage, path: Path) -> None:
    """``path`` as an attachment of ``message``; nothing when the file is not there (no XLSX)."""
    try:
        data = path.read_bytes()
    except OSError:
        return
    if path.suffix == ".html":
        message.add_attachment(data, maintype="text", subtype="html", filename=path.name)
    elif path.suffix == ".xlsx":
        subtype = "vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        message.add_attachment(data, maintype="application", subtype=subtype, filename=path.name)
    else:
        message.add_attachment(data, maintype="application", subtype="octet-stream", filename=path.name)


# Why a delivery failed, in Chinese: the library's own text (English) would reach `status`.
_FAILURES: tuple[tuple[type[BaseException], str], ...] = (
    (smtplib.SMTPAuthenticationError, "发信服务器拒绝登录（用户名或密码不对）"),
    (smtplib.SMTPRecipientsRefused, "收件人被拒收"),
    (smtplib.SMTPSenderRefused, "发件人被拒绝"),
    (smtplib.SMTPServerDisconnected, "发信服务器断开了连接"),
    (smtplib.SMTPConnectError, "发信服务器拒绝连接"),
    (smtplib.SMTPNotSupportedError, "发信服务器不支持所需的功能（如 STARTTLS）"),
    (smtplib.SMTPException, "发信服务器返回错误"),
    (ssl.SSLError, "加密连接（TLS）失败"),
    (ConnectionRefusedError, "连接被拒绝（对方没有在该端口服务）"),
    (ConnectionResetError, "连接被对方中断"),
    (socket.gaierror, "主机名无法解析"),
    (TimeoutError, "超时"),
    (httpx2.ConnectError, "无法连接"),
    (httpx2.TimeoutException, "超时"),
    (httpx2.InvalidURL, "网址无效"),
    (httpx2.HTTPError, "请求失败"),
    (OSError, "网络错误"),
)


def failure_reason(exc: BaseException) -> str:
    """A delivery error as one Chinese phrase with the exception's class name to look it up."""
    for kind, text in _FAILURES:
        if isinstance(exc, kind):
            code = getattr(exc, "smtp_code", None)
            return f"{text}（{type(exc).__name__}{f' {code}' if code else ''}）"
    return f"发送失败（{type(exc).__name__}）"

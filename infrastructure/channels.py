"""The ways notifications leave the system (§17): an SMS gateway, a mail server, a group robot.

Each implements the `Channel` port (application/ports.py): `deliver` hands one message over
and raises `DeliveryFailed` when it was not accepted, `permanent` when trying again cannot
help. Every request carries the message's idempotency key, the same on every attempt, so a
receiver that saw a message before can drop the repeat.

- SMS: POST `{"to", "text", "idempotency_key"}` as JSON to OVERSIGHT_SMS_GATEWAY_URL with
  `Authorization: Bearer <OVERSIGHT_SMS_GATEWAY_KEY>` and `Idempotency-Key`.
- E-mail: SMTP (stdlib `smtplib`: a few messages an hour need no pool or async client, and
  it speaks STARTTLS, SMTPS and AUTH), from OVERSIGHT_SMTP_URL and OVERSIGHT_MAIL_FROM.
- Webhook: the markdown message of WeCom (企业微信) and DingTalk (钉钉) group robots, POSTed to
  the recipient's URL.

HTTP goes through `httpx` (a runtime dependency now, the tests used it already): one
synchronous client per channel, with short timeouts and connection reuse.
"""

from __future__ import annotations

import hashlib
import smtplib
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import httpx

from application.ports import Channel, DeliveryFailed, OutgoingMessage
from infrastructure.settings import Settings

# Short: a slow gateway must not hold a message (and its row lock) for long; it is retried.
CONNECT_SECONDS = 3.0
ANSWER_SECONDS = 10.0
SMTP_SECONDS = 15.0
# Answers that mean "not now" rather than "never": the request may be tried again.
RETRYABLE_STATUSES = frozenset({408, 425, 429})
# Robots' answers (HTTP 200, `errcode` ≠ 0) that mean the URL or the robot itself is wrong:
# WeCom 93000 (invalid webhook URL), 93004 (robot removed); DingTalk 300001 (invalid token),
# 310000 (the robot's security settings refuse the message: keyword, IP or signature).
PERMANENT_ROBOT_ERRORS = frozenset({93000, 93004, 300001, 310000})
WECOM_HOSTS = ("qyapi.weixin.qq.com",)
DINGTALK_HOSTS = ("oapi.dingtalk.com",)
# WeCom's markdown content is limited to 4096 bytes; DingTalk's is larger. Longer is cut.
ROBOT_TEXT_BYTES = 4000


def _http_client() -> httpx.Client:
    return httpx.Client(
        timeout=httpx.Timeout(ANSWER_SECONDS, connect=CONNECT_SECONDS),
        follow_redirects=False,
        headers={"User-Agent": "oversight-notifications"},
    )


def _post(client: httpx.Client, url: str, body: Mapping[str, Any], headers: dict[str, str]) -> Any:
    """POST JSON; answer the response, or raise DeliveryFailed (retryable unless the receiver
    refused the request itself: a 4xx other than 408, 425, 429)."""
    try:
        response = client.post(url, json=body, headers=headers)
    except httpx.TimeoutException as error:
        raise DeliveryFailed(f"timed out ({type(error).__name__})") from error
    except httpx.HTTPError as error:
        raise DeliveryFailed(f"could not reach the receiver ({type(error).__name__})") from error
    status = response.status_code
    if 200 <= status < 300:
        return response
    permanent = 400 <= status < 500 and status not in RETRYABLE_STATUSES
    raise DeliveryFailed(f"HTTP {status}", permanent=permanent)


class SmsGateway:
    """The centre's SMS platform (or a small adapter in front of it), over HTTP JSON."""

    name = "sms"

    def __init__(self, url: str, key: str | None, client: httpx.Client | None = None) -> None:
        self.url = url
        self._key = key
        self._client = client or _http_client()

    def deliver(self, message: OutgoingMessage) -> None:
        headers = {"Idempotency-Key": message.idempotency_key}
        if self._key:
            headers["Authorization"] = f"Bearer {self._key}"
        body = {
            "to": message.to,
            "text": message.text,
            "idempotency_key": message.idempotency_key,
        }
        # The gateway's answer may repeat the phone or the text: only its status is kept.
        _post(self._client, self.url, body, headers)

    def close(self) -> None:
        self._client.close()


class GroupRobot:
    """Group robots' webhooks: the recipient's URL is the message's `to`."""

    name = "webhook"

    def __init__(self, client: httpx.Client | None = None) -> None:
        self._client = client or _http_client()

    def deliver(self, message: OutgoingMessage) -> None:
        if not message.to.startswith(("https://", "http://")):
            raise DeliveryFailed("the webhook address is not an http(s) URL", permanent=True)
        response = _post(
            self._client,
            message.to,
            robot_body(message),
            {"Idempotency-Key": message.idempotency_key},
        )
        try:
            answer = response.json()
        except ValueError:
            return  # an adapter that answers 2xx without JSON took the message
        errcode = answer.get("errcode", 0) if isinstance(answer, dict) else 0
        if errcode not in (0, "0", None):
            errmsg = str(answer.get("errmsg", ""))[:200]
            raise DeliveryFailed(
                f"robot answered errcode {errcode}: {errmsg}",
                permanent=_as_int(errcode) in PERMANENT_ROBOT_ERRORS,
            )

    def close(self) -> None:
        self._client.close()


def robot_body(message: OutgoingMessage) -> dict[str, Any]:
    """The markdown message for the robot at `message.to`.

    The text is the template's markdown as it is; the subject is DingTalk's `title` (what a
    phone's notification shows). WeCom wants `{"msgtype": "markdown", "markdown":
    {"content": …}}`; DingTalk wants `{"msgtype": "markdown", "markdown": {"title": …,
    "text": …}}`. Neither documents that it ignores the other's fields, so the body is chosen
    by the URL's host; any other host (an in-house adapter, a relay) gets all three fields and
    may read whichever it likes.
    """
    text = _cut(message.text, ROBOT_TEXT_BYTES)
    host = (urlsplit(message.to).hostname or "").lower()
    if host in WECOM_HOSTS:
        markdown: dict[str, str] = {"content": text}
    elif host in DINGTALK_HOSTS:
        markdown = {"title": message.subject, "text": text}
    else:
        markdown = {"title": message.subject, "text": text, "content": text}
    return {"msgtype": "markdown", "markdown": markdown}


@dataclass(frozen=True)
class SmtpServer:
    """Where and how to hand mail over, read from `smtp://[user[:password]@]host[:port]
    [?starttls=true]` or `smtps://…` (TLS from the first byte)."""

    host: str
    port: int
    tls: bool
    starttls: bool
    user: str | None
    password: str | None

    @classmethod
    def from_url(cls, url: str) -> SmtpServer:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("OVERSIGHT_SMTP_URL must be smtp://host[:port] or smtps://host[:port]")
        tls = parts.scheme == "smtps"
        query = parse_qs(parts.query)
        starttls = query.get("starttls", ["false"])[-1].lower() in ("true", "1", "yes")
        return cls(
            host=parts.hostname,
            port=parts.port or (465 if tls else 25),
            tls=tls,
            starttls=starttls and not tls,
            user=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password is not None else None,
        )


class MailServer:
    """E-mail to a department or the inspectors, in UTF-8 (Chinese subject and body)."""

    name = "email"

    def __init__(
        self,
        server: SmtpServer,
        mail_from: str,
        now: Callable[[], datetime],
    ) -> None:
        self.server = server
        self.mail_from = mail_from
        self._now = now

    def compose(self, message: OutgoingMessage) -> EmailMessage:
        """The e-mail; its Message-ID is derived from the idempotency key, so every attempt
        of one message carries the same one and a mail system can drop the repeat."""
        mail = EmailMessage()
        mail["From"] = self.mail_from
        mail["To"] = message.to
        mail["Subject"] = " ".join(message.subject.split())  # one line, whatever it holds
        mail["Date"] = format_datetime(self._now())
        mail["Message-ID"] = message_id(message.idempotency_key, self.mail_from)
        mail["X-Idempotency-Key"] = message.idempotency_key
        mail.set_content(message.text, charset="utf-8")
        return mail

    def deliver(self, message: OutgoingMessage) -> None:
        try:
            mail = self.compose(message)
        except (ValueError, TypeError) as error:  # an address or header no mail can carry
            raise DeliveryFailed(
                f"the message cannot be written as e-mail ({type(error).__name__})",
                permanent=True,
            ) from error
        try:
            with self._connect() as smtp:
                if self.server.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if self.server.user is not None:
                    smtp.login(self.server.user, self.server.password or "")
                smtp.send_message(mail, from_addr=self.mail_from, to_addrs=[message.to])
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _ in error.recipients.values()]
            raise DeliveryFailed(
                f"the mail server refused the recipient ({', '.join(map(str, codes))})",
                permanent=all(500 <= code < 600 for code in codes),
            ) from error
        except smtplib.SMTPResponseException as error:
            # 5xx: the server refuses this message for good; 4xx: not now. A refused login
            # is the configuration's fault: retried, so mail flows once it is put right.
            permanent = 500 <= error.smtp_code < 600 and not isinstance(
                error, smtplib.SMTPAuthenticationError
            )
            raise DeliveryFailed(
                f"the mail server answered {error.smtp_code}", permanent=permanent
            ) from error
        except (smtplib.SMTPException, OSError) as error:
            raise DeliveryFailed(
                f"could not reach the mail server ({type(error).__name__})"
            ) from error

    def _connect(self) -> smtplib.SMTP:
        if self.server.tls:
            return smtplib.SMTP_SSL(
                self.server.host,
                self.server.port,
                timeout=SMTP_SECONDS,
                context=ssl.create_default_context(),
            )
        return smtplib.SMTP(self.server.host, self.server.port, timeout=SMTP_SECONDS)

    def close(self) -> None:
        """Nothing is kept open between messages."""


def message_id(idempotency_key: str, mail_from: str) -> str:
    """`<hex digest of the key@the sender's domain>`: stable for a key, safe in a header."""
    digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:32]
    domain = mail_from.rpartition("@")[2] or "oversight"
    return f"<{digest}.oversight@{domain}>"


def channels_from_settings(settings: Settings, now: Callable[[], datetime]) -> dict[str, Channel]:
    """The channels the settings turn on (`Settings.sms_on`, `email_on`); the webhook always
    (each recipient has its own URL or none)."""
    channels: dict[str, Channel] = {"webhook": GroupRobot()}
    if settings.sms_on:
        key = settings.sms_gateway_key
        channels["sms"] = SmsGateway(
            str(settings.sms_gateway_url), key.get_secret_value() if key is not None else None
        )
    if settings.email_on:
        channels["email"] = MailServer(
            SmtpServer.from_url(str(settings.smtp_url)), str(settings.mail_from), now
        )
    return channels


def _cut(text: str, limit: int) -> str:
    encoded = text.encode()
    if len(encoded) <= limit:
        return text
    return encoded[: limit - 3].decode(errors="ignore") + "…"


def _as_int(value: object) -> int | None:
    try:
        return int(str(value))
    except ValueError:
        return None

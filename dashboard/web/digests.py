"""E-mail digests of the inbox (data_access.inbox): `python -m dashboard send-digests`, daily or weekly per user.

Each run collects the events first, then for every user whose digest is due (daily: not sent yet today;
weekly: not in the last 7 days) with unread events not yet e-mailed, sends one message and marks exactly those
events as e-mailed in the same step: a rerun sends nothing twice, and an event added meanwhile waits for the
next digest. A failed delivery marks nothing, so the events go out with the next run. Every message carries a
signed one-click unsubscribe link (RFC 8058) that needs no sign-in.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate, make_msgid
from html import escape
from urllib.parse import parse_qs, urlsplit

from flask import Flask, request
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from dashboard.domain.rules import format_day
from dashboard.settings import Settings
from data_access import inbox
from data_access.db import session_scope
from data_access.models import InboxEvent, User

log = logging.getLogger(__name__)

MAX_LISTED = 50  # events written out in one message; the rest are counted and wait in the inbox
WEEK = 7
UNSUBSCRIBE_PATH = "/unsubscribe"
_SALT = "digest-unsubscribe"
# Headers up to SMTP's own limit: a long unsubscribe link stays one readable URL instead of encoded words.
HEADERS_UNFOLDED = SMTP.clone(max_line_length=998)


class MailNotConfigured(RuntimeError):
    """SMTP_URL is not set: digests can only be shown (--dry-run)."""


@dataclass(frozen=True)
class Digest:
    username: str
    email: str
    event_ids: tuple[int, ...]
    message: EmailMessage


def unsubscribe_token(settings: Settings, username: str) -> str:
    return URLSafeSerializer(settings.secret_key, salt=_SALT).dumps(username)


def unsubscriber(settings: Settings, token: str) -> str | None:
    """The username a signed unsubscribe token names, or None when it is not one of ours."""
    try:
        username = URLSafeSerializer(settings.secret_key, salt=_SALT).loads(token)
    except BadSignature:
        return None
    return username if isinstance(username, str) else None


def unsubscribe(engine: Engine, username: str) -> bool:
    """Turn the user's digest off; True when it was on."""
    with session_scope(engine) as session:
        done = session.execute(update(User).where(User.username == username, User.digest != "off").values(digest="off"))
        return bool(done.rowcount)  # type: ignore[attr-defined]


def _due(frequency: str, sent_at: dt.datetime | None, today: dt.date) -> bool:
    if sent_at is None:
        return True
    days = (today - sent_at.date()).days
    return days >= (WEEK if frequency == "weekly" else 1)


def due_digests(engine: Engine, settings: Settings, today: dt.date) -> list[Digest]:
    """The digests due today, built but not sent (collects the events first)."""
    inbox.collect(engine, today)
    digests = []
    with Session(engine) as session:
        users = session.execute(
            select(User.id, User.username, User.display_name, User.email, User.digest, User.digest_sent_at).where(
                User.active.is_(True), User.digest != "off", User.email.is_not(None)
            )
        ).all()
        for user_id, username, display_name, email, frequency, sent_at in users:
            if not email or not _due(frequency, sent_at, today):
                continue
            pending = list(
                session.scalars(
                    select(InboxEvent)
                    .where(InboxEvent.user_id == user_id, InboxEvent.emailed_at.is_(None), InboxEvent.read_at.is_(None))
                    .order_by(InboxEvent.happened_on.desc(), InboxEvent.id.desc())
                )
            )
            if pending:
                message = _message(settings, username, display_name or username, email, frequency, pending)
                digests.append(Digest(username, email, tuple(e.id for e in pending), message))
    return digests


def _message(
    settings: Settings, username: str, name: str, email: str, frequency: str, events: list[InboxEvent]
) -> EmailMessage:
    base = settings.public_url
    unsubscribe_url = f"{base}{UNSUBSCRIBE_PATH}?t={unsubscribe_token(settings, username)}"
    count = len(events)
    lines = [
        f"Hello {name},",
        "",
        f"{count} update{'s' if count != 1 else ''} on what you follow in the OGP Implementation Monitor:",
        "",
    ]
    for event in events[:MAX_LISTED]:
        lines += [
            f"- {event.title} ({format_day(event.happened_on)})",
            f"  {event.detail}",
            f"  {base}{event.link}",
            "",
        ]
    if count > MAX_LISTED:
        lines += [f"... and {count - MAX_LISTED} more in your inbox.", ""]
    lines += [
        f"Your inbox: {base}/inbox",
        f"What you follow: {base}/following",
        "",
        f"You get this {frequency} digest because you asked for it. Stop these e-mails: {unsubscribe_url}",
    ]
    message = EmailMessage(policy=HEADERS_UNFOLDED)
    message["Subject"] = f"OGP Implementation Monitor: {count} update{'s' if count != 1 else ''} on what you follow"
    message["From"] = settings.mail_from
    message["To"] = email
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="ogp-monitor")
    message["List-Unsubscribe"] = f"<{unsubscribe_url}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content("\n".join(lines))
    return message


def _connect(smtp_url: str) -> smtplib.SMTP:
    parts = urlsplit(smtp_url)
    options = {k: v[-1].lower() for k, v in parse_qs(parts.query).items()}
    if parts.scheme == "smtps":
        server: smtplib.SMTP = smtplib.SMTP_SSL(parts.hostname or "localhost", parts.port or 465, timeout=30)
    elif parts.scheme == "smtp":
        server = smtplib.SMTP(parts.hostname or "localhost", parts.port or 25, timeout=30)
        if options.get("starttls") in ("1", "true", "yes"):
            server.starttls(context=ssl.create_default_context())
    else:
        raise MailNotConfigured(f"SMTP_URL must start with smtp:// or smtps://, not {parts.scheme or '(nothing)'}://")
    if parts.username:
        server.login(parts.username, parts.password or "")
    return server


def send_digests(engine: Engine, settings: Settings, today: dt.date) -> tuple[list[Digest], list[tuple[Digest, str]]]:
    """Send every due digest; (sent, failed with why). Sent events are marked e-mailed, failed ones are not."""
    if not settings.smtp_url:
        raise MailNotConfigured("SMTP_URL is not set, so no e-mail can be sent (try --dry-run to see the digests).")
    digests = due_digests(engine, settings, today)
    sent: list[Digest] = []
    failed: list[tuple[Digest, str]] = []
    if not digests:
        return sent, failed
    with _connect(settings.smtp_url) as server:
        for digest in digests:
            try:
                server.send_message(digest.message)
            except smtplib.SMTPException as error:
                log.warning("digest to %s not sent: %s", digest.username, error)
                failed.append((digest, str(error)))
                continue
            _mark_sent(engine, digest, today)
            sent.append(digest)
    return sent, failed


def _mark_sent(engine: Engine, digest: Digest, today: dt.date) -> None:
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with session_scope(engine) as session:
        session.execute(update(InboxEvent).where(InboxEvent.id.in_(digest.event_ids)).values(emailed_at=now))
        # On the digest's own day (OGP_TODAY in demos): the next one is due a day or a week after it.
        sent_on = dt.datetime.combine(today, now.time())
        session.execute(update(User).where(User.username == digest.username).values(digest_sent_at=sent_on))


UNSUBSCRIBE_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>E-mail digest - OGP Implementation Monitor</title>
<link rel="stylesheet" href="/assets/00_bootstrap.min.css"><link rel="stylesheet" href="/assets/app.css"></head>
<body><main class="container py-5" style="max-width: 36rem"><h1 class="h4">E-mail digest</h1>{body}</main>
</body></html>"""


def init_unsubscribe(server: Flask, engine: Engine, settings: Settings) -> None:
    """GET /unsubscribe?t=... asks to confirm (mail scanners follow links); POST turns the digest off (the
    one-click POST of RFC 8058 too). The signed token names the user: no sign-in needed, nothing else allowed."""

    def page(body: str, status: int = 200) -> tuple[str, int, dict[str, str]]:
        return UNSUBSCRIBE_PAGE.format(body=body), status, {"Content-Type": "text/html; charset=utf-8"}

    @server.route(UNSUBSCRIBE_PATH, methods=["GET", "POST"])
    def _unsubscribe():
        token = (request.values.get("t") or "")[:300]
        username = unsubscriber(settings, token) if token else None
        if username is None:
            return page(
                "<p>This unsubscribe link is not valid (it may be cut short). Sign in and turn the digest "
                "off on your inbox page instead.</p>",
                400,
            )
        if request.method == "GET":
            return page(
                f"<p>Stop the e-mail digest for <strong>{escape(username)}</strong>? Your inbox in the dashboard "
                "stays as it is.</p>"
                f'<form method="post" action="{UNSUBSCRIBE_PATH}">'
                f'<input type="hidden" name="t" value="{escape(token)}">'
                '<button class="btn btn-primary" type="submit">Stop the e-mails</button></form>'
            )
        unsubscribe(engine, username)
        return page("<p>Done: no more e-mail digests. You can turn them on again on your inbox page.</p>")

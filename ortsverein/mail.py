"""Outgoing mail: SMTP when configured, otherwise .eml files in instance/mail/."""

from __future__ import annotations

import smtplib
import threading
import uuid
from email import policy
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from flask import current_app, has_request_context

from .app_object import app_object
from .i18n import _

# Header lines up to RFC 5322's limit: a long List-Unsubscribe URL must stay one
# plain line, not be folded into an encoded word that mail clients do not decode.
POLICY = policy.default.clone(max_line_length=998)


def build_message(
    to: str,
    subject: str,
    body: str,
    attachments=(),
    *,
    html: str | None = None,
    headers: dict[str, str] | None = None,
) -> EmailMessage:
    """A message with a plain-text body, and with `html` a multipart/alternative
    whose HTML part mail clients prefer; `headers` such as List-Unsubscribe."""
    msg = EmailMessage(policy=POLICY)
    msg["From"] = current_app.config["MAIL_SENDER"]
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain="ortsverein.invalid")
    for name, value in (headers or {}).items():
        msg[name] = value
    # Every mail names the privacy notice and the Impressum: the text part here, the
    # HTML part in templates/mail/_layout.html.
    msg.set_content(body + legal_footer())
    if html is not None:
        msg.add_alternative(html, subtype="html")
    for filename, content_type, data in attachments:
        maintype, subtype = content_type.split("/", 1)
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return msg


def legal_footer() -> str:
    """Every mail names the privacy notice and the Impressum (ortsverein/privacy)."""
    base = current_app.config["BASE_URL"].rstrip("/")
    return "\n\n-- \n" + _(
        "Datenschutz: %(privacy)s · Impressum: %(imprint)s",
        privacy=f"{base}/datenschutz",
        imprint=f"{base}/impressum",
    )


def mail_dir() -> Path:
    return Path(current_app.config["INSTANCE_PATH"]) / "mail"


def send(messages: list[EmailMessage]) -> int:
    """Send after the transaction that caused them has committed. Returns how many
    could not be sent; failures are logged, never raised, because the data they
    report on is already saved."""
    if not messages:
        return 0
    try:
        _deliver(messages)
    except (OSError, smtplib.SMTPException) as err:
        current_app.logger.error(
            "mail delivery failed for %d message(s): %s", len(messages), err
        )
        return len(messages)
    return 0


def send_in_background(messages: list[EmailMessage]) -> None:
    """Send without making the request wait (and so without its timing telling
    whether a mail was sent at all). Tests set MAIL_SYNC to send at once. Outside a
    request (a command such as `tick` from cron, a background task) mail is sent at
    once too: the process may end before a background thread has sent anything."""
    app = app_object()
    if app.config.get("MAIL_SYNC") or not has_request_context():
        send(messages)
        return

    def work():
        with app.app_context():
            send(messages)

    threading.Thread(target=work, daemon=True).start()


def _deliver(messages: list[EmailMessage]) -> None:
    config = current_app.config
    if config.get("MAIL_SERVER"):
        with smtplib.SMTP(
            config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30
        ) as smtp:
            if config.get("MAIL_USE_TLS"):
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
            for msg in messages:
                smtp.send_message(msg)
        return
    folder = mail_dir()
    folder.mkdir(parents=True, exist_ok=True)
    for msg in messages:
        name = f"{uuid.uuid4().hex}.eml"
        (folder / name).write_bytes(bytes(msg))

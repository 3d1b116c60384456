"""Sending the alerts through the hub's SMTP server (the standard library's smtplib)."""

from __future__ import annotations

import smtplib
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage

from lat.config import Settings
from lat.errors import LatError


def message(settings: Settings, to: str, subject: str, body: str) -> EmailMessage:
    """A plain-text UTF-8 e-mail from ``LAT_SMTP_FROM``."""
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = settings.smtp_from, to, subject
    mail.set_content(body)
    return mail


@contextmanager
def connection(settings: Settings) -> Iterator[smtplib.SMTP]:
    """One SMTP connection for a run (STARTTLS and login as configured)."""
    if not settings.smtp_host:
        raise LatError("No SMTP server is set: set LAT_SMTP_HOST (and LAT_SMTP_PORT, LAT_SMTP_FROM), or preview with 'lat alerts --dry-run'.")
    try:
        smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30)
    except OSError as error:
        raise LatError(f"Cannot reach the SMTP server {settings.smtp_host}:{settings.smtp_port}: {error}") from None
    with smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_user and settings.smtp_password:
            smtp.login(settings.smtp_user, settings.smtp_password.get_secret_value())
        yield smtp

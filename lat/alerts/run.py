"""``lat alerts``: every contact's new alerts, composed in their language and sent once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from lat.access import audit
from lat.access.contacts import alert_contacts
from lat.access.policy import DataAccess
from lat.access.roles import HUB_COORDINATOR, MENTOR
from lat.alerts import mailer, sent
from lat.alerts.findings import findings
from lat.alerts.messages import compose
from lat.config import Settings

RECIPIENT_ROLES = (MENTOR, HUB_COORDINATOR)


@dataclass(frozen=True)
class Outgoing:
    """One e-mail of a run."""

    user: str
    to: str
    key: str
    subject: str
    body: str


def pending(settings: Settings, today: date) -> list[Outgoing]:
    """The alerts not sent yet, for every mentor and hub coordinator with an address and alerts on."""
    done = sent.load(settings)
    out = []
    for contact in alert_contacts(settings):
        if contact.user.role not in RECIPIENT_ROLES:
            continue
        for finding in findings(DataAccess(contact.user, settings), today):
            if finding.key not in done.get(contact.user.name, set()):
                subject, body = compose(finding, contact.language, contact.user.name, settings.public_url)
                out.append(Outgoing(contact.user.name, contact.email, finding.key, subject, body))
    return out


def send(settings: Settings, outgoing: list[Outgoing]) -> int:
    """Send ``outgoing`` over one SMTP connection, recording each delivered alert; the count sent."""
    if not outgoing:
        return 0
    done = sent.load(settings)
    with mailer.connection(settings) as smtp:
        for mail in outgoing:
            smtp.send_message(mailer.message(settings, mail.to, mail.subject, mail.body))
            done.setdefault(mail.user, set()).add(mail.key)
            sent.save(settings, done)
            audit.record(settings, "lat alerts", audit.ALERT_SENT, target=mail.user, detail={"alert": mail.key})
    return len(outgoing)

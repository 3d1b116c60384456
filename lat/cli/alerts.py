"""``lat alerts``: e-mail each mentor and hub coordinator what changed in their scope."""

from __future__ import annotations

from datetime import date, datetime

import click

from lat.config import get_settings


@click.command()
@click.option("--dry-run", is_flag=True, help="Print the e-mails that would be sent; send nothing, remember nothing.")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, help="The day the run is for (default: today; sets the digest's week).")
def alerts(dry_run: bool, today: datetime | None) -> None:
    """Send the new alerts: a mentee school that stalled (with the reason) and a weekly digest.

    Recipients: accounts with an address and alerts on ('lat users contact NAME --email ...'),
    mentors and hub coordinators, each told only about schools their role may see, in their
    language. Each alert is sent once (LAT_HOME/alerts/sent.json). SMTP: LAT_SMTP_HOST,
    LAT_SMTP_PORT, LAT_SMTP_FROM (see docs/alerts.md).
    """
    from lat.alerts.run import pending, send

    settings = get_settings()
    day = today.date() if today is not None else date.today()
    outgoing = pending(settings, day)
    if dry_run:
        for mail in outgoing:
            click.echo(f"To: {mail.to}\nSubject: {mail.subject}\n\n{mail.body}")
        click.echo(f"{len(outgoing)} e-mail(s) would be sent.")
        return
    click.echo(f"Sent {send(settings, outgoing)} e-mail(s).")

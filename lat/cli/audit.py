"""``lat audit``: read the audit log."""

from __future__ import annotations

import json

import click

from lat.config import get_settings


@click.command("audit")
@click.option("--since", metavar="WHEN", help="Only entries from WHEN on: a date (2025-03-01), a date-time, or an age (7d, 12h, 30m).")
@click.option("--action", metavar="ACTION", help="Only one action: login, login_failed, login_locked, logout, export, erasure, retention, ...")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line instead of a table.")
def audit(since: str | None, action: str | None, as_json: bool) -> None:
    """Show the audit log: logins, failed logins, logouts, exports, erasures, user changes."""
    from lat.access import audit as log

    settings = get_settings()
    entries = log.read(settings, since=log.parse_since(since) if since else None, action=action)
    for e in entries:
        if as_json:
            click.echo(json.dumps({"at": e.at, "actor": e.actor, "action": e.action, "target": e.target, "detail": e.detail, "ip": e.ip}, sort_keys=True))
        else:
            detail = " ".join(f"{k}={v}" for k, v in sorted(e.detail.items()))
            click.echo("  ".join(x for x in (e.at, e.actor, e.action, e.target or "", e.ip or "", detail) if x))
    if not entries and not as_json:
        click.echo("No audit entries.")

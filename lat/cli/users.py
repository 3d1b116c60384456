"""``lat users``: dashboard accounts (add, list, remove, passwd, contact, alerts, demo)."""

from __future__ import annotations

import sys

import click

from lat.config import get_settings
from lat.errors import LatError


@click.group()
def users() -> None:
    """Manage dashboard accounts: roles and scopes (see docs/access-control.md).

    Roles: admin, hub_coordinator (--hub), mentor (--person or --school: the mentor school),
    school_head (--school), researcher.
    """


def _read_password(from_stdin: bool) -> tuple[str, bool]:
    """(password, generated?) from stdin, a hidden prompt, or a fresh random one."""
    from lat.access.users import generate_password

    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise LatError("--password-stdin: no password on standard input.")
        return password, False
    if sys.stdin.isatty():
        entered = click.prompt("Password (empty: generate one)", hide_input=True, default="", show_default=False, confirmation_prompt=False)
        if entered:
            again = click.prompt("Repeat the password", hide_input=True)
            if again != entered:
                raise LatError("The passwords do not match.")
            return entered, False
    return generate_password(), True


@users.command("add")
@click.argument("name")
@click.option("--role", required=True, help="admin, hub_coordinator, mentor, school_head or researcher.")
@click.option("--school", "schools", multiple=True, metavar="ID", help="School id (school_head: own school; mentor: mentor school). Repeatable.")
@click.option("--hub", "hubs", multiple=True, metavar="ID", help="Hub id (hub_coordinator). Repeatable.")
@click.option("--person", "persons", multiple=True, metavar="ID", help="Mentor's person id from the registry (mentor). Repeatable.")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
def add(name: str, role: str, schools: tuple[str, ...], hubs: tuple[str, ...], persons: tuple[str, ...], password_stdin: bool) -> None:
    """Create account NAME with a ROLE and its scope.

    The password comes from --password-stdin, or is prompted for; without either (or when
    the prompt is left empty) a random one is generated and printed once. Schools, hubs and
    mentors are checked against the published registry marts when there are any.
    """
    from lat.access.users import add_user

    settings = get_settings()
    password, generated = _read_password(password_stdin)
    user = add_user(settings, name, role, password=password, schools=schools, hubs=hubs, persons=persons)
    click.echo(f"Added {user.name} ({user.role}; {user.scope_text()}).")
    if generated:
        click.echo(f"Password (shown once): {password}")


@users.command("list")
def list_() -> None:
    """List accounts with their role and scope."""
    from lat.access.users import list_users

    rows = list_users(get_settings())
    if not rows:
        click.echo("No users yet: add one with 'lat users add NAME --role admin'.")
        return
    width = max(len(u.name) for u in rows)
    for user in rows:
        kind = "oidc" if user.external else "local"
        click.echo(f"{user.name:<{width}}  {user.role:<15}  {kind:<5}  {user.scope_text()}")


@users.command("remove")
@click.argument("name")
def remove(name: str) -> None:
    """Delete account NAME and end its sessions at once."""
    from lat.access.users import remove_user

    remove_user(get_settings(), name)
    click.echo(f"Removed {name}.")


@users.command("passwd")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the new password from the first line of standard input.")
def passwd(name: str, password_stdin: bool) -> None:
    """Set a new password for NAME (prompted, from stdin, or generated) and sign NAME out everywhere."""
    from lat.access.users import get_user, set_password

    settings = get_settings()
    if get_user(settings, name) is None:
        raise LatError(f"No user {name!r} (see 'lat users list').")
    password, generated = _read_password(password_stdin)
    set_password(settings, name, password)
    click.echo(f"Password of {name} changed; their sessions have ended.")
    if generated:
        click.echo(f"Password (shown once): {password}")


@users.command("contact")
@click.argument("name")
@click.option("--email", required=True, help="Address for e-mail alerts ('lat alerts').")
@click.option("--lang", "language", type=click.Choice(["en", "pl"]), default="en", show_default=True, help="Language of the alerts.")
@click.option("--alerts/--no-alerts", default=True, show_default=True, help="Whether NAME receives alerts.")
def contact(name: str, email: str, language: str, alerts: bool) -> None:
    """Give NAME an e-mail address and a language for alerts (mentors and hub coordinators receive them)."""
    from lat.access.contacts import set_contact

    done = set_contact(get_settings(), name, email=email, language=language, alerts=alerts)
    click.echo(f"{name}: {done.email}, alerts {'on' if done.alerts else 'off'} ({done.language}).")


@users.command("alerts")
@click.argument("name")
@click.argument("state", type=click.Choice(["on", "off"]))
def alerts_(name: str, state: str) -> None:
    """Turn NAME's e-mail alerts on or off."""
    from lat.access.contacts import set_alerts

    set_alerts(get_settings(), name, state == "on")
    click.echo(f"Alerts of {name}: {state}.")


@users.command("demo")
def demo() -> None:
    """Create one demo account per role with random passwords, and print them once.

    Needs published registry marts (the demo scopes use the first hub, school and mentor).
    Running it again replaces the demo accounts and their passwords.
    """
    from lat.access.users import create_demo_accounts

    for name, role, scope, password in create_demo_accounts(get_settings()):
        click.echo(f"{name:<17} {role:<15} {scope:<30} {password}")

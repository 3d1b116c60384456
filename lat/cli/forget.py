"""``lat forget ACTOR``: erase a person (right to erasure)."""

from __future__ import annotations

import click

from lat.config import get_settings


@click.command("forget")
@click.argument("actor")
@click.option("--no-recompute", is_flag=True, help="Do not recompute the marts now (run 'lat compute --full' soon after).")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def forget(actor: str, no_recompute: bool, yes: bool) -> None:
    """Erase the person ACTOR from the store and everything derived from it.

    ACTOR is an actor as the registry writes it (mailto:name@host, sha1:<hex>,
    homePage|name, an openid URI), a bare email address, or a person id from the registry.
    Statements by or about the person are deleted; statements where they only appear
    beside others (instructor, team, group member) are kept with the person replaced by an
    anonymous placeholder. Their rejected/conflict rows, registry rows and mentoring pairs go
    too; the marts are recomputed. See docs/access-control.md.
    """
    from lat.privacy.forget import forget as erase
    from pipelines.core.compute import run as compute  # the composition root hands the pipelines in

    if not yes:
        click.confirm(f"Erase {actor} and everything derived from them? This cannot be undone", abort=True)
    done = erase(get_settings(), actor, recompute=None if no_recompute else compute)
    click.echo(
        f"Erased: {done.statements_deleted} statements deleted, {done.statements_redacted} redacted, "
        f"{done.rejected_deleted} rejected and {done.conflicts_deleted} conflict rows, "
        f"{done.people_deleted} registry people, {done.mentoring_deleted} mentoring pairs."
    )
    click.echo("Marts recomputed." if done.marts_recomputed else "Marts not recomputed: run 'lat compute --full'.")
    if done.linked_users:
        click.echo(f"{done.linked_users} dashboard account(s) are scoped to this person: remove them with 'lat users remove'.")
    click.echo("Also remove the person from the registry CSVs and source files, or a re-import brings them back.")

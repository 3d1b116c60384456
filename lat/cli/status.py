"""``lat status``: what the store holds."""

from __future__ import annotations

import json

import click


@click.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of a table.")
def status(as_json: bool) -> None:
    """Show what the store holds: statements (stored, not voided), voided statements,
    rejected records, id conflicts, and the same counts per source (file, LRS, ...).

    Opens the store read-only, so it runs while nothing writes; with --json the keys are
    statements, voided, rejected, conflicts, last_stored and sources.
    """
    from lat.store import database as store
    from lat.store.status import gather, render

    if store.live_writer():  # `lat lrs` holds the store: it answers for it
        result = store.delegate("status")
    else:
        with store.session(read_only=True) as con:
            result = gather(con)
    click.echo(json.dumps(result, indent=2) if as_json else render(result))

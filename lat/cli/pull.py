"""``lat pull``: incremental pull of statements from another LRS."""

from __future__ import annotations

import click


@click.command("pull")
@click.option("--endpoint", required=True, metavar="URL", help="The LRS's xAPI base URL, e.g. https://lrs.example.org/xAPI (…/statements is added).")
@click.option("--key", required=True, help="Basic-auth user (key) of the LRS.")
@click.option("--secret", required=True, help="Basic-auth password (secret) of the LRS.")
@click.option("--since", metavar="ISO", help="Pull statements stored after this time instead of resuming from the saved cursor.")
@click.option("--limit", type=click.IntRange(min=1), default=500, show_default=True, help="Statements asked for per page (the LRS may send fewer).")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=60.0, show_default=True, help="Seconds to wait for the LRS on each request.")
def pull(endpoint: str, key: str, secret: str, since: str | None, limit: int, timeout: float) -> None:
    """Pull the statements stored in another LRS since the last pull.

    Pages through GET {endpoint}/statements (ascending, following 'more') with HTTP Basic
    auth and xAPI 1.0.3 headers. Each page is stored in one transaction and a cursor in the
    store remembers where to go on, so the next pull fetches only what is new, and an
    interrupted pull resumes with nothing lost or duplicated. Statements keep their ids;
    voiding statements void what they target. The source recorded is the endpoint URL.
    """
    from lat.config import get_settings
    from lat.ingest.pull import LrsClient, PullSummary, check_since
    from lat.ingest.pull import pull as run_pull
    from lat.store import database as store

    client = LrsClient(endpoint, key, secret, timeout=timeout)
    start = check_since(since) if since else None

    def page_done(number: int, count: int, totals: PullSummary) -> None:
        click.echo(f"page {number}: {count} statements (total {totals.received}, stored {totals.stored})", err=True)

    with store.session(get_settings()) as con:
        summary = run_pull(con, client, since=start, limit=limit, on_page=page_done)
    for note in summary.notes:
        click.echo(f"note: {note}", err=True)
    click.echo(
        f"{summary.endpoint}: {summary.received} statements in {summary.pages} pages: stored {summary.stored}, "
        f"duplicates {summary.duplicates}, conflicts {summary.conflicts}, rejected {summary.rejected}, "
        f"voided {summary.voided}. Next pull starts after {summary.since or 'the beginning'}."
    )

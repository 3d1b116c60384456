"""``lat registry``: import and show the organisation registry (see docs/registry.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click


@click.group()
def registry() -> None:
    """The organisation registry: countries, hubs, schools, people and mentoring pairs."""


@registry.command("import", short_help="Validate and import the registry CSV files of a directory.")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--check", is_flag=True, help="Only validate the files; store nothing.")
def import_(directory: Path, check: bool) -> None:
    """Import the registry CSV files in DIRECTORY, replacing the stored registry.

    DIRECTORY holds countries.csv, hubs.csv, schools.csv and optionally people.csv and
    mentoring.csv (formats in docs/registry.md). It is the full registry: rows absent
    from the files are removed from the store. Every problem is reported with file, line
    and column, and then nothing is imported (exit code 1). Statements are re-attributed
    to schools and hubs in the same transaction.
    """
    from lat.registry import organisation as reg
    from lat.store import database as store

    loaded = reg.load(directory)  # validate fully before opening (and locking) the store
    if check:
        click.echo(f"{directory}: valid ({_counts_text(loaded.counts())}); nothing stored (--check).")
        return
    if store.live_writer():  # `lat lrs` holds the store: it imports for us
        done = store.delegate("registry-import", directory=str(directory.resolve()))
        changed = done["changed"]
    else:
        with store.session() as con:
            changed = reg.write(con, loaded)
    click.echo(f"Imported registry from {directory}: {_counts_text(loaded.counts())}.")
    click.echo(f"Re-attributed {changed} statement(s) to schools and hubs.")


@registry.command("show", short_help="Rows per registry table and per hub.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables.")
def show(as_json: bool) -> None:
    """Show how many rows each registry table holds, and per hub its schools, teachers and pairs."""
    from lat.registry import organisation as reg
    from lat.store import database as store

    with store.session(read_only=True) as con:
        overview = reg.overview(con)
    if as_json:
        click.echo(json.dumps(overview, indent=2))
        return
    click.echo(_table(["table", "rows"], [[t, n] for t, n in overview["tables"].items()]))
    click.echo()
    columns = ["hub_id", "name", "country", "schools", "teachers", "mentoring_pairs"]
    click.echo(_table(["hub", "name", "country", "schools", "teachers", "mentoring pairs"], [[h[c] for c in columns] for h in overview["hubs"]]))


def _counts_text(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {table}" for table, n in counts.items())


def _table(header: list[str], rows: list[list[Any]]) -> str:
    """A plain aligned text table; numbers right-aligned."""
    cells = [header] + [[str(v) for v in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    numeric = [bool(rows) and all(isinstance(row[i], int) for row in rows) for i in range(len(header))]

    def line(row: list[str]) -> str:
        return "  ".join(v.rjust(w) if num else v.ljust(w) for v, w, num in zip(row, widths, numeric, strict=True)).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(cells[0]), rule, *(line(row) for row in cells[1:])])

"""``lat indicators FAMILY``: an indicator table from the published marts, as CSV, JSON or Parquet."""

from __future__ import annotations

import sys
from pathlib import Path

import click

# (family, level) -> mart
MARTS: dict[tuple[str, str], str] = {
    ("maturity", "school"): "maturity_area",
    ("maturity", "hub"): "maturity_hub",
    ("maturity", "country"): "maturity_country",
    ("maturity-items", "school"): "maturity_item",
    ("competence", "school"): "competence_area",
    ("competence", "hub"): "competence_hub",
    ("competence", "country"): "competence_country",
}
FAMILIES = sorted({family for family, _ in MARTS})


@click.command("indicators")
@click.argument("family", type=click.Choice(FAMILIES))
@click.option(
    "--level",
    type=click.Choice(["school", "hub", "country"]),
    default="school",
    show_default=True,
    help="School cells, or hub / country roll-ups (both weightings).",
)
@click.option("--format", "fmt", type=click.Choice(["csv", "json", "parquet"]), default="csv", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file instead of stdout.")
def indicators(family: str, level: str, fmt: str, out: Path | None) -> None:
    """Write the FAMILY indicators (maturity, maturity-items, competence) at one level.

    Reads the published marts only, so it works while another process writes the store.
    Suppressed cells (fewer than LAT_MIN_CELL_SIZE respondents) have empty figures and
    suppressed = true. Example: lat indicators maturity --level hub --format json --out hub.json
    """
    from lat.config import get_settings
    from lat.errors import LatError
    from lat.store import marts

    name = MARTS.get((family, level))
    if name is None:
        raise LatError(f"'{family}' has no {level}-level table; levels: " + ", ".join(lv for f, lv in MARTS if f == family))
    frame = marts.read(name, get_settings())
    if fmt == "parquet" and out is None and sys.stdout.isatty():
        raise LatError("Parquet is binary: give --out FILE or redirect stdout.")
    target = out if out is not None else sys.stdout.buffer
    if fmt == "csv":
        frame.write_csv(target)
    elif fmt == "json":
        # polars annotates `file` as IOBase; stdout.buffer is one (a BufferedWriter) that typeshed calls BinaryIO
        frame.write_json(target)  # type: ignore[arg-type]
    else:
        frame.write_parquet(target)
    if out is not None:
        click.echo(f"{frame.height} rows of {name} -> {out}", err=True)

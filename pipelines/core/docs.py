"""Generate docs/indicators.md from the catalogue: ``python -m pipelines.core.docs > docs/indicators.md``.

A test regenerates it and fails when the committed page differs.
"""

from __future__ import annotations

from pipelines.core.catalogue import MARTS
from pipelines.core.definitions import DIMENSIONS, INDICATORS
from pipelines.core.families import load_catalogue

HEADER = """# Indicators

Generated from the catalogue (`pipelines/core/definitions.py`, `pipelines/core/catalogue.py`) by
`python -m pipelines.core.docs > docs/indicators.md`; a test fails when this page is out of date,
when a published mart is not declared, or when one of its columns has no definition.

Every mart is published by `lat compute` as `LAT_HOME/marts/current/<mart>.parquet` and as
the table `mart_<mart>` in the store. The *level* tells access control how a mart is scoped.

Suppression (`pipelines/core/suppression.py`), one rule applied before any figure is derived:

- *Small cells.* A survey answer feeds figures only when its cells have at least
  `LAT_MIN_CELL_SIZE` (default 5) respondents: in maturity, its item cell and its area cell
  (per school, round and respondent group). A cell without such answers has its figures empty
  and `suppressed = true`, and it is absent from everything derived later: area scores,
  profiles, pairing (scores and explanations), the mentoring outcome, roll-ups and hub
  comparisons. Changing the answers inside a suppressed cell changes no published byte (a
  property test checks it). Counts of respondents stay visible.
- *Few schools.* A hub, country or research aggregate (roll-ups, hub comparisons, profiles,
  outcome summaries, credentials per hub and country) needs at least `LAT_MIN_SCHOOLS`
  (default 3) schools with figures; a smaller one is suppressed with
  `suppressed_reason = few_schools` (`few_respondents` when no school cell has figures).
"""


def render() -> str:
    """The whole page."""
    load_catalogue()
    out = [HEADER, "## Marts\n"]
    for name, mart in sorted(MARTS.items()):
        readers = f" Readable by {', '.join(sorted(mart.readers))} only." if mart.readers is not None else ""
        out.append(f"### `{name}` ({mart.level})\n\n{mart.description}{readers}\n\n| column | definition |\n| --- | --- |")
        out.extend(f"| `{column}` | `{key}` |" for column, key in mart.columns.items())
        out.append("")
    out.append("## Indicators\n")
    for family in sorted({i.family for i in INDICATORS.values()}):
        out.append(f"### Family `{family}`\n")
        for ind in sorted((i for i in INDICATORS.values() if i.family == family), key=lambda i: i.name):
            out.append(
                f"#### `{ind.name}`\n\n{ind.meaning}\n\n- unit: {ind.unit}\n- formula: {ind.formula}\n"
                f"- statements: {ind.statements}\n- suppression: {ind.suppression}\n"
            )
    out.append("## Dimensions\n\n| key | meaning |\n| --- | --- |")
    out.extend(f"| `{key}` | {meaning} |" for key, meaning in sorted(DIMENSIONS.items()))
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    print(render(), end="")

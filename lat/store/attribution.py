"""School and hub attribution of statements (the LAT profile's rule).

A statement belongs to a school when

1. its context extension ``https://w3id.org/xapi/lat/extensions/school`` names one: that
   always wins; otherwise
2. the registry maps its actor to a school (``people.actor`` -> ``people.school``).

Its hub is the registry's hub of that school (``schools.hub``); when the registry does not
know the school (or there is none), the ``.../extensions/hub`` context extension, if any.

``statements.school`` is one column, so the statement itself remembers where its school came
from: a statement whose ``context_extensions`` JSON holds the school extension got it from
there (that is what :mod:`lat.store.rows` wrote); any other statement's school is the registry's
and is recomputed on every :func:`apply`. No extra column is needed, and a registry change
(a teacher moving school, a person removed) re-attributes exactly the statements it concerns.

The rule is written once, as :func:`attributed`: a relation with the attributed ``school`` and
``hub`` of each row of another. Two places use it: :mod:`lat.store.writer` selects from it in the
``INSERT`` of new statements (so an ingest needs no ``UPDATE``), and :func:`apply`, one
set-based ``UPDATE`` that only writes rows whose school or hub actually changes, re-attributes
stored statements after a registry import. tests/test_writer.py checks that :func:`apply` finds
nothing to change after a write.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import duckdb

from lat.xapi import vocab


def _json_path(iri: str) -> str:
    """A JSON path selecting the member named ``iri`` (quoted: IRIs hold '/', ':' and '.')."""
    return "$." + '"' + iri.replace('"', '\\"') + '"'


def attributed(rows: str) -> str:
    """SQL of ``rows`` (a relation with ``actor_key``, ``ext_school`` and ``ext_hub``) with the
    attributed ``school`` and ``hub`` of each row: the school extension wins, else the registry's
    school of the actor (the least, if several: the registry import allows one); the hub is the
    registry's hub of that school, else the hub extension."""
    return f"""
    SELECT r.*, coalesce(r.ext_school, actors.school) AS school, coalesce(registered.hub, r.ext_hub) AS hub
    FROM ({rows}) AS r
    LEFT JOIN (SELECT actor, min(school) AS school FROM people WHERE actor IS NOT NULL GROUP BY actor) AS actors
           ON r.ext_school IS NULL AND actors.actor = r.actor_key
    LEFT JOIN schools AS registered ON registered.school_id = coalesce(r.ext_school, actors.school)
    """


_STORED = """
SELECT id, actor_key,
       json_extract_string(context_extensions, '{school_path}') AS ext_school,
       json_extract_string(context_extensions, '{hub_path}') AS ext_hub
FROM statements
WHERE {where}
"""

_UPDATE = """
UPDATE statements
SET school = a.school, hub = a.hub
FROM ({attributed}) AS a
WHERE statements.id = a.id
  AND (statements.school IS DISTINCT FROM a.school OR statements.hub IS DISTINCT FROM a.hub)
"""


def apply(con: duckdb.DuckDBPyConnection, where: str = "true", params: Sequence[Any] = ()) -> int:
    """Set ``statements.school`` and ``statements.hub`` by the attribution rule; returns rows changed.

    ``where`` restricts the statements considered: a trusted SQL condition over the columns
    of ``statements`` (never user input), with ``?`` placeholders bound from ``params``. The
    ingest calls it per batch, e.g. ``apply(con, "source = ?", [path])``; the registry import
    calls it with no condition so every statement follows the new registry.

    It is a single UPDATE: atomic on its own, and part of the caller's transaction when one
    is open (the registry import runs it inside its own).
    """
    stored = _STORED.format(school_path=_json_path(vocab.EXT_SCHOOL), hub_path=_json_path(vocab.EXT_HUB), where=f"({where})")
    sql = _UPDATE.format(attributed=attributed(stored))
    return int(con.execute(sql, list(params)).fetchall()[0][0])

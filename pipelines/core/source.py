"""Read the DuckDB store through Arrow into polars LazyFrames.

No row-by-row Python: each read is one SQL query whose filters (verbs, activity types,
partitions, not voided) run inside DuckDB; only the requested columns cross into Arrow.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

import duckdb
import polars as pl

from lat.config import Settings

STATEMENT_COLUMNS: frozenset[str] = frozenset(
    "id actor_key verb object_id object_type activity_type parent_id registration score_raw score_scaled "
    "score_min score_max success completion response duration_s timestamp stored school hub round area item "
    "respondent_group phase context_extensions result_extensions voided source".split()
)
T = TypeVar("T")
PREFILTER_SCHOOLS = 1000  # up to this many touched schools, also filter by a literal list
# what Sources.table reads (pipelines/core/update.py fingerprints them all, in this order)
REGISTRY_TABLES: tuple[str, ...] = ("countries", "hubs", "schools", "people", "mentoring")
_JSON_COLUMNS = frozenset({"context_extensions", "result_extensions"})
_UUID_COLUMNS = frozenset({"id", "registration"})


class Sources:
    """What a pipeline family may read: statements, registry tables, settings, the run time.

    ``partitions`` (a frame of ``school``, ``round``) restricts statement reads to those
    partitions; the orchestrator sets it for an incremental update.

    ``states`` holds the statistics of the partitioned families computed in this run (set by
    the orchestrator before any family derives its marts), so that another family can build
    on them instead of reading the statements again.
    """

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        settings: Settings,
        *,
        now: datetime | None = None,
        partitions: pl.DataFrame | None = None,
    ) -> None:
        self.con = con
        self.settings = settings
        self.now = now or datetime.now(UTC)
        self.partitions = partitions
        self.states: dict[str, pl.DataFrame] = {}
        self._shared: dict[str, Any] = {}  # key -> what its build() returned (a type of its own per key)

    def restricted(self, partitions: pl.DataFrame | None) -> Sources:
        """The same sources, reading only the given (school, round) partitions."""
        return Sources(self.con, self.settings, now=self.now, partitions=partitions)

    def shared(self, key: str, build: Callable[[], T]) -> T:
        """``build()``, once per Sources: what several families read (e.g. the latest survey
        answers) is read once per run."""
        if key not in self._shared:
            self._shared[key] = build()
        return self._shared[key]

    def forget_shared(self) -> None:
        """Drop what :meth:`shared` kept (its memory), e.g. once every state is computed."""
        self._shared.clear()

    def statements(
        self,
        columns: Sequence[str],
        *,
        verbs: Iterable[str] | None = None,
        activity_types: Iterable[str] | None = None,
        extra_where: str | None = None,
    ) -> pl.LazyFrame:
        """Non-voided statements, only ``columns``, filtered inside DuckDB."""
        unknown = set(columns) - STATEMENT_COLUMNS
        if unknown:
            raise ValueError(f"not a statements column: {', '.join(sorted(unknown))}")
        select = ", ".join(_select_expr(c) for c in columns)
        return self.statements_sql(select, verbs=verbs, activity_types=activity_types, extra_where=extra_where)

    def statements_sql(
        self,
        select: str,
        *,
        verbs: Iterable[str] | None = None,
        activity_types: Iterable[str] | None = None,
        extra_where: str | None = None,
        tail: str = "",
    ) -> pl.LazyFrame:
        """``SELECT <select> FROM statements WHERE <the filters of statements()> <tail>``.

        For a family that aggregates or deduplicates inside DuckDB (``tail``: WINDOW,
        QUALIFY, GROUP BY ...). Time zone-aware columns (``timestamp``, ``stored``) come as UTC."""
        sql, params = self.statements_query(select, verbs=verbs, activity_types=activity_types, extra_where=extra_where, tail=tail)
        return _utc(_arrow_frame(self.con, sql, params))

    def statements_query(
        self,
        select: str,
        *,
        verbs: Iterable[str] | None = None,
        activity_types: Iterable[str] | None = None,
        extra_where: str | None = None,
        tail: str = "",
    ) -> tuple[str, list[object]]:
        """The SQL (and its parameters) :meth:`statements_sql` runs, to nest in a larger query."""
        params: list[object] = []
        where = ["NOT voided"]
        if verbs is not None:
            where.append(f"verb IN ({', '.join('?' for _ in _bind(verbs, params))})")
        if activity_types is not None:
            where.append(f"activity_type IN ({', '.join('?' for _ in _bind(activity_types, params))})")
        if extra_where:
            where.append(f"({extra_where})")
        if self.partitions is not None:
            self._register_partitions()
            where.extend(self._school_prefilter())
            where.append("(school, round) IN (SELECT (school, round) FROM _lat_partitions)")
        return f"SELECT {select} FROM statements WHERE {' AND '.join(where)} {tail}", params

    def table(self, name: str) -> pl.LazyFrame:
        """A registry table (countries, hubs, schools, people, mentoring)."""
        if name not in REGISTRY_TABLES:
            raise ValueError(f"not a registry table: {name}")
        return _arrow_frame(self.con, f'SELECT * FROM "{name}"', [])

    def query(self, sql: str, params: Sequence[object] = ()) -> pl.LazyFrame:
        """Any read-only SQL (for a family that needs something the helpers lack)."""
        return _arrow_frame(self.con, sql, list(params))

    def _school_prefilter(self) -> list[str]:
        """``school IN (<literals>)`` for an update touching few schools: DuckDB skips the
        row groups of other schools by their min/max, which a subquery cannot do."""
        assert self.partitions is not None
        schools = self.partitions["school"].cast(pl.String).drop_nulls().unique().sort().to_list()
        if not schools or len(schools) > PREFILTER_SCHOOLS:
            return []
        return [f"school IN ({sql_text(*schools)})"]

    def _register_partitions(self) -> None:
        assert self.partitions is not None
        frame = self.partitions.select(pl.col("school").cast(pl.String), pl.col("round").cast(pl.String))
        self.con.register("_lat_partitions", frame.to_arrow())


def sql_text(*values: str) -> str:
    """``values`` as SQL string literals, comma-separated (for ``= <one>`` or ``IN (<several>)``)."""
    return ", ".join("'" + value.replace("'", "''") + "'" for value in values)


def _bind(values: Iterable[str], params: list[object]) -> list[str]:
    """Append ``values`` to ``params`` and return them (one placeholder each)."""
    items = list(values)
    params.extend(items)
    return items


def _select_expr(column: str) -> str:
    # JSON and UUID have no lossless Arrow type in every reader: hand them over as text.
    if column in _JSON_COLUMNS or column in _UUID_COLUMNS:
        return f'CAST("{column}" AS VARCHAR) AS "{column}"'
    return f'"{column}"'


def _arrow_frame(con: duckdb.DuckDBPyConnection, sql: str, params: list[object]) -> pl.LazyFrame:
    # A relation hands its result to Arrow without the extra copy a DB-API result makes.
    table = con.sql(sql, params=params or None).to_arrow_table()
    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)
    return frame.lazy()


def _utc(frame: pl.LazyFrame) -> pl.LazyFrame:
    """Every time zone-aware column in UTC (DuckDB hands TIMESTAMPTZ over in its session zone)."""
    aware = [name for name, dtype in frame.collect_schema().items() if isinstance(dtype, pl.Datetime) and dtype.time_zone]
    return frame.with_columns(pl.col(c).dt.convert_time_zone("UTC") for c in aware) if aware else frame

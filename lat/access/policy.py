"""The data-access layer: every read of published marts on behalf of a user goes through here.

``DataAccess(user, settings).mart(name, **filters)`` returns only the rows the user's role
and scope allow, using the level each mart declares in the catalogue published beside the marts
(:data:`lat.store.marts.CATALOGUE_FILE`):

============== ======================= ========================= ==========================
role           school-level marts      hub-level marts           country-level marts
============== ======================= ========================= ==========================
admin          all schools             all hubs                  all
hub_coordinator schools of their hubs  all hubs (comparison)     all
mentor         their mentee schools    hubs of those schools     all
school_head    their own school(s)     hub of their school       all
researcher     refused                 all hubs                  all
============== ======================= ========================= ==========================

A row is in scope only when every school it names (``school``, ``mentee_school``,
``mentor_school``) is, whatever the mart's level; a mart may also name the only roles that read
it (``readers``: pairing suggestions are for coordinators and admins). Roles without
``school_rows`` (researchers) read no mart with school or mentor columns. What a role may do
besides reading marts is :data:`lat.access.roles.PERMISSIONS`, asked through
:meth:`DataAccess.may`. Hub and country marts hold
aggregates that the pipelines already suppress below ``LAT_MIN_CELL_SIZE``. Anything the
catalogue does not know is refused to everyone but admins. The reasons are in
docs/access-control.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import polars as pl

from lat.access import audit
from lat.access.roles import ADMIN, HOME, HUB_COORDINATOR, MENTOR, RESEARCHER, SCHOOL_HEAD, SCHOOL_ROWS, VIEW_COMPARE, User, may
from lat.config import Settings
from lat.errors import LatError
from lat.store import marts

# Definition keys (pipelines.definitions.DIMENSIONS) whose values identify a school or a person.
IDENTIFYING = frozenset({"school", "school_name", "mentee_school", "mentor_school", "mentor"})
# Definition keys whose values are school ids: a row is in scope only when every one of them is.
SCHOOL_KEYS = ("school", "mentee_school", "mentor_school")
# Roles whose aggregate views span every hub (see the table above).
ALL_HUB_AGGREGATES = frozenset({ADMIN, HUB_COORDINATOR, RESEARCHER})


def one_of(column: str, values: Iterable[Any]) -> pl.Expr:
    """``column`` is one of ``values``: the fast form of ``is_in``.

    Polars 2 takes a plain Python list in ``is_in`` through a slow path (a fixed cost per
    scanned Parquet file, whatever its size); one imploded Series is a single literal that
    the scan pushes down. Strings stay strings even when ``values`` is empty.
    """
    items = values if isinstance(values, pl.Series) else list(values)
    series = items if isinstance(items, pl.Series) else pl.Series(items, dtype=pl.String if all(isinstance(v, str) for v in items) else None)
    return pl.col(column).is_in(series.implode())


class AccessDenied(LatError):
    """The user's role may not read this mart, or this school."""


@dataclass(frozen=True)
class MartInfo:
    """What access control needs to know about a mart: its level and column -> definition key."""

    name: str
    level: str
    columns: dict[str, str]
    readers: frozenset[str] | None = None

    def school_columns(self) -> list[str]:
        """Every column holding a school id (by definition key)."""
        return [column for column, definition in self.columns.items() if definition in SCHOOL_KEYS]

    def column_for(self, *keys: str) -> str | None:
        """The first column whose definition key (or name) is one of ``keys``."""
        for key in keys:
            for column, definition in self.columns.items():
                if definition == key:
                    return column
            if key in self.columns:
                return key
        return None


def catalogue(directory: Path) -> dict[str, MartInfo]:
    """The marts published in ``directory``, as ``lat compute`` described them beside the marts."""
    return {
        name: MartInfo(name, entry["level"], dict(entry["columns"]), None if entry.get("readers") is None else frozenset(entry["readers"]))
        for name, entry in marts.read_catalogue(directory).items()
    }


@dataclass(frozen=True)
class PublishedRegistry:
    """Schools (with hub and country) and mentoring pairs, read from the published registry marts."""

    schools: pl.DataFrame  # columns: school, hub, country
    pairs: pl.DataFrame  # columns: mentor, mentee_school

    @classmethod
    def load(cls, settings: Settings) -> PublishedRegistry | None:
        """The published registry, or None when no marts (or no registry marts) are published."""
        try:
            directory = marts.current_dir(settings)
        except LatError:
            return None
        return _load_registry(directory)

    @property
    def school_ids(self) -> set[str]:
        """Every school in the registry."""
        return set(self.schools["school"].to_list())

    @property
    def hub_ids(self) -> set[str]:
        """Every hub that has a school."""
        return set(self.schools["hub"].drop_nulls().to_list())

    @property
    def mentors(self) -> set[str]:
        """Every mentor of a mentoring pair."""
        return set(self.pairs["mentor"].to_list())

    def schools_of_hubs(self, hubs: Iterable[str]) -> set[str]:
        """The schools of ``hubs``."""
        return set(self.schools.filter(one_of("hub", hubs))["school"].to_list())

    def hubs_of_schools(self, schools: Iterable[str]) -> set[str]:
        """The hubs of ``schools``."""
        return set(self.schools.filter(one_of("school", schools))["hub"].drop_nulls().to_list())

    def mentees_of(self, mentors: Iterable[str]) -> set[str]:
        """The mentee schools of ``mentors``."""
        return set(self.pairs.filter(one_of("mentor", mentors))["mentee_school"].to_list())


@lru_cache(maxsize=8)  # mart versions never change once published: key by directory
def _load_registry(directory: Path) -> PublishedRegistry | None:
    schools = pairs = None
    for name, info in sorted(catalogue(directory).items()):
        if info.level != "registry" or not (directory / f"{name}.parquet").exists():
            continue
        school, hub, country = info.column_for("school"), info.column_for("hub"), info.column_for("country")
        mentor, mentee = info.column_for("mentor"), info.column_for("mentee_school")
        if school and hub and schools is None:
            frame = marts.read(name, directory=directory)
            schools = frame.select(
                pl.col(school).cast(pl.String).alias("school"),
                pl.col(hub).cast(pl.String).alias("hub"),
                (pl.col(country) if country else pl.lit(None)).cast(pl.String).alias("country"),
            )
        elif mentor and mentee and pairs is None:
            frame = marts.read(name, directory=directory)
            pairs = frame.select(pl.col(mentor).cast(pl.String).alias("mentor"), pl.col(mentee).cast(pl.String).alias("mentee_school"))
    if schools is None:
        return None
    if pairs is None:
        pairs = pl.DataFrame(schema={"mentor": pl.String, "mentee_school": pl.String})
    return PublishedRegistry(schools, pairs)


class DataAccess:
    """Reads published marts for one user, returning only what their role and scope allow.

    The marts version (``marts/current``) is resolved once, on first use, so that every read
    through one ``DataAccess`` sees one consistent set even while ``lat compute`` publishes.
    """

    def __init__(self, user: User, settings: Settings) -> None:
        self.user = user
        self.settings = settings
        self._directory: Path | None = None
        self._catalogue: dict[str, MartInfo] | None = None
        self._registry: PublishedRegistry | None = None
        self._scope: tuple[frozenset[str] | None, frozenset[str] | None] | None = None

    # --- what the user may see -------------------------------------------------------------

    def marts(self) -> list[str]:
        """Names of the published marts this user may read."""
        published = sorted(p.stem for p in self._dir().glob("*.parquet"))
        return [name for name in published if self._refusal(name) is None]

    def may(self, action: str) -> bool:
        """Whether this user may do ``action`` (see :data:`lat.access.roles.PERMISSIONS`)."""
        return may(self.user.role, action)

    def home(self) -> str:
        """The page this user lands on (a ``view:`` action)."""
        return HOME.get(self.user.role, VIEW_COMPARE)

    def schools(self) -> pl.DataFrame:
        """The registry's schools in scope (columns school, hub, country)."""
        if not self.may(SCHOOL_ROWS):
            self._deny("schools", "this role sees no school-level data")
        allowed, _ = self._allowed()
        frame = self.registry().schools
        return frame if allowed is None else frame.filter(one_of("school", sorted(allowed)))

    def can_see_school(self, school_id: str) -> bool:
        """Whether school-level data of ``school_id`` is visible to this user."""
        if not self.may(SCHOOL_ROWS):
            return False
        allowed, _ = self._allowed()
        return allowed is None or school_id in allowed

    def allowed_hubs(self) -> frozenset[str] | None:
        """Hubs whose aggregates this user sees; None means every hub."""
        return self._allowed()[1]

    def school_hubs(self) -> frozenset[str] | None:
        """Hubs whose schools this user may look into (None: every hub): a coordinator's own
        hubs, the hubs of a mentor's or head's schools, none for roles without school rows."""
        if not self.may(SCHOOL_ROWS):
            return frozenset()
        if self.user.role == ADMIN:
            return None
        if self.user.role == HUB_COORDINATOR:
            return frozenset(self.user.hubs)
        return self.allowed_hubs() or frozenset()

    # --- reading ---------------------------------------------------------------------------

    def mart(self, name: str, **filters: Any) -> pl.DataFrame:
        """The in-scope rows of mart ``name``, further narrowed by ``column=value`` filters.

        A filter value that is a list, tuple, set or Series matches any of its members. Raises
        :class:`AccessDenied` when the role may not read the mart at all.
        """
        if (reason := self._refusal(name)) is not None:
            self._deny(name, reason)
        frame = pl.scan_parquet(self._path(name))
        frame = self._scoped(frame, self._info(name))
        columns = frame.collect_schema().names()
        for column, value in filters.items():
            if column not in columns:
                raise LatError(f"Mart '{name}' has no column {column!r}; it has {', '.join(columns)}.")
            if isinstance(value, (list, tuple, set, frozenset, pl.Series)):
                frame = frame.filter(one_of(column, value))
            else:
                frame = frame.filter(pl.col(column) == value)
        return frame.collect()

    def registry(self) -> PublishedRegistry:
        """The published registry, read once; a LatError when no registry marts are published."""
        if self._registry is None:
            registry = _load_registry(self._dir())
            if registry is None:
                raise LatError("No registry marts are published: run 'lat registry import' and 'lat compute'.")
            self._registry = registry
        return self._registry

    # --- the rules ---------------------------------------------------------------------------

    def _refusal(self, name: str) -> str | None:
        """Why this user may not read mart ``name`` at all, or None when they may (rows are filtered)."""
        info = self._cat().get(name)
        if self.user.role == ADMIN:
            return None
        if info is None:
            return "it is not in the mart catalogue"
        if info.readers is not None and self.user.role not in info.readers:
            return f"it is for {', '.join(sorted(info.readers))} only"
        if not self.may(SCHOOL_ROWS):
            if info.level == "school":
                return "this role reads hub and country aggregates, never school-level rows"
            if IDENTIFYING & (set(info.columns.values()) | set(info.columns)):
                return "it identifies schools or mentors"
        if info.level == "school" and not info.school_columns():
            return "it has no school column to scope it by"
        return None

    def _scoped(self, frame: pl.LazyFrame, info: MartInfo | None) -> pl.LazyFrame:
        if self.user.role == ADMIN or info is None:
            return frame
        schools, hubs = self._allowed()
        school_cols = info.school_columns()
        hub_col = info.column_for("hub")
        if school_cols:  # whatever the level: a row naming schools is visible when every one is in scope
            if schools is None:
                return frame
            allowed = sorted(schools)
            return frame.filter(pl.all_horizontal([pl.col(c).is_null() | one_of(c, allowed) for c in school_cols]))
        if info.level in ("hub", "registry") and hub_col is not None:
            return frame if hubs is None else frame.filter(one_of(hub_col, sorted(hubs)))
        return frame  # country level, or registry tables without schools or hubs (countries)

    def _allowed(self) -> tuple[frozenset[str] | None, frozenset[str] | None]:
        """(schools, hubs) in scope; None means all."""
        if self._scope is None:
            self._scope = self._compute_scope()
        return self._scope

    def _compute_scope(self) -> tuple[frozenset[str] | None, frozenset[str] | None]:
        role, user = self.user.role, self.user
        if role == ADMIN:
            return None, None
        if role == RESEARCHER:
            return frozenset(), None
        registry = self._registry_or_none()
        if role == HUB_COORDINATOR:
            schools = registry.schools_of_hubs(user.hubs) if registry else set()
            return frozenset(schools), None
        if role == MENTOR:
            schools = registry.mentees_of(user.persons + user.schools) if registry else set()
        elif role == SCHOOL_HEAD:
            schools = set(user.schools)
        else:  # an unknown role sees nothing (fail closed)
            return frozenset(), frozenset()
        hubs = registry.hubs_of_schools(schools) if registry else set()
        return frozenset(schools), frozenset(hubs)

    def _registry_or_none(self) -> PublishedRegistry | None:
        try:
            return self.registry()
        except LatError:
            return None  # no registry: school-scoped roles fall back to their own ids only

    def _deny(self, what: str, reason: str) -> None:
        audit.record(self.settings, self.user.name, audit.ACCESS_DENIED, target=what, detail={"reason": reason})
        raise AccessDenied(f"{self.user.role} {self.user.name!r} may not read {what}: {reason}.")

    # --- plumbing ----------------------------------------------------------------------------

    def _dir(self) -> Path:
        if self._directory is None:
            self._directory = marts.current_dir(self.settings)
        return self._directory

    def _cat(self) -> dict[str, MartInfo]:
        if self._catalogue is None:
            self._catalogue = catalogue(self._dir())
        return self._catalogue

    def _info(self, name: str) -> MartInfo | None:
        return self._cat().get(name)

    def _path(self, name: str) -> Path:
        path = self._dir() / f"{name}.parquet"
        if not path.exists():
            raise LatError(f"Mart '{name}' is not published; run 'lat compute'.")
        return path

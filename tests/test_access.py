"""The data-access layer: every role, in-scope and out-of-scope schools, over real published marts.

The registry: hub H1 (EE) has schools S1 and S2, hub H2 (FI) has S3. Mentor person P1
mentors S2; mentor school S1 mentors S3.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from lat.access import audit, roles
from lat.access.policy import AccessDenied, DataAccess, PublishedRegistry, one_of
from lat.access.roles import User
from lat.cli import main
from lat.config import Settings
from lat.errors import LatError
from lat.store import marts
from pipelines.core import catalogue as cat

TEST_MARTS = {
    "t_reg_schools": cat.Mart("t_reg_schools", "registry", "schools", {"school": "school", "name": "name", "hub": "hub", "country": "country"}),
    "t_reg_pairs": cat.Mart("t_reg_pairs", "registry", "pairs", {"mentor": "mentor", "mentee_school": "mentee_school"}),
    "t_reg_hubs": cat.Mart("t_reg_hubs", "registry", "hubs", {"hub": "hub", "name": "name"}),
    "t_school": cat.Mart("t_school", "school", "per school", {"school": "school", "round": "round", "value": "x"}),
    "t_hub": cat.Mart("t_hub", "hub", "per hub", {"hub": "hub", "value": "x"}),
    "t_country": cat.Mart("t_country", "country", "per country", {"country": "country", "value": "x"}),
}


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("LAT_HOME", str(tmp_path))
    for name, mart in TEST_MARTS.items():
        monkeypatch.setitem(cat.MARTS, name, mart)
    settings = Settings(home=tmp_path)
    marts.publish(
        {
            "t_reg_schools": pl.DataFrame(
                {"school": ["S1", "S2", "S3"], "name": ["One", "Two", "Three"], "hub": ["H1", "H1", "H2"], "country": ["EE", "EE", "FI"]}
            ),
            "t_reg_pairs": pl.DataFrame({"mentor": ["P1", "S1"], "mentee_school": ["S2", "S3"]}),
            "t_reg_hubs": pl.DataFrame({"hub": ["H1", "H2"], "name": ["Hub one", "Hub two"]}),
            "t_school": pl.DataFrame({"school": ["S1", "S2", "S3", "S1"], "round": ["r1", "r1", "r1", "r2"], "value": [1, 2, 3, 4]}),
            "t_hub": pl.DataFrame({"hub": ["H1", "H2"], "value": [10, 20]}),
            "t_country": pl.DataFrame({"country": ["EE", "FI"], "value": [100, 200]}),
            "t_uncatalogued": pl.DataFrame({"school": ["S1"], "secret": ["x"]}),
        },
        settings,
        catalogue=cat.as_data(cat.MARTS),
    )
    return settings


ADMIN = User("ada", "admin")
COORDINATOR = User("cora", "hub_coordinator", hubs=("H1",))
MENTOR_PERSON = User("max", "mentor", persons=("P1",))
MENTOR_SCHOOL = User("mia", "mentor", schools=("S1",))
HEAD = User("hal", "school_head", schools=("S1",))
RESEARCHER = User("rey", "researcher")


REGISTRY = ("t_reg_schools", "t_reg_pairs", "t_reg_hubs")


def _schools(frame: pl.DataFrame) -> list[str]:
    return sorted(set(frame["school"].to_list()))


@pytest.mark.parametrize(
    ("user", "schools", "hubs"),
    [
        (ADMIN, ["S1", "S2", "S3"], ["H1", "H2"]),
        (COORDINATOR, ["S1", "S2"], ["H1", "H2"]),  # other hubs' aggregates: for comparison
        (MENTOR_PERSON, ["S2"], ["H1"]),
        (MENTOR_SCHOOL, ["S3"], ["H2"]),
        (HEAD, ["S1"], ["H1"]),
    ],
    ids=lambda v: v.name if isinstance(v, User) else None,
)
def test_school_and_hub_marts_hold_only_the_users_scope(settings: Settings, user: User, schools: list[str], hubs: list[str]) -> None:
    access = DataAccess(user, settings)
    assert _schools(access.mart("t_school")) == schools
    assert sorted(access.mart("t_hub")["hub"].to_list()) == hubs
    assert access.mart("t_country")["value"].to_list() == [100, 200]
    assert _schools(access.schools()) == schools
    assert _schools(access.mart("t_reg_schools")) == schools
    for school in ["S1", "S2", "S3"]:
        assert access.can_see_school(school) is (school in schools)


def test_mentoring_pairs_are_scoped_by_the_mentee_school(settings: Settings) -> None:
    pairs = DataAccess(MENTOR_PERSON, settings).mart("t_reg_pairs")
    assert pairs.rows() == [("P1", "S2")]
    assert DataAccess(COORDINATOR, settings).mart("t_reg_pairs").rows() == [("P1", "S2")]
    assert DataAccess(HEAD, settings).mart("t_reg_pairs").height == 0


def test_registry_hubs_are_scoped_by_hub(settings: Settings) -> None:
    assert DataAccess(HEAD, settings).mart("t_reg_hubs")["hub"].to_list() == ["H1"]
    assert DataAccess(RESEARCHER, settings).mart("t_reg_hubs")["hub"].to_list() == ["H1", "H2"]


def test_researcher_reads_aggregates_but_no_identifiable_rows(settings: Settings) -> None:
    access = DataAccess(RESEARCHER, settings)
    assert sorted(access.mart("t_hub")["hub"].to_list()) == ["H1", "H2"]
    assert access.mart("t_country").height == 2
    for name in ["t_school", "t_reg_schools", "t_reg_pairs"]:
        with pytest.raises(AccessDenied, match="researcher 'rey' may not read"):
            access.mart(name)
    with pytest.raises(AccessDenied):
        access.schools()
    assert not access.can_see_school("S1")
    assert access.marts() == ["t_country", "t_hub", "t_reg_hubs"]


def test_uncatalogued_marts_are_for_admins_only(settings: Settings) -> None:
    assert DataAccess(ADMIN, settings).mart("t_uncatalogued")["secret"].to_list() == ["x"]
    for user in [COORDINATOR, MENTOR_PERSON, HEAD, RESEARCHER]:
        with pytest.raises(AccessDenied, match="not in the mart catalogue"):
            DataAccess(user, settings).mart("t_uncatalogued")
        assert "t_uncatalogued" not in DataAccess(user, settings).marts()


def test_filters_narrow_but_never_widen_the_scope(settings: Settings) -> None:
    access = DataAccess(COORDINATOR, settings)
    assert _schools(access.mart("t_school", school=["S1", "S3"])) == ["S1"]
    assert access.mart("t_school", school="S3").height == 0
    assert access.mart("t_school", school="S1", round="r2")["value"].to_list() == [4]
    with pytest.raises(LatError, match="has no column 'nope'"):
        access.mart("t_school", nope=1)


def test_a_denial_is_audited(settings: Settings) -> None:
    with pytest.raises(AccessDenied):
        DataAccess(HEAD, settings).mart("t_uncatalogued")
    entries = audit.read(settings, action=audit.ACCESS_DENIED)
    assert [(e.actor, e.target) for e in entries] == [("hal", "t_uncatalogued")]


def test_without_a_registry_scoped_roles_fall_back_to_nothing_but_their_own_school(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(cat.MARTS, "t_school", TEST_MARTS["t_school"])
    settings = Settings(home=tmp_path)
    marts.publish({"t_school": pl.DataFrame({"school": ["S1", "S2"], "value": [1, 2]})}, settings, catalogue=cat.as_data(cat.MARTS))
    assert PublishedRegistry.load(settings) is None
    assert _schools(DataAccess(HEAD, settings).mart("t_school")) == ["S1"]
    assert DataAccess(COORDINATOR, settings).mart("t_school").height == 0  # hub -> schools unknown: fail closed
    assert DataAccess(MENTOR_PERSON, settings).mart("t_school").height == 0


def test_one_data_access_reads_one_marts_version(settings: Settings) -> None:
    access = DataAccess(ADMIN, settings)
    assert access.mart("t_hub").height == 2
    marts.publish({"t_hub": pl.DataFrame({"hub": ["H1"], "value": [1]})}, settings, catalogue=cat.as_data(cat.MARTS))
    assert access.mart("t_hub").height == 2  # still the version it started with
    assert DataAccess(ADMIN, settings).mart("t_hub").height == 1


def test_a_school_column_is_scoped_whatever_the_level(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(cat.MARTS, "t_country_by_school", cat.Mart("t_country_by_school", "country", "", {"school": "school", "country": "country"}))
    marts.publish({"t_country_by_school": pl.DataFrame({"school": ["S1", "S3"], "country": ["EE", "FI"]})}, settings, catalogue=cat.as_data(cat.MARTS))
    assert _schools(DataAccess(HEAD, settings).mart("t_country_by_school")) == ["S1"]
    assert _schools(DataAccess(ADMIN, settings).mart("t_country_by_school")) == ["S1", "S3"]
    with pytest.raises(AccessDenied, match="it identifies schools or mentors"):
        DataAccess(RESEARCHER, settings).mart("t_country_by_school")


def test_a_row_naming_two_schools_needs_both_in_scope(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """A pairing row names a mentor school beside the mentee: the head of either sees neither's row."""
    pair = cat.Mart("t_pairs", "school", "", {"mentor_school": "mentor_school", "mentee_school": "mentee_school", "hub": "hub"})
    monkeypatch.setitem(cat.MARTS, "t_pairs", pair)
    marts.publish(
        {"t_pairs": pl.DataFrame({"mentor_school": ["S1", None, "S3"], "mentee_school": ["S2", "S1", "S1"], "hub": ["H1", "H1", "H1"]})},
        settings,
        unchanged=REGISTRY,
        catalogue=cat.as_data(cat.MARTS),
    )
    assert DataAccess(HEAD, settings).mart("t_pairs").rows() == [(None, "S1", "H1")]
    assert DataAccess(COORDINATOR, settings).mart("t_pairs").rows() == [("S1", "S2", "H1"), (None, "S1", "H1")]
    assert DataAccess(ADMIN, settings).mart("t_pairs").height == 3


def test_a_mart_with_readers_is_refused_to_other_roles(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    only = cat.Mart("t_only", "school", "", {"school": "school"}, readers=frozenset({"admin", "hub_coordinator"}))
    monkeypatch.setitem(cat.MARTS, "t_only", only)
    marts.publish({"t_only": pl.DataFrame({"school": ["S1", "S2"]})}, settings, unchanged=REGISTRY, catalogue=cat.as_data(cat.MARTS))
    assert _schools(DataAccess(COORDINATOR, settings).mart("t_only")) == ["S1", "S2"]
    for user in (HEAD, MENTOR_SCHOOL, MENTOR_PERSON, RESEARCHER):
        with pytest.raises(AccessDenied):
            DataAccess(user, settings).mart("t_only")
        assert "t_only" not in DataAccess(user, settings).marts()


def test_filters_take_lists_sets_and_series_of_any_type_and_an_empty_one_matches_nothing(settings: Settings) -> None:
    access = DataAccess(COORDINATOR, settings)  # scope S1, S2
    for chosen in (["S2", "S3"], {"S2", "S3"}, ("S2", "S3"), pl.Series(["S2", "S3"])):
        assert access.mart("t_school", school=chosen)["school"].to_list() == ["S2"]
    assert access.mart("t_school", school=[]).is_empty()
    assert access.mart("t_school", school=pl.Series([], dtype=pl.String)).is_empty()
    assert sorted(access.mart("t_school", value=[1, 4, 3])["value"].to_list()) == [1, 4]  # S3's 3 stays out of scope


def test_one_of_matches_members_and_never_nulls() -> None:
    frame = pl.DataFrame({"school": ["S1", None, "S2", "S3"]})
    assert frame.filter(one_of("school", {"S3", "S1"}))["school"].to_list() == ["S1", "S3"]
    assert frame.filter(one_of("school", [])).is_empty()
    assert frame.lazy().filter(one_of("school", pl.Series(["S2"]))).collect()["school"].to_list() == ["S2"]


def test_what_each_role_may_do_besides_reading_marts() -> None:

    expected = {
        "admin": {"view:school", "view:mentoring", "view:hub", "view:compare", "view:research", "view:export", "school_rows", "badge_list", "research_export"},
        "hub_coordinator": {"view:school", "view:mentoring", "view:hub", "view:compare", "view:research", "school_rows"},
        "mentor": {"view:school", "view:mentoring", "view:compare", "school_rows"},
        "school_head": {"view:school", "view:compare", "school_rows", "badge_list"},
        "researcher": {"view:compare", "view:research", "view:export", "research_export"},
    }
    actions = set().union(*expected.values())
    for role, allowed in expected.items():
        assert {a for a in actions if roles.may(role, a)} == allowed, role
    assert not any(roles.may("nobody", a) for a in actions)  # an unknown role may nothing


def test_marts_of_an_older_lat_get_their_catalogue_on_the_next_command(settings: Settings) -> None:
    """An existing LAT_HOME keeps working: marts published before the catalogue existed get one."""
    current = marts.current_dir(settings)
    (current / marts.CATALOGUE_FILE).unlink()
    assert DataAccess(HEAD, settings).marts() == []  # without a catalogue the policy refuses everything
    with pytest.raises(SystemExit):
        main(["status", "--help"])
    assert (current / marts.CATALOGUE_FILE).exists()
    assert marts.read_catalogue(current)["t_school"]["level"] == "school"

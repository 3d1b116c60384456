"""The LAT xAPI profile: its JSON-LD follows the xAPI Profiles structure, and template matching works."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from lat.xapi import vocab
from lat.xapi.profile import load_profile, match_template, select, template_by_name, template_problems, templates

T = f"{vocab.PROFILE}/templates/"
MOODLE = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "moodle-logstore-xapi"

# properties the xAPI Profiles 1.0 spec allows on each kind of object (Part Two, sections 6-9)
CONCEPT_PROPS = {
    "id",
    "type",
    "inScheme",
    "prefLabel",
    "definition",
    "deprecated",
    "broader",
    "broadMatch",
    "narrower",
    "narrowMatch",
    "related",
    "relatedMatch",
    "exactMatch",
}
EXTENSION_PROPS = {
    "id",
    "type",
    "inScheme",
    "prefLabel",
    "definition",
    "deprecated",
    "recommendedActivityTypes",
    "recommendedVerbs",
    "context",
    "schema",
    "inlineSchema",
}
TEMPLATE_PROPS = {
    "id",
    "type",
    "inScheme",
    "prefLabel",
    "definition",
    "deprecated",
    "verb",
    "objectActivityType",
    "contextGroupingActivityType",
    "contextParentActivityType",
    "contextOtherActivityType",
    "contextCategoryActivityType",
    "attachmentUsageType",
    "objectStatementRefTemplate",
    "contextStatementRefTemplate",
    "rules",
}
RULE_PROPS = {"location", "selector", "presence", "any", "all", "none", "scopeNote"}
PATTERN_KINDS = {"alternates", "optional", "oneOrMore", "sequence", "zeroOrMore"}
PATTERN_PROPS = {"id", "type", "primary", "inScheme", "prefLabel", "definition", "deprecated"} | PATTERN_KINDS


def _category() -> list[dict[str, Any]]:
    return [{"id": vocab.PROFILE_VERSION, "definition": {"type": vocab.PROFILE_ACTIVITY_TYPE}}]


def selfie_answer(response: str = "4", **extensions: str) -> dict[str, Any]:
    ext = {
        vocab.EXT_SCHOOL: "ee-s01001",
        vocab.EXT_HUB: "hub-ee-01",
        vocab.EXT_ROUND: "2025-autumn",
        vocab.EXT_AREA: "C",
        vocab.EXT_ITEM: "C2",
        vocab.EXT_GROUP: "teacher",
        **extensions,
    }
    result: dict[str, Any] = {"response": response}
    if response in vocab.LIKERT:
        result["score"] = {"raw": int(response), "min": 1, "max": 5}
    return {
        "actor": {"account": {"homePage": vocab.RESPONDENT_HOMEPAGE, "name": "3f2a9c0d11e4b7a8"}},
        "verb": {"id": vocab.ANSWERED},
        "object": {"id": vocab.SELFIE_ITEM_BASE + "C2", "definition": {"type": vocab.CMI_INTERACTION, "interactionType": "likert"}},
        "result": result,
        "context": {
            "contextActivities": {"parent": [{"id": vocab.SELFIE_ROUND_BASE + "2025-autumn", "definition": {"type": vocab.SURVEY}}], "category": _category()},
            "extensions": ext,
        },
        "timestamp": "2025-09-20T10:00:00Z",
    }


def meeting(**extensions: str) -> dict[str, Any]:
    return {
        "actor": {"mbox": "mailto:mentor@example.org"},
        "verb": {"id": vocab.ATTENDED},
        "object": {"id": "https://mentoring.example.org/ee-s01004/meetings/1", "definition": {"type": vocab.MEETING}},
        "context": {"extensions": {vocab.EXT_SCHOOL: "ee-s01004", vocab.EXT_PHASE: "goals", **extensions}},
    }


# --- the document ------------------------------------------------------------------------


def test_profile_has_the_required_profile_properties() -> None:
    profile = load_profile()
    assert profile["@context"] == "https://w3id.org/xapi/profiles/context"
    assert profile["id"] == vocab.PROFILE
    assert profile["type"] == "Profile"
    assert profile["conformsTo"] == "https://w3id.org/xapi/profiles#1.0"
    assert profile["prefLabel"]["en"] and profile["definition"]["en"]
    assert profile["author"]["type"] in {"Organization", "Person"} and profile["author"]["name"]
    assert [v["id"] for v in profile["versions"]] == [vocab.PROFILE_VERSION]
    assert all(v["generatedAtTime"].endswith("Z") for v in profile["versions"])


def test_profile_defines_the_attribution_and_privacy_rules() -> None:
    definition = load_profile()["definition"]["en"]
    assert "ATTRIBUTION RULE" in definition and vocab.EXT_SCHOOL in definition and "registry" in definition
    assert vocab.RESPONDENT_HOMEPAGE in definition and "never an email" in definition
    school = next(c for c in load_profile()["concepts"] if c["id"] == vocab.EXT_SCHOOL)
    assert "registry maps the actor" in school["definition"]["en"]


def test_concepts_follow_the_spec() -> None:
    seen = set()
    for concept in load_profile()["concepts"]:
        assert concept["id"] not in seen, f"{concept['id']} defined twice"
        seen.add(concept["id"])
        assert concept["inScheme"] == vocab.PROFILE_VERSION
        assert concept["prefLabel"]["en"] and concept["definition"]["en"]
        if concept["type"] in {"ContextExtension", "ResultExtension", "ActivityExtension"}:
            assert set(concept) <= EXTENSION_PROPS, set(concept) - EXTENSION_PROPS
            assert not ({"schema", "inlineSchema"} <= set(concept)), "at most one of schema and inlineSchema"
            if "recommendedVerbs" in concept:
                assert concept["type"] != "ActivityExtension"
            json.loads(concept["inlineSchema"])  # the inline JSON Schema is itself valid JSON
        else:
            assert concept["type"] in {"Verb", "ActivityType", "AttachmentUsageType"}, concept["type"]
            assert set(concept) <= CONCEPT_PROPS, set(concept) - CONCEPT_PROPS


def test_every_minted_extension_in_vocab_is_published() -> None:
    concepts = {c["id"]: c["type"] for c in load_profile()["concepts"]}
    extensions = {name: iri for name, iri in vars(vocab).items() if name.startswith("EXT_") and name != "EXT"}
    assert len(extensions) == 9
    for name, iri in extensions.items():
        expected = "ResultExtension" if name == "EXT_DIGCOMP_LEVEL" else "ContextExtension"
        assert concepts.get(iri) == expected, name


def test_extension_schemas_describe_the_value_sets() -> None:
    schemas = {c["id"]: json.loads(c["inlineSchema"]) for c in load_profile()["concepts"] if "inlineSchema" in c}
    assert schemas[vocab.EXT_AREA]["enum"] == list("ABCDEFGH")
    assert schemas[vocab.EXT_GROUP]["enum"] == ["leader", "teacher", "student"]
    assert schemas[vocab.EXT_DIGCOMP_LEVEL]["enum"] == ["A1", "A2", "B1", "B2", "C1", "C2"]
    assert schemas[vocab.EXT_DIGCOMP_AREA]["enum"] == ["1", "2", "3", "4", "5", "6"]
    assert schemas[vocab.EXT_ROUND]["pattern"] == "^[0-9]{4}-(autumn|spring)$"


def test_templates_follow_the_spec_and_use_the_profiles_concepts() -> None:
    profile = load_profile()
    concepts = {c["id"]: c["type"] for c in profile["concepts"]}
    names = [t["id"].removeprefix(T) for t in profile["templates"]]
    assert names == [
        "selfie-answer",
        "selfie-answer-unscored",
        "digcompedu-self-assessment",
        "mentoring-meeting",
        "goal-set",
        "goal-achieved",
        "action-step-planned",
        "action-step-completed",
        "lesson-observed",
        "micro-credential-earned",
        "lms-viewed",
        "lms-submitted",
        "lms-completed",
        "lms-session",
        "lms-activity",
    ]
    for template in profile["templates"]:
        assert set(template) <= TEMPLATE_PROPS, set(template) - TEMPLATE_PROPS
        assert template["type"] == "StatementTemplate" and template["inScheme"] == vocab.PROFILE_VERSION
        assert template["prefLabel"]["en"] and template["definition"]["en"]
        if "verb" in template:
            assert concepts[template["verb"]] == "Verb"
        if "objectActivityType" in template:
            assert concepts[template["objectActivityType"]] == "ActivityType"
        for rule in template.get("rules", []):
            assert set(rule) <= RULE_PROPS and rule["location"].startswith("$")
            assert {"presence", "any", "all", "none"} & set(rule), rule
            assert rule.get("presence", "included") in {"included", "excluded", "recommended"}


def test_patterns_follow_the_spec() -> None:
    profile = load_profile()
    templates_ids = {t["id"] for t in profile["templates"]}
    patterns = {p["id"]: p for p in profile["patterns"]}
    for pattern in patterns.values():
        assert set(pattern) <= PATTERN_PROPS and pattern["type"] == "Pattern"
        kinds = PATTERN_KINDS & set(pattern)
        assert len(kinds) == 1, "exactly one of alternates, optional, oneOrMore, sequence, zeroOrMore"
        members = pattern[kinds.pop()]
        members = members if isinstance(members, list) else [members]
        assert all(m in templates_ids or m in patterns for m in members)
        if "alternates" in pattern:
            assert len(members) >= 2
            assert not any(set(patterns.get(m, {})) & {"optional", "zeroOrMore"} for m in members)
        if pattern.get("primary"):
            assert pattern["prefLabel"]["en"] and pattern["definition"]["en"]
    cycle = patterns[f"{vocab.PROFILE}/patterns/mentoring-cycle"]
    assert cycle["primary"] is True and cycle["sequence"][0] == T + "mentoring-meeting"


# --- matching ------------------------------------------------------------------------------


def test_a_scored_answer_matches_the_selfie_template() -> None:
    assert match_template(selfie_answer("4")) == T + "selfie-answer"


@pytest.mark.parametrize("response", ["na", "pns"])
def test_not_applicable_and_prefer_not_to_say_match_the_unscored_template(response: str) -> None:
    assert match_template(selfie_answer(response)) == T + "selfie-answer-unscored"


def test_a_score_on_a_not_applicable_answer_matches_nothing() -> None:
    stmt = selfie_answer("na")
    stmt["result"]["score"] = {"raw": 3}
    assert match_template(stmt) is None
    assert template_problems(stmt, template_by_name("selfie-answer-unscored")) == ["$.result.score must be absent"]


def test_a_survey_answer_from_an_email_address_matches_nothing() -> None:
    stmt = selfie_answer("4")
    stmt["actor"] = {"mbox": "mailto:teacher@example.org"}
    assert match_template(stmt) is None
    problems = template_problems(stmt, template_by_name("selfie-answer"))
    assert "$.actor.mbox must be absent" in problems
    assert "$.actor.account.homePage is required" in problems


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({vocab.EXT_AREA: "Z"}, f"$.context.extensions['{vocab.EXT_AREA}'] must only hold values from "),
        ({vocab.EXT_GROUP: "parent"}, f"$.context.extensions['{vocab.EXT_GROUP}'] must only hold values from "),
    ],
)
def test_values_outside_the_value_sets_are_named(change: dict[str, str], problem: str) -> None:
    stmt = selfie_answer("2", **change)
    assert match_template(stmt) is None
    assert any(p.startswith(problem) for p in template_problems(stmt, template_by_name("selfie-answer")))


def test_a_survey_answer_without_its_school_matches_nothing() -> None:
    stmt = selfie_answer("5")
    del stmt["context"]["extensions"][vocab.EXT_SCHOOL]
    assert match_template(stmt) is None
    assert template_problems(stmt, template_by_name("selfie-answer")) == [f"$.context.extensions['{vocab.EXT_SCHOOL}'] is required"]


def test_a_singleton_parent_is_normalised_before_matching() -> None:
    stmt = selfie_answer("3")
    stmt["context"]["contextActivities"]["parent"] = stmt["context"]["contextActivities"]["parent"][0]
    assert match_template(stmt) == T + "selfie-answer"


def test_the_profile_category_is_recommended_not_required() -> None:
    stmt = selfie_answer("3")
    del stmt["context"]["contextActivities"]["category"]
    assert match_template(stmt) == T + "selfie-answer"
    stmt["context"]["contextActivities"]["category"] = [{"id": "https://example.org/other-profile/v1"}]
    assert match_template(stmt) is None  # present but not ours: 'any' applies


def test_a_self_assessment_needs_a_level_from_the_scale() -> None:
    stmt = {
        "actor": {"account": {"homePage": vocab.RESPONDENT_HOMEPAGE, "name": "77aa"}},
        "verb": {"id": vocab.ANSWERED},
        "object": {"id": vocab.COMPETENCE_BASE + "2.1", "definition": {"type": vocab.COMPETENCE}},
        "result": {"response": "B1", "extensions": {vocab.EXT_DIGCOMP_LEVEL: "B1"}},
        "context": {
            "contextActivities": {"parent": [{"id": "https://example.org/r", "definition": {"type": vocab.SURVEY}}]},
            "extensions": {vocab.EXT_SCHOOL: "fi-s01002", vocab.EXT_ROUND: "2026-spring", vocab.EXT_DIGCOMP_AREA: "2"},
        },
    }
    assert match_template(stmt) == T + "digcompedu-self-assessment"
    bad = copy.deepcopy(stmt)
    bad["result"]["extensions"][vocab.EXT_DIGCOMP_LEVEL] = "D1"
    assert match_template(bad) is None


def test_mentoring_statements_match_and_phase_is_checked() -> None:
    assert match_template(meeting()) == T + "mentoring-meeting"
    assert match_template(meeting(**{vocab.EXT_PHASE: "party"})) is None
    goal = meeting()
    goal["verb"] = {"id": vocab.ACHIEVED}
    goal["object"]["definition"]["type"] = vocab.GOAL
    assert match_template(goal) == T + "goal-achieved"


def test_a_badge_without_school_matches_because_the_registry_attributes_it() -> None:
    badge = {
        "actor": {"mbox": "mailto:t@example.org"},
        "verb": {"id": vocab.EARNED},
        "object": {"id": "https://badges.example.org/online-safety", "definition": {"type": vocab.BADGE}},
    }
    assert match_template(badge) == T + "micro-credential-earned"


def test_a_statement_outside_the_profile_matches_nothing() -> None:
    stmt = {
        "actor": {"mbox": "mailto:a@example.org"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"},
        "object": {"id": "https://example.org/video/1"},
    }
    assert match_template(stmt) is None


def test_every_real_moodle_statement_matches_an_lms_template() -> None:
    files = sorted(MOODLE.glob("*.json"))
    assert len(files) == 171
    found: dict[str, int] = {}
    for path in files:
        for stmt in json.loads(path.read_text(encoding="utf-8")):
            name = (match_template(stmt) or "none").removeprefix(T)
            found[name] = found.get(name, 0) + 1
    assert "none" not in found
    assert set(found) == {"lms-viewed", "lms-submitted", "lms-completed", "lms-session", "lms-activity"}
    assert sum(found.values()) == 190


def test_templates_are_read_in_profile_order() -> None:
    assert [t.name for t in templates()][:2] == ["selfie-answer", "selfie-answer-unscored"]
    assert template_by_name("lesson-observed").verb == vocab.OBSERVED
    assert template_by_name("lms-viewed").context_activity_types == {"category": (vocab.LMS_SITE,)}
    with pytest.raises(KeyError):
        template_by_name("no-such-template")


# --- the JSONPath subset -----------------------------------------------------------------


def test_select_follows_the_spec_jsonpath_subset() -> None:
    doc = {"a": {"b": [{"c": 1}, {"c": 2}], "x y": 3, "1": "one"}, "l": [5, 6]}
    assert select(doc, "$.a.b[*].c") == [1, 2]
    assert select(doc, "$.a['x y']") == [3]
    assert select(doc, "$.a['1']") == ["one"]  # a quoted key is a name, not an index
    assert select(doc, "$.l[1]") == [6]
    assert select(doc, "$.l[0,1]") == [5, 6]
    assert select(doc, "$.a.b[1].c | $.l[0]") == [2, 5]
    assert select(doc, "$.missing.x") == []
    assert select(doc, "$.l[7]") == []
    with pytest.raises(ValueError, match="unsupported JSONPath"):
        select(doc, "$.a[?(@.c)]x")

"""The LRS's pure parts: formats, multipart, query parameters, credentials."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from lat.config import get_settings
from lat.errors import LatError
from lat.lrs import formats, multipart, queries, source_keys
from lat.lrs.errors import ApiError

STMT = {
    "id": "6690e6c9-3ef0-4ed3-8b37-7f3964730bee",
    "actor": {"objectType": "Agent", "name": "Anna", "mbox": "mailto:anna@example.org"},
    "verb": {"id": "http://adlnet.gov/expapi/verbs/attended", "display": {"en-US": "attended", "pl": "uczestniczył"}},
    "object": {"objectType": "Activity", "id": "http://example.org/m/1", "definition": {"name": {"en-US": "Meeting", "pl": "Spotkanie"}}},
}


def test_ids_format_keeps_only_identifiers() -> None:
    shaped = formats.shape(STMT, "ids", [])
    assert shaped["actor"] == {"objectType": "Agent", "mbox": "mailto:anna@example.org"}
    assert shaped["verb"] == {"id": "http://adlnet.gov/expapi/verbs/attended"}
    assert shaped["object"] == {"id": "http://example.org/m/1"}
    assert STMT["actor"]["name"] == "Anna"  # the input is untouched


def test_canonical_format_keeps_the_best_language() -> None:
    shaped = formats.shape(STMT, "canonical", formats.accepted_languages("en;q=0.5, pl"))
    assert shaped["verb"]["display"] == {"pl": "uczestniczył"}
    assert shaped["object"]["definition"]["name"] == {"pl": "Spotkanie"}
    assert formats.shape(STMT, "canonical", ["fr"])["verb"]["display"] == {"en-US": "attended"}  # first one


def test_multipart_parts_are_read_and_hashes_checked() -> None:
    body = (
        b"--b\r\nContent-Type: application/json\r\n\r\n[]\r\n"
        b"--b\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: binary\r\nX-Experience-API-Hash: "
        + hashlib.sha256(b"hello").hexdigest().encode()
        + b"\r\n\r\nhello\r\n--b--"
    )
    parts = multipart.parse(body, 'multipart/mixed; boundary="b"')
    assert [p.body for p in parts] == [b"[]", b"hello"]
    assert list(multipart.attachment_parts(parts[1:], 1)) == [hashlib.sha256(b"hello").hexdigest()]
    with pytest.raises(ApiError, match="not the SHA-256"):
        multipart.attachment_parts([multipart.Part({"x-experience-api-hash": "00", "content-transfer-encoding": "binary"}, b"hello")], 1)
    with pytest.raises(ApiError, match="boundary"):
        multipart.parse(body, "multipart/mixed")


def test_query_parameters_are_checked() -> None:
    query = queries.parse({"agent": '{"mbox": "mailto:a@example.org"}', "limit": "5", "ascending": "true"}, 1)
    assert (query.limit, query.ascending, query.agent) == (5, True, {"mbox": "mailto:a@example.org"})
    for params, message in [
        ({"agent": '{"name": "x"}'}, "agent:"),
        ({"since": "yesterday"}, "since:"),
        ({"format": "full"}, "format:"),
        ({"related_agents": "yes"}, "related_agents:"),
    ]:
        with pytest.raises(ApiError, match=message) as caught:
            queries.parse(params, 1)
        assert caught.value.status == 400


def test_more_token_round_trips_and_rejects_garbage() -> None:
    query = queries.parse({"verb": "http://example.org/v", "limit": "2"}, 2)
    again = queries.from_token(query.token(("2025-01-01T00:00:00.000000Z", STMT["id"])))
    assert (again.verb, again.limit, again.after) == (query.verb, 2, ("2025-01-01T00:00:00.000000Z", STMT["id"]))
    with pytest.raises(ApiError, match="more:"):
        queries.from_token("bm90IGpzb24")


def test_credentials_verify_and_revoke(tmp_path: Path) -> None:
    settings = get_settings(home=tmp_path)
    made = source_keys.add(settings, "moodle", ["statements/write"])
    verifier = source_keys.Verifier(settings)
    found = verifier.verify(made["key"], made["secret"])
    assert found is not None and found.allows("statements/write") and not found.allows("statements/read")
    assert verifier.verify(made["key"], made["secret"] + "x") is None
    assert made["secret"] not in (tmp_path / "lrs.sqlite").read_bytes().decode("latin-1")
    source_keys.revoke(settings, made["key"])
    assert source_keys.Verifier(settings).verify(made["key"], made["secret"]) is None
    assert source_keys.list_all(settings)[0].revoked_at is not None
    with pytest.raises(LatError, match="unknown scope"):
        source_keys.add(settings, "x", ["statements/everything"])

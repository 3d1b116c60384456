"""The LRS as a real process on 127.0.0.1: statements, batches, queries, documents, scopes, errors."""

from __future__ import annotations

import base64
import hashlib
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.lrs_support import Lrs, credential, start, statement


@pytest.fixture(scope="module")
def lrs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lrs]:
    server = start(tmp_path_factory.mktemp("lrs-home"))
    server.login("admin", "all")
    server.login("moodle", "statements/write")
    server.login("reader", "statements/read")
    try:
        yield server
    finally:
        server.stop()


def test_about_needs_no_credentials_and_lists_both_versions(lrs: Lrs) -> None:
    status, headers, body = lrs.request("GET", "/about")
    assert status == 200
    assert body["version"] == ["1.0.3", "2.0.0"]


def test_post_then_get_by_id_returns_the_statement_with_stored_authority_and_version(lrs: Lrs) -> None:
    sid = str(uuid.uuid4())
    status, _, ids = lrs.request("POST", "/statements", statement(1, id=sid), who="moodle")
    assert (status, ids) == (200, [sid])
    status, headers, got = lrs.request("GET", f"/statements?statementId={sid}")
    assert status == 200
    assert got["id"] == sid and got["version"] == "1.0.0"
    assert got["authority"]["name"] == "moodle"
    assert got["stored"].endswith("Z")
    assert "X-Experience-API-Consistent-Through" in headers and "Last-Modified" in headers


def test_a_write_only_credential_cannot_read(lrs: Lrs) -> None:
    status, _, body = lrs.request("GET", "/statements", who="moodle")
    assert status == 403
    assert "may not read" in body["error"]
    assert lrs.request("POST", "/statements", statement(2), who="reader")[0] == 403


def test_wrong_secret_and_missing_credentials_get_401(lrs: Lrs) -> None:
    lrs.auth["nobody"] = "Basic bGF0X3g6eQ=="  # lat_x:y
    status, headers, _ = lrs.request("GET", "/statements", who="nobody")
    assert status == 401 and "WWW-Authenticate" in headers


def test_one_invalid_statement_fails_the_whole_batch_with_400_and_stores_nothing(lrs: Lrs) -> None:
    good = statement(3, id=str(uuid.uuid4()))
    bad = statement(4, id=str(uuid.uuid4()))
    bad["verb"] = {"id": "not an iri"}
    status, _, body = lrs.request("POST", "/statements", [good, bad])
    assert status == 400
    assert body["error"].startswith("statement 1: verb.id")
    assert lrs.request("GET", f"/statements?statementId={good['id']}")[0] == 404


def test_same_id_same_content_is_accepted_other_content_gets_409(lrs: Lrs) -> None:
    sid = str(uuid.uuid4())
    assert lrs.request("PUT", f"/statements?statementId={sid}", statement(5))[0] == 204
    assert lrs.request("PUT", f"/statements?statementId={sid}", statement(5))[0] == 204
    status, _, body = lrs.request("PUT", f"/statements?statementId={sid}", statement(6))
    assert status == 409 and sid in body["error"]


def test_query_filters_and_pages_with_more(lrs: Lrs) -> None:
    verb = f"http://example.org/verbs/{uuid.uuid4()}"
    sent = [statement(n, verb={"id": verb}) for n in range(7)]
    status, _, ids = lrs.request("POST", "/statements", sent)
    assert status == 200 and len(ids) == 7
    seen: list[str] = []
    status, _, page = lrs.request("GET", f"/statements?verb={verb}&limit=3")
    while True:
        assert status == 200
        seen += [s["id"] for s in page["statements"]]
        if not page["more"]:
            break
        status, _, page = lrs.request("GET", page["more"].removeprefix("/xapi"))
    assert len(seen) == 7 and sorted(seen) == sorted(ids)  # 3 + 3 + 1, each once


def test_invalid_query_parameter_gets_400_saying_which(lrs: Lrs) -> None:
    status, _, body = lrs.request("GET", "/statements?limit=-1")
    assert status == 400 and body["error"].startswith("limit:")
    status, _, body = lrs.request("GET", "/statements?colour=red")
    assert status == 400 and "'colour'" in body["error"]


def test_missing_version_header_gets_400(lrs: Lrs) -> None:
    status, _, body = lrs.request("GET", "/statements", version="0.9")
    assert status == 400 and "X-Experience-API-Version" in body["error"]


def test_voided_statement_is_found_only_by_voidedStatementId(lrs: Lrs) -> None:
    target = str(uuid.uuid4())
    lrs.request("POST", "/statements", statement(8, id=target))
    void = {
        "actor": {"mbox": "mailto:admin@hub.example.org"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/voided"},
        "object": {"objectType": "StatementRef", "id": target},
    }
    assert lrs.request("POST", "/statements", void)[0] == 200
    assert lrs.request("GET", f"/statements?statementId={target}")[0] == 404
    status, _, got = lrs.request("GET", f"/statements?voidedStatementId={target}")
    assert status == 200 and got["id"] == target


def test_attachment_sent_as_multipart_comes_back_with_attachments_true(lrs: Lrs) -> None:
    content = b"observation notes, lesson 3"
    sha2 = hashlib.sha256(content).hexdigest()
    stmt = statement(
        9,
        id=str(uuid.uuid4()),
        attachments=[
            {
                "usageType": "http://id.tincanapi.com/attachment/supporting_media",
                "display": {"en": "notes"},
                "contentType": "text/plain",
                "length": len(content),
                "sha2": sha2,
            }
        ],
    )
    boundary = "lat-test-boundary"
    body = (
        f"--{boundary}\r\nContent-Type: application/json\r\n\r\n".encode()
        + __import__("json").dumps(stmt).encode()
        + f"\r\n--{boundary}\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: binary\r\nX-Experience-API-Hash: {sha2}\r\n\r\n".encode()
        + content
        + f"\r\n--{boundary}--".encode()
    )
    multipart = {"Content-Type": f"multipart/mixed; boundary={boundary}"}
    assert lrs.request("POST", "/statements", body, headers=multipart)[0] == 200
    status, headers, raw = lrs.request("GET", f"/statements?statementId={stmt['id']}&attachments=true")
    assert status == 200 and headers["Content-Type"].startswith("multipart/mixed")
    assert content in raw and f"X-Experience-API-Hash: {sha2}".encode() in raw
    wrong = body.replace(content, b"something else, same length")
    assert lrs.request("POST", "/statements", wrong, headers=multipart)[0] == 400


def test_profile_documents_follow_etag_rules(lrs: Lrs) -> None:
    path = "/activities/profile?activityId=http://hub.example.org/plans/1&profileId=plan"
    assert lrs.request("PUT", path, {"goal": "vision"}, headers={"If-None-Match": "*"})[0] == 204
    status, headers, body = lrs.request("GET", path)
    assert status == 200 and body == {"goal": "vision"}
    etag = headers["ETag"]
    assert etag == '"' + hashlib.sha1(b'{"goal": "vision"}').hexdigest() + '"'
    assert lrs.request("PUT", path, {"goal": "x"})[0] == 409  # exists, no precondition
    assert lrs.request("PUT", path, {"goal": "x"}, headers={"If-Match": '"0000"'})[0] == 412
    assert lrs.request("PUT", path, {"goal": "leadership"}, headers={"If-Match": etag})[0] == 204
    assert lrs.request("POST", path, {"steps": 3})[0] == 204  # JSON merge
    assert lrs.request("GET", path)[2] == {"goal": "leadership", "steps": 3}


def test_the_run_file_names_the_live_writer(lrs: Lrs) -> None:
    import json

    info = json.loads((Path(lrs.home) / "run" / "writer.json").read_text())
    assert info["pid"] == lrs.process.pid and info["url"] == lrs.url
    assert oct((Path(lrs.home) / "run" / "writer.json").stat().st_mode & 0o777) == "0o600"


def test_read_mine_sees_only_its_own_statements(lrs: Lrs) -> None:
    lrs.login("tool", "statements/write", "statements/read/mine")
    mine = str(uuid.uuid4())
    other = str(uuid.uuid4())
    assert lrs.request("POST", "/statements", statement(20, id=mine), who="tool")[0] == 200
    assert lrs.request("POST", "/statements", statement(21, id=other), who="moodle")[0] == 200
    assert lrs.request("GET", f"/statements?statementId={mine}", who="tool")[0] == 200
    assert lrs.request("GET", f"/statements?statementId={other}", who="tool")[0] == 404
    status, _, page = lrs.request("GET", "/statements", who="tool")
    assert status == 200 and [s["id"] for s in page["statements"]] == [mine]


def test_read_mine_is_bound_to_the_key_not_the_name(lrs: Lrs) -> None:
    ids = {}
    for who in ("first", "second"):  # two credentials both named "tool"
        key, secret = credential(lrs.home, "tool", "statements/write", "statements/read/mine")
        lrs.auth[who] = "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()
        ids[who] = str(uuid.uuid4())
        assert lrs.request("POST", "/statements", statement(40, id=ids[who]), who=who)[0] == 200
    for who, other in (("first", "second"), ("second", "first")):
        assert lrs.request("GET", f"/statements?statementId={ids[who]}", who=who)[0] == 200
        assert lrs.request("GET", f"/statements?statementId={ids[other]}", who=who)[0] == 404
        status, _, page = lrs.request("GET", "/statements", who=who)
        assert status == 200 and [s["id"] for s in page["statements"]] == [ids[who]]
    # both are stored under the same source name: lat status still groups them as "lrs:tool"
    status, _, got = lrs.request("GET", f"/statements?statementId={ids['first']}")
    assert got["authority"]["name"] == "tool"

"""Awarding end to end on a real store: criteria, OB 3.0 shape (the official 1EdTech JSON schema),
VC-JWT checked with PyJWT (an independent JOSE library), idempotency, the earned statements,
revocation."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import jwt
import pytest

from lat.credentials import achievements, award, revocation, signing_key
from lat.credentials.verify import verify
from lat.store import database as store
from lat.xapi import vocab
from tests.credentials_support import ACHIEVEMENTS, A, make_store
from tests.ob3schema import official


def _award(settings, **kw):
    return award.award(settings, achievements.load(ACHIEVEMENTS), **kw)


def _decode(settings, token: str) -> dict:
    """Verify with PyJWT against the published JWKS (not with joserfc, which signed it)."""
    published = json.loads((signing_key.public_dir(settings) / "jwks.json").read_text())["keys"][0]
    return jwt.decode(token, jwt.PyJWK(published).key, algorithms=["EdDSA"], options={"verify_aud": False})


def test_dry_run_names_who_meets_the_criteria_and_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = make_store(tmp_path, monkeypatch)
    report = _award(settings, dry_run=True)  # no key needed for a dry run
    assert [(a.achievement, a.subject, a.school, a.evidence) for a in report.awarded] == [
        ("mentoring-participant", A, "S1", 2),
        ("school-steps", "S1", "S1", 1),
    ]
    assert all(a.credential_id is None for a in report.awarded)
    with store.session(settings) as con:
        assert con.execute("SELECT count(*) FROM statements WHERE verb = ?", [vocab.EARNED]).fetchall() == [(0,)]


def test_award_issues_a_valid_signed_open_badge(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = make_store(tmp_path, monkeypatch)
    signing_key.generate(settings)
    report = _award(settings)
    person = next(a for a in report.awarded if a.achievement == "mentoring-participant")
    token = (award.issued_dir(settings) / f"{person.credential_id.removeprefix('urn:uuid:')}.jwt").read_text().strip()
    credential = _decode(settings, token)  # OB 3.0 section 8.2: the JWT payload is the credential
    assert official.problems(credential) == []  # the official OB 3.0 AchievementCredential schema
    assert "vc" not in credential and "sub" not in credential  # a person has no credentialSubject.id
    assert credential["iss"] == credential["issuer"]["id"] == "https://hub.test/credentials/issuer"
    assert credential["jti"] == credential["id"] == person.credential_id
    assert credential["nbf"] == int(dt.datetime.fromisoformat(credential["validFrom"]).timestamp())
    assert credential["@context"][:2] == ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
    assert credential["issuer"]["address"]["addressCountry"] == "Estonia"
    assert credential["issuer"]["address"]["addressCountryCode"] == "EE"
    # BitstringStatusListEntry (W3C): the index is a string of digits; the first award gets bit 0
    assert credential["credentialStatus"] == {
        "id": "https://hub.test/credentials/status/revocation#0",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "0",
        "statusListCredential": "https://hub.test/credentials/status/revocation",
    }
    identity = credential["credentialSubject"]["identifier"][0]
    expected = hashlib.sha256(("a@school.example" + identity["salt"]).encode()).hexdigest()
    assert identity["identityHash"] == f"sha256${expected}" and identity["identityType"] == "emailAddress"
    achievement = credential["credentialSubject"]["achievement"]
    assert achievement["id"] == "https://hub.test/credentials/achievements/mentoring-participant"
    assert achievement["euMicroCredential"]["workloadHours"] == 12
    assert achievement["alignment"][0]["targetUrl"] == "http://data.europa.eu/snb/eqf/6"
    # evidence: A's 6 meetings and 3 steps, as statement URNs
    assert len(credential["evidence"]) == 9
    assert all(e["id"].startswith("urn:uuid:") for e in credential["evidence"])
    assert verify(token, settings).ok


def test_award_is_idempotent_and_recorded_as_earned_statements(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = make_store(tmp_path, monkeypatch)
    signing_key.generate(settings)
    first = _award(settings)
    again = _award(settings)
    assert (len(first.awarded), first.ingest.stored) == (2, 2)
    assert (len(again.awarded), again.already, again.ingest.stored) == (0, 2, 0)
    with store.session(settings) as con:
        rows = con.execute("SELECT actor_key, school, activity_type, source FROM statements WHERE verb = ? ORDER BY 1", [vocab.EARNED]).fetchall()
    assert rows == [("https://w3id.org/xapi/lat/schools|S1", "S1", vocab.BADGE, award.SOURCE), (A, "S1", vocab.BADGE, award.SOURCE)]


def test_revocation_sets_the_status_bit_and_verify_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = make_store(tmp_path, monkeypatch)
    key = signing_key.generate(settings)
    issued = [a.credential_id for a in _award(settings).awarded]
    with store.session(settings) as con:
        revocation.revoke(con, issued[1].removeprefix("urn:uuid:"), "awarded in error")
        revocation.publish(con, settings, key, award.urls(settings))
        with pytest.raises(Exception, match="already revoked"):
            revocation.revoke(con, issued[1], "again")
    listed = _decode(settings, (signing_key.public_dir(settings) / "status" / "revocation").read_text())
    encoded = listed["credentialSubject"]["encodedList"]
    assert (revocation.is_set(encoded, 0), revocation.is_set(encoded, 1)) == (False, True)
    files = {p.stem: p for p in award.issued_dir(settings).glob("*.jwt")}
    revoked_file = files[issued[1].removeprefix("urn:uuid:")]
    verdict = verify(str(revoked_file), settings)
    assert not verdict.ok and verdict.problems == ["revoked: bit 1 of the status list https://hub.test/credentials/status/revocation is set"]
    run = subprocess.run(
        [str(Path(sys.executable).parent / "lat"), "credentials", "verify", str(revoked_file)], capture_output=True, text=True, env={**__import__("os").environ}
    )
    assert run.returncode == 1 and "credential NOT valid: revoked" in run.stderr


def test_a_tampered_credential_fails_with_a_reason(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = make_store(tmp_path, monkeypatch)
    signing_key.generate(settings)
    token = _award(settings) and next(award.issued_dir(settings).glob("*.jwt")).read_text().strip()
    header, payload, signature = token.split(".")
    claims = json.loads(jwt.utils.base64url_decode(payload))
    claims["name"] = "Something else"
    forged = ".".join([header, jwt.utils.base64url_encode(json.dumps(claims).encode()).decode(), signature])
    verdict = verify(forged, settings)
    assert not verdict.ok and "the signature does not match" in verdict.problems[0]


def test_award_without_a_key_says_how_to_make_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = make_store(tmp_path, monkeypatch)
    with pytest.raises(Exception, match="run 'lat credentials keygen'"):
        _award(settings)

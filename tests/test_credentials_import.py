"""Credentials from elsewhere: verified with a did:jwk issuer key, recorded for the learner,
counted by the marts; wrong learner, expired and unsigned credentials are refused."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import jwt
import polars as pl
import pytest

from lat.credentials import dids, issue, signing, signing_key
from lat.credentials.achievements import Issuer, Round, load
from lat.credentials.criteria import Outcome
from lat.credentials.importing import import_credential
from lat.errors import LatError
from lat.store import database as store
from lat.xapi import vocab
from pipelines.core.compute import run
from tests.credentials_support import ACHIEVEMENTS, A, make_store

T0 = dt.datetime(2026, 1, 10, 12, 0, tzinfo=dt.UTC)


def _foreign(tmp_path: Path, learner: str, *, valid_until: str | None = None, vc_claim: bool = False) -> Path:
    """A credential from another provider whose issuer id is a did:jwk of its key; ``vc_claim``:
    signed by PyJWT in the older VC Data Model 1.1 shape (the credential in the ``vc`` claim)."""
    from joserfc import jwk

    key = jwk.OKPKey.generate_key("Ed25519")
    foreign_key = signing_key.SigningKey(key, "EdDSA", key.thumbprint())
    did = dids.did_jwk(key.as_dict(private=False))
    achievement = load(ACHIEVEMENTS).achievement("mentoring-participant")
    credential = issue.build(
        achievement,
        Outcome(learner, None),
        Round("r", dt.date(2025, 9, 1), dt.date(2026, 8, 31)),
        Issuer("Odznaka+ test", "PL"),
        issue.Urls("https://other.example"),
        status_index=0,
        issued_at=T0,
    )
    credential["issuer"]["id"] = did
    credential.pop("credentialStatus")
    if valid_until:
        credential["validUntil"] = valid_until
    path = tmp_path / "foreign.jwt"
    if vc_claim:
        claims = {"vc": credential, "iss": did, "jti": credential["id"], "nbf": int(T0.timestamp())}
        path.write_text(jwt.encode(claims, key.as_pem(private=True), algorithm="EdDSA", headers={"kid": f"{did}#0"}))
    else:
        path.write_text(signing.sign(credential, foreign_key, f"{did}#0"))
    return path


def test_a_verified_credential_is_recorded_and_counted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = make_store(tmp_path, monkeypatch)
    path = _foreign(tmp_path, A)
    result = import_credential(settings, str(path), learner="t-a")
    assert (result.new, result.learner, result.verdict.key_source) == (True, A, "the issuer's jwk identifier")
    assert not import_credential(settings, str(path), learner="t-a").new  # idempotent
    with store.session(settings) as con:
        rows = con.execute("SELECT actor_key, school, source FROM statements WHERE verb = ?", [vocab.EARNED]).fetchall()
    assert rows == [(A, "S1", f"credential import: {result.issuer}")]
    run(settings, full=True)
    school = pl.read_parquet(settings.marts_dir / "current" / "credentials_school.parquet")
    assert school.select("school", "earned", "imported").rows() == [("S1", 1, 1)]
    person = pl.read_parquet(settings.marts_dir / "current" / "credentials_person.parquet")
    assert person.select("person", "achievement_name", "issued_by").rows() == [("t-a", "Mentoring participant", result.issuer)]


def test_an_older_vc_claim_credential_is_imported_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = make_store(tmp_path, monkeypatch)
    result = import_credential(settings, str(_foreign(tmp_path, A, vc_claim=True)), learner="t-a")
    assert (result.new, result.learner, result.achievement) == (True, A, "Mentoring participant")
    assert f"format: {signing.VC_CLAIM}" in result.verdict.facts
    with store.session(settings) as con:
        rows = con.execute("SELECT credential_id, learner, valid_from FROM credentials_imported").fetchall()
    assert rows == [(result.credential_id, A, T0)]


def test_a_credential_for_someone_else_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = make_store(tmp_path, monkeypatch)
    with pytest.raises(LatError, match="hashed email address is not b@school.example"):
        import_credential(settings, str(_foreign(tmp_path, A)), learner="t-b")


def test_expired_and_unsigned_credentials_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = make_store(tmp_path, monkeypatch)
    with pytest.raises(LatError, match=r"not imported: expired: valid until 2026-01-11T00:00:00Z"):
        import_credential(settings, str(_foreign(tmp_path, A, valid_until="2026-01-11T00:00:00Z")), learner="t-a")
    unsigned = tmp_path / "plain.json"
    unsigned.write_text(json.dumps({"type": ["VerifiableCredential"]}))
    with pytest.raises(LatError, match="without a proof cannot be verified"):
        import_credential(settings, str(unsigned), learner="t-a")

"""Both VC-JWT payload shapes verify: the credential as the payload (OB 3.0 section 8.2,
VC-JOSE-COSE; what LAT issues) and the `vc` claim of older issuers. Tokens of the older shape
and broken ones are made with PyJWT, not with LAT's signer; the issuer is a did:jwk."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import jwt
import pytest
from joserfc import jwk

from lat.config import Settings
from lat.credentials import dids, issue, signing, signing_key
from lat.credentials.achievements import Issuer, Round, load
from lat.credentials.criteria import Outcome
from lat.credentials.verify import verify
from lat.errors import LatError
from tests.credentials_support import ACHIEVEMENTS, A
from tests.ob3schema import official

T0 = dt.datetime(2026, 1, 10, 12, 0, tzinfo=dt.UTC)  # validFrom of every credential here
NBF = 1768046400  # T0 as a NumericDate, by hand: 20463 days * 86400 + 12 h * 3600
LATER = T0 + dt.timedelta(days=30)  # "now" for the checks


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("LAT_HOME", str(tmp_path / "home"))
    return Settings()


@pytest.fixture
def key() -> jwk.OKPKey:
    return jwk.OKPKey.generate_key("Ed25519")


def _credential(key: jwk.OKPKey, kind: str = "person") -> dict[str, Any]:
    """An OpenBadgeCredential from another provider whose issuer id is the did:jwk of ``key``."""
    achievement = load(ACHIEVEMENTS).achievement("school-steps" if kind == "school" else "mentoring-participant")
    outcome = Outcome("S9" if kind == "school" else A, None)
    credential = issue.build(
        achievement,
        outcome,
        Round("r", dt.date(2025, 9, 1), dt.date(2026, 8, 31)),
        Issuer("Odznaka+ test", "PL"),
        issue.Urls("https://other.example"),
        status_index=0,
        issued_at=T0,
        credential_id="urn:uuid:6f1c3a52-0c1e-4c43-9a4e-0d3f1f0e9b11",
    )
    credential["issuer"]["id"] = dids.did_jwk(key.as_dict(private=False))
    credential.pop("credentialStatus")  # no status list to reach offline
    return credential


def _pyjwt(payload: dict[str, Any], key: jwk.OKPKey) -> str:
    """A compact JWS made by PyJWT, as another issuer's software would make it."""
    return jwt.encode(payload, key.as_pem(private=True), algorithm="EdDSA", headers={"kid": "did:example#0"})


def _lat(credential: dict[str, Any], key: jwk.OKPKey) -> str:
    return signing.sign(credential, signing_key.SigningKey(key, "EdDSA", key.thumbprint()), "https://other.example/jwks.json")


def test_lat_signs_the_credential_as_the_payload_with_the_ob3_claims(key: jwk.OKPKey) -> None:
    credential = _credential(key, "school")
    token = _lat(credential, key)
    header = jwt.get_unverified_header(token)
    payload = jwt.decode(token, jwt.PyJWK(key.as_dict(private=False)).key, algorithms=["EdDSA"])
    assert (header["typ"], header["alg"]) == ("JWT", "EdDSA")  # OB 3.0 8.2.3: typ, if present, MUST be JWT
    assert "vc" not in payload and official.problems(payload) == []
    claims = {name: payload.pop(name) for name in ("iss", "jti", "sub", "nbf", "iat")}
    assert payload == credential  # the rest of the payload is the credential, unchanged
    assert claims["iss"] == credential["issuer"]["id"] and claims["jti"] == credential["id"]
    assert (claims["sub"], claims["nbf"]) == ("https://other.example/schools/S9", NBF)


def test_both_payload_shapes_verify_to_the_same_credential(settings: Settings, key: jwk.OKPKey) -> None:
    credential = _credential(key)
    current = verify(_lat(credential, key), settings, now=LATER)
    legacy_token = _pyjwt({"vc": credential, "iss": credential["issuer"]["id"], "jti": credential["id"], "nbf": NBF}, key)
    legacy = verify(legacy_token, settings, now=LATER)
    assert current.ok and legacy.ok, (current.problems, legacy.problems)
    assert current.credential == legacy.credential == credential
    assert current.facts[0] == f"format: {signing.PAYLOAD}"
    assert legacy.facts[0] == f"format: {signing.VC_CLAIM}"


def test_a_claim_that_disagrees_with_the_credential_fails(settings: Settings, key: jwk.OKPKey) -> None:
    credential = _credential(key, "school")
    payload = {**credential, "iss": credential["issuer"]["id"], "jti": credential["id"], "sub": "https://other.example/schools/S1", "nbf": NBF + 1}
    verdict = verify(_pyjwt(payload, key), settings, now=LATER)
    assert verdict.problems == [
        "the JWT claim sub (https://other.example/schools/S1) is not the credential's credentialSubject.id (https://other.example/schools/S9)",
        "the JWT claim nbf (2026-01-10T12:00:01Z) is not the credential's validFrom (2026-01-10T12:00:00Z)",
    ]


def test_exp_without_valid_until_still_expires_the_credential(settings: Settings, key: jwk.OKPKey) -> None:
    """OB 3.0 8.2.6.1: exp sets validUntil; 1768089600 is 2026-01-11T00:00:00Z."""
    credential = _credential(key)
    token = _pyjwt({**credential, "iss": credential["issuer"]["id"], "nbf": NBF, "exp": 1768089600}, key)
    assert verify(token, settings, now=T0 + dt.timedelta(hours=1)).ok
    assert verify(token, settings, now=LATER).problems == ["expired: valid until 2026-01-11T00:00:00Z"]


def test_a_payload_that_is_a_credential_and_has_a_vc_claim_is_refused(settings: Settings, key: jwk.OKPKey) -> None:
    credential = _credential(key)
    with pytest.raises(LatError, match="also has a 'vc' claim"):
        verify(_pyjwt({**credential, "vc": credential}, key), settings, now=LATER)
    with pytest.raises(LatError, match="'vc' claim is not a JSON object"):
        verify(_pyjwt({"vc": "not a credential"}, key), settings, now=LATER)

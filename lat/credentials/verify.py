"""``lat credentials verify``: signature, issuer, dates and revocation, explained in words.

Both VC-JWT payload shapes are read: the credential as the payload (OB 3.0 section 8.2,
VC-JOSE-COSE; what LAT issues) and the credential in a ``vc`` claim (VC Data Model 1.1, older
issuers); the verdict names which. Each JWT claim present must agree with the credential
member it mirrors (OB 3.0 section 8.2.6.1); claims an issuer left out are not demanded.

The issuer's key is looked for, in order: a JWKS file given by the user; the issuer id or
``kid`` when it is a ``did:jwk``/``did:key``; this hub's own key when the issuer is this hub;
the ``jwk`` in the JWT header (self-asserted: it proves the credential is unchanged, not who
issued it; the verdict says so). Revocation is checked against this hub's status list for
its own credentials, against a status-list file the user gives, or reported as not checked.
"""

from __future__ import annotations

import datetime as dt
import json
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from joserfc import jwk

from lat.config import Settings
from lat.credentials import dids, revocation, signing, signing_key
from lat.credentials.award import urls
from lat.errors import LatError

DATE_CLAIMS = ("nbf", "exp")


@dataclass
class Verdict:
    """The outcome: ``problems`` empty means valid; ``facts`` say what was checked."""

    problems: list[str] = field(default_factory=list)
    facts: list[str] = field(default_factory=list)
    credential: dict[str, Any] | None = None
    key_source: str = ""
    token: str = ""

    @property
    def ok(self) -> bool:
        """True when no check failed."""
        return not self.problems


def read_input(value: str) -> str:
    """The JWT in a file (or the argument itself when it is a JWT)."""
    if signing.looks_like_jwt(value):
        return value.strip()
    path = Path(value)
    if not path.exists():
        raise LatError(f"{value} is neither a file nor a compact JWS")
    text = path.read_text(encoding="utf-8").strip()
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise LatError(f"{path}: not valid JSON ({exc})") from None
        if isinstance(data, dict) and "proof" in data:
            raise LatError(f"{path}: an embedded proof (Data Integrity) is not supported; LAT verifies VC-JWT credentials")
        raise LatError(f"{path}: a credential without a proof cannot be verified; ask the issuer for the VC-JWT")
    return text


def verify(value: str, settings: Settings, *, jwks: Path | None = None, status_list: Path | None = None, now: dt.datetime | None = None) -> Verdict:
    """Check a credential (a file or a JWT string); never raises for a bad credential, only for bad input."""
    token = read_input(value)
    verdict = Verdict(token=token)
    header, claims = signing.unverified(token)
    credential = signing.credential_of(claims)
    verdict.credential = credential
    verdict.facts.append(f"format: {signing.shape_of(claims)}")
    _check_shape(credential, verdict)
    _check_claims(credential, claims, verdict)
    key, verdict.key_source = _find_key(header, credential, settings, jwks)
    if key is None:
        verdict.problems.append(f"no key to check the signature with: {verdict.key_source}")
    elif not signing.signature_valid(token, key, str(header.get("alg"))):
        verdict.problems.append(
            f"the signature does not match ({header.get('alg')}, key from {verdict.key_source}): the credential was altered, or signed by another key"
        )
    else:
        verdict.facts.append(f"signature valid ({header.get('alg')}, key from {verdict.key_source})")
    _check_dates(credential, claims, now or dt.datetime.now(dt.UTC), verdict)
    _check_status(credential, settings, status_list, key, verdict)
    return verdict


def issuer_id(credential: dict[str, Any]) -> str:
    """The issuer's id: the ``issuer`` string, or its ``id`` when it is an object ('' when absent)."""
    issuer = credential.get("issuer")
    return str(issuer.get("id") if isinstance(issuer, dict) else issuer or "")


def _check_shape(credential: dict[str, Any], verdict: Verdict) -> None:
    types = credential.get("type") or []
    if "VerifiableCredential" not in types or not {"OpenBadgeCredential", "AchievementCredential"} & set(types):
        verdict.problems.append(f"not an Open Badges 3.0 credential (type is {types})")
    issuer = issuer_id(credential)
    if not issuer:
        verdict.problems.append("the credential names no issuer")
    else:
        name = credential["issuer"].get("name") if isinstance(credential.get("issuer"), dict) else None
        verdict.facts.append(f"issuer: {name + ' ' if name else ''}({issuer})")


def _check_claims(credential: dict[str, Any], claims: dict[str, Any], verdict: Verdict) -> None:
    """A JWT claim that disagrees with the credential member it mirrors makes the credential invalid."""
    subject = credential.get("credentialSubject")
    mirrored = {
        "iss": ("issuer", issuer_id(credential) or None),
        "jti": ("id", credential.get("id")),
        "sub": ("credentialSubject.id", subject.get("id") if isinstance(subject, dict) else None),
        "nbf": ("validFrom", _seconds(credential.get("validFrom"))),
        "exp": ("validUntil", _seconds(credential.get("validUntil"))),
    }
    for claim, (member, value) in mirrored.items():
        if claim in claims and value is not None and claims[claim] != value:
            said, shown = claims[claim], value
            if claim in DATE_CLAIMS:  # NumericDates in words, as the credential writes them
                said, shown = _stamp(said), credential[member]
            verdict.problems.append(f"the JWT claim {claim} ({said}) is not the credential's {member} ({shown})")


def _stamp(numeric: Any) -> str:
    """A NumericDate as an ISO 8601 UTC date-time (the value itself when it is no number)."""
    if not isinstance(numeric, int | float):
        return repr(numeric)
    return dt.datetime.fromtimestamp(numeric, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _seconds(stamp: Any) -> int | None:
    """A credential date as a NumericDate; None when absent or unreadable (_check_dates says so)."""
    try:
        return signing.numeric(stamp) if stamp else None
    except LatError:
        return None


def _find_key(header: dict[str, Any], credential: dict[str, Any], settings: Settings, jwks: Path | None) -> tuple[jwk.Key | None, str]:
    kid = str(header.get("kid") or "")
    if jwks is not None:
        return _from_jwks(jwks, kid), f"the JWKS file {jwks}"
    for did in (issuer_id(credential), kid):
        if did.startswith(("did:jwk:", "did:key:")):
            return dids.key_for(did), f"the issuer's {did.split(':')[1]} identifier"
    if issuer_id(credential) == urls(settings).issuer and signing_key.key_path(settings).exists():
        own = signing_key.load(settings)
        if kid and not kid.endswith(f"#{own.kid}"):
            return None, f"the credential names this hub as issuer but was signed with key {kid}, not this hub's key {own.kid}"
        return jwk.import_key(own.public_jwk()), "this hub's signing key"
    if isinstance(header.get("jwk"), dict):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return jwk.import_key(header["jwk"]), "the JWT header's jwk (self-asserted: proves integrity, not the issuer's identity)"
    return None, "the header has no jwk, the issuer is no did:jwk/did:key, and no --jwks file was given"


def _from_jwks(path: Path, kid: str) -> jwk.Key:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        key_set = data["keys"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise LatError(f"{path}: not a JWKS file (a JSON object with 'keys'): {exc}") from None
    fragment = kid.rsplit("#", 1)[-1]
    matching = [k for k in key_set if k.get("kid") in (kid, fragment)] or (key_set if len(key_set) == 1 else [])
    if not matching:
        raise LatError(f"{path}: no key with kid {kid!r}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return jwk.import_key(matching[0])


def _check_dates(credential: dict[str, Any], claims: dict[str, Any], now: dt.datetime, verdict: Verdict) -> None:
    start, until = credential.get("validFrom"), credential.get("validUntil")
    if not until and isinstance(claims.get("exp"), int):  # OB 3.0 8.2.6.1: exp sets validUntil
        until = _stamp(claims["exp"])
    if not start:
        verdict.problems.append("the credential has no validFrom date")
        return
    try:
        if signing.parse_datetime(start) > now:
            verdict.problems.append(f"not valid yet: valid from {start}")
        if until and signing.parse_datetime(until) <= now:
            verdict.problems.append(f"expired: valid until {until}")
    except LatError as exc:
        verdict.problems.append(f"a date cannot be read: {exc}")
        return
    verdict.facts.append(f"valid from {start}" + (f" until {until}" if until else " (no end date)"))


def _check_status(credential: dict[str, Any], settings: Settings, status_list: Path | None, key: jwk.Key | None, verdict: Verdict) -> None:
    entries = credential.get("credentialStatus") or []
    for entry in entries if isinstance(entries, list) else [entries]:
        if entry.get("type") != "BitstringStatusListEntry" or entry.get("statusPurpose") != "revocation":
            verdict.facts.append(f"status of type {entry.get('type')} not checked")
            continue
        url, index = str(entry.get("statusListCredential")), int(entry.get("statusListIndex", -1))
        path = status_list or (signing_key.public_dir(settings) / "status" / "revocation" if url == urls(settings).status_list else None)
        if path is None or not path.exists():
            verdict.facts.append(f"revocation not checked: the status list {url} is not available offline (give --status-list FILE)")
            continue
        encoded = _encoded_list(path, key, verdict)
        if encoded is not None and revocation.is_set(encoded, index):
            verdict.problems.append(f"revoked: bit {index} of the status list {url} is set")
        elif encoded is not None:
            verdict.facts.append(f"not revoked (status list {url}, index {index})")


def _encoded_list(path: Path, key: jwk.Key | None, verdict: Verdict) -> str | None:
    text = path.read_text(encoding="utf-8").strip()
    if signing.looks_like_jwt(text):
        header, claims = signing.unverified(text)
        if key is None or not signing.signature_valid(text, key, str(header.get("alg"))):
            verdict.problems.append(f"the status list {path} is not signed by the credential's issuer")
            return None
        data = signing.credential_of(claims)
    else:
        data = json.loads(text)
    try:
        return str(data["credentialSubject"]["encodedList"])
    except (KeyError, TypeError):
        verdict.problems.append(f"{path} is not a BitstringStatusListCredential (no credentialSubject.encodedList)")
        return None

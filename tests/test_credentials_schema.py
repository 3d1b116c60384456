"""Issued credentials against the official 1EdTech Open Badges 3.0 JSON schemas.

The schemas come from a hash-pinned PyPI sdist (tests/ob3schema/requirements.txt, `make
ob3schema`) and are never committed; tests/ob3schema/official.py reads them in place.
"""

from __future__ import annotations

import copy
import hashlib
import re
from pathlib import Path
from typing import Any

import jwt
import pytest

from lat.credentials import achievements, award, signing_key
from tests.credentials_support import ACHIEVEMENTS, make_store
from tests.ob3schema import official


def _issued(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, dict[str, Any]]:
    """The decoded VC-JWT payloads of one award run, by achievement id (signatures: test_credentials_award)."""
    settings = make_store(tmp_path, monkeypatch)
    signing_key.generate(settings)
    report = award.award(settings, achievements.load(ACHIEVEMENTS))
    out = {}
    for a in report.awarded:
        assert a.credential_id is not None  # None only in a dry run
        token = (award.issued_dir(settings) / f"{a.credential_id.removeprefix('urn:uuid:')}.jwt").read_text().strip()
        out[a.achievement] = jwt.decode(token, options={"verify_signature": False})
    return out


def test_the_schemas_are_the_official_draft_2019_09_files_from_the_pinned_sdist() -> None:
    pinned = re.search(r"--hash=sha256:([0-9a-f]{64})", (official.HERE / "requirements.txt").read_text())
    assert pinned and hashlib.sha256(official.SDIST.read_bytes()).hexdigest() == pinned.group(1)
    schemas = official.schemas()
    assert sorted(schemas) == [official.CREDENTIAL, official.PROFILE]
    assert all(s["$schema"] == official.DRAFT for s in schemas.values())
    assert schemas[official.CREDENTIAL]["required"] == ["@context", "id", "type", "credentialSubject", "issuer", "validFrom"]


def test_every_issued_credential_and_its_issuer_conform(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The JWT payload is the credential (OB 3.0 section 8.2, VC-JOSE-COSE): it is what is validated."""
    issued = _issued(tmp_path, monkeypatch)
    assert sorted(issued) == ["mentoring-participant", "school-steps"]  # a person's and a school's
    for payload in issued.values():
        assert "vc" not in payload  # VC-JOSE-COSE: the vc claim MUST NOT be present
        assert payload.get("sub") == payload["credentialSubject"].get("id")  # the school's; none for a person
        assert official.problems(payload) == []
        assert official.problems(payload["issuer"], official.PROFILE) == []
        assert payload["credentialSchema"] == [{"id": official.CREDENTIAL, "type": "1EdTechJsonSchemaValidator2019"}]


def test_the_official_schema_rejects_broken_credentials(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Negative controls: the validator discriminates (formats asserted, required fields, the OB context)."""
    good = _issued(tmp_path, monkeypatch)["mentoring-participant"]
    no_issuer = copy.deepcopy(good)
    del no_issuer["issuer"]
    assert official.problems(no_issuer) == ["<root>: 'issuer' is a required property"]
    bad_date = copy.deepcopy(good)
    bad_date["validFrom"] = "2025-13-01"
    assert official.problems(bad_date) == ["validFrom: '2025-13-01' is not a 'date-time'"]
    old_context = copy.deepcopy(good)
    old_context["@context"][1] = "https://w3id.org/openbadges/v2"
    assert [p.split(":")[0] for p in official.problems(old_context)] == ["@context"]
    no_criteria = copy.deepcopy(good)
    del no_criteria["credentialSubject"]["achievement"]["criteria"]
    assert official.problems(no_criteria) == ["credentialSubject/achievement: 'criteria' is a required property"]

"""The official 1EdTech Open Badges 3.0 JSON schemas, read from the PyPI sdist `make ob3schema` fetched.

The schemas are not committed (licence and provenance): tests/ob3schema/requirements.txt pins
openbadgeslib's source distribution by hash, and its tests/fixtures/ob_schemas/ holds the files
1EdTech publishes at https://purl.imsglobal.org/spec/ob/v3p0/schema/json/. They are read from the
tarball in place; nothing is fetched at test time.
"""

from __future__ import annotations

import functools
import json
import tarfile
from pathlib import Path
from typing import Any

from jsonschema import Draft201909Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT201909

HERE = Path(__file__).resolve().parent
SDIST = HERE / "dist" / "openbadgeslib-4.6.3.tar.gz"
MEMBER_DIR = "openbadgeslib-4.6.3/tests/fixtures/ob_schemas"
BASE = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json"
CREDENTIAL = f"{BASE}/ob_v3p0_achievementcredential_schema.json"
PROFILE = f"{BASE}/ob_v3p0_profile_schema.json"
DRAFT = "https://json-schema.org/draft/2019-09/schema#"


@functools.cache
def schemas() -> dict[str, dict[str, Any]]:
    """Every official schema in the sdist, by its $id (the purl.imsglobal.org URL)."""
    assert SDIST.is_file(), f"{SDIST} is missing: run 'make ob3schema' (or 'make test')"
    found: dict[str, dict[str, Any]] = {}
    with tarfile.open(SDIST) as tar:
        for member in tar.getmembers():
            if member.name.startswith(MEMBER_DIR + "/") and member.name.endswith("_schema.json"):
                handle = tar.extractfile(member)
                assert handle is not None, member.name
                schema = json.load(handle)
                found[schema["$id"]] = schema
    return found


def registry() -> Registry:
    """The schemas as a referencing registry, so a $ref between them resolves offline."""
    resources = [(uri, Resource.from_contents(s, default_specification=DRAFT201909)) for uri, s in schemas().items()]
    return Registry().with_resources(resources)


def validator(uri: str = CREDENTIAL) -> Draft201909Validator:
    """A draft 2019-09 validator for one official schema, formats (date-time, uri) asserted."""
    return Draft201909Validator(schemas()[uri], registry=registry(), format_checker=Draft201909Validator.FORMAT_CHECKER)


def problems(document: dict[str, Any], uri: str = CREDENTIAL) -> list[str]:
    """Every violation as 'path: message', sorted, so a failing test names them all."""
    errors = sorted(validator(uri).iter_errors(document), key=lambda e: [str(p) for p in e.absolute_path])
    return [f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}" for e in errors]

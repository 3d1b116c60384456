"""String formats of xAPI values: IRIs, UUIDs, mailto IRIs, timestamps, durations, language tags.

Each ``*_error`` function returns ``None`` for a good value or a reason without a path
(the caller adds it). IRIs and language tags repeat across statements (verbs, activity
types, ``en``), so the values already found good are remembered in small sets: a set
lookup is several times cheaper than a regex match.
"""

from __future__ import annotations

import re
from typing import Any

# Scheme, then anything but whitespace, controls and the characters RFC 3987 excludes.
# http(s) IRIs also need an authority ("http:foo" is no usable locator).
_IRI = re.compile(
    r"(?:[hH][tT][tT][pP][sS]?://[^\s/?#<>\"{}|\\^`\x00-\x1f\x7f]+[^\s<>\"{}|\\^`\x00-\x1f\x7f]*"
    r"|(?![hH][tT][tT][pP][sS]?:)[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`\x00-\x1f\x7f]+)"
)
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
# RFC 4122 variant (10xx in the clock_seq_hi nibble); versions 1-5 of RFC 4122 plus 6-8 of
# RFC 9562, which obsoletes it and keeps the same variant.
_UUID_VERSIONS = frozenset("12345678")
_UUID_VARIANT = frozenset("89abAB")
_MAILTO = re.compile(r"mailto:[^@\s<>\"(),;:\\\[\]]+@[^@\s<>\"(),;:\\\[\]]+")
_SHA1 = re.compile(r"[0-9a-fA-F]{40}")
_HEX = re.compile(r"[0-9a-fA-F]+")
# SHA-2 family digests in hex: SHA-224, SHA-256, SHA-384, SHA-512.
_SHA2_LENGTHS = frozenset((56, 64, 96, 128))
_MEDIA_TYPE = re.compile(
    r"[A-Za-z0-9][A-Za-z0-9!#$&^_.+\-]*/[A-Za-z0-9][A-Za-z0-9!#$&^_.+\-]*"
    r"(?:\s*;\s*[A-Za-z0-9!#$&^_.+\-]+=(?:[A-Za-z0-9!#$&^_.+\-]+|\"[^\"]*\"))*"
)

# ISO 8601 combined date and time, extended or basic format (xAPI 1.0.3, conformance
# requirement XAPI-00123); offset optional.
_ISO_EXTENDED = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?(Z|[+-]\d{2}(?::?\d{2})?)?")
_ISO_BASIC = re.compile(r"(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(?:(\d{2})(?:[.,]\d+)?)?(Z|[+-]\d{2}(?:\d{2})?)?")
# RFC 3339 date-time (xAPI 2.0): seconds and an offset are part of the grammar.
_RFC3339 = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(Z|[+-]\d{2}:\d{2})")
_NEGATIVE_ZERO = frozenset(("-00", "-0000", "-00:00"))
_DAYS = (0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)

# ISO 8601:2004 4.4.3.2 durations: PnYnMnDTnHnMnS or PnW (the alternative format of
# 4.4.3.3, P0001-02-03T..., is excluded by the xAPI spec).
_NUM = r"\d+(?:[.,]\d+)?"
_DURATION = re.compile(rf"P(?:{_NUM}W|(?=\d|T\d)(?:{_NUM}Y)?(?:{_NUM}M)?(?:{_NUM}D)?(?:T(?=\d)(?:{_NUM}H)?(?:{_NUM}M)?(?:{_NUM}S)?)?)")
_FRACTION_LAST = re.compile(r"[.,]\d+[YMWDHS]$")

# RFC 5646 language tag (langtag / privateuse / irregular grandfathered), case-insensitive.
_LANGTAG = re.compile(
    r"(?:(?:[a-z]{2,3}(?:-[a-z]{3}){0,3}|[a-z]{4}|[a-z]{5,8})"
    r"(?:-[a-z]{4})?"
    r"(?:-(?:[a-z]{2}|\d{3}))?"
    r"(?:-(?:[a-z0-9]{5,8}|\d[a-z0-9]{3}))*"
    r"(?:-[0-9a-wy-z](?:-[a-z0-9]{2,8})+)*"
    r"(?:-x(?:-[a-z0-9]{1,8})+)?"
    r"|x(?:-[a-z0-9]{1,8})+)",
    re.IGNORECASE,
)
_IRREGULAR_TAGS = frozenset(
    "en-gb-oed i-ami i-bnn i-default i-enochian i-hak i-klingon i-lux i-mingo i-navajo i-pwn i-tao i-tay i-tsu sgn-be-fr sgn-be-nl sgn-ch-de".split()
)

_CACHE_LIMIT = 100_000
GOOD_IRIS: set[str] = set()
GOOD_TAGS: set[str] = set()

_JSON_TYPES = {
    type(None): "null",
    bool: "boolean",
    int: "number",
    float: "number",
    str: "string",
    list: "array",
    dict: "object",
}


def json_type(value: Any) -> str:
    """The JSON name of a parsed value's type, for messages ("got null", "got number")."""
    return _JSON_TYPES.get(type(value), type(value).__name__)


def shown(value: Any) -> str:
    """A value as a message shows it: strings quoted, JSON literals as JSON, containers by type."""
    if value.__class__ is str:
        return repr(value)
    if value is None or value.__class__ is bool:
        return "null" if value is None else str(value).lower()
    if value.__class__ in (int, float):
        return str(value)
    return json_type(value)


def _remember(cache: set[str], value: str) -> None:
    if len(cache) >= _CACHE_LIMIT:  # bound the memory a stream of distinct IRIs can take
        cache.clear()
    cache.add(value)


def iri_error(value: Any) -> str | None:
    """Why ``value`` is not an absolute IRI (a string with a scheme), or None."""
    if value.__class__ is str:
        if value in GOOD_IRIS:
            return None
        if _IRI.fullmatch(value):
            _remember(GOOD_IRIS, value)
            return None
        if not value:
            return "must be an absolute IRI, got an empty string"
        return f"{value!r} is not an absolute IRI (it needs a scheme such as https: and no spaces)"
    return f"must be an IRI string, got {json_type(value)}"


def is_iri(value: Any) -> bool:
    """True for an absolute IRI string."""
    return value.__class__ is str and (value in GOOD_IRIS or iri_error(value) is None)


def language_tag_error(value: str) -> str | None:
    """Why ``value`` is not an RFC 5646 language tag, or None."""
    if value in GOOD_TAGS:
        return None
    if _LANGTAG.fullmatch(value) or value.lower() in _IRREGULAR_TAGS:
        _remember(GOOD_TAGS, value)
        return None
    return f"{value!r} is not an RFC 5646 language tag"


def uuid_error(value: Any) -> str | None:
    """Why ``value`` is not a UUID in standard string form of the RFC 4122 variant, or None."""
    if value.__class__ is not str:
        return f"must be a UUID string, got {json_type(value)}"
    if len(value) != 36 or not _UUID.fullmatch(value):
        return f"{value!r} is not a UUID in standard form (8-4-4-4-12 hex digits)"
    if value[19] not in _UUID_VARIANT:
        return f"{value!r} is not an RFC 4122 variant UUID (digit 17 must be 8, 9, a or b)"
    if value[14] not in _UUID_VERSIONS:
        return f"{value!r} has UUID version {value[14]}, not 1 to 8"
    return None


def mbox_error(value: Any) -> str | None:
    """Why ``value`` is not a ``mailto:`` IRI with an email address, or None."""
    if value.__class__ is not str:
        return f"must be a mailto: IRI string, got {json_type(value)}"
    if not _MAILTO.fullmatch(value):
        return f"{value!r} is not a mailto: IRI with an email address"
    return None


def sha1_error(value: Any) -> str | None:
    """Why ``value`` is not a 40-hex-digit SHA-1, or None."""
    if value.__class__ is not str:
        return f"must be a string of 40 hex digits, got {json_type(value)}"
    if not _SHA1.fullmatch(value):
        return f"{value!r} is not a SHA-1 hash (40 hex digits)"
    return None


def sha2_error(value: Any) -> str | None:
    """Why ``value`` is not a hex SHA-2 digest (224, 256, 384 or 512 bits), or None."""
    if value.__class__ is not str:
        return f"must be a hex SHA-2 string, got {json_type(value)}"
    if len(value) not in _SHA2_LENGTHS or not _HEX.fullmatch(value):
        return f"{value!r} is not a SHA-2 hash (56, 64, 96 or 128 hex digits)"
    return None


def media_type_error(value: Any) -> str | None:
    """Why ``value`` is not an Internet media type such as ``text/plain; charset=ascii``, or None."""
    if value.__class__ is not str:
        return f"must be a media type string, got {json_type(value)}"
    if not _MEDIA_TYPE.fullmatch(value):
        return f"{value!r} is not an Internet media type (type/subtype)"
    return None


def duration_error(value: Any) -> str | None:
    """Why ``value`` is not an ISO 8601:2004 4.4.3.2 duration (``PT1H30M``, ``P2W``), or None."""
    if value.__class__ is not str:
        return f"must be an ISO 8601 duration string, got {json_type(value)}"
    if not _DURATION.fullmatch(value):
        return f"{value!r} is not an ISO 8601 duration (PnYnMnDTnHnMnS or PnW)"
    fractions = value.count(".") + value.count(",")
    if fractions and (fractions > 1 or not _FRACTION_LAST.search(value)):
        return f"{value!r}: only the last component of a duration may have a decimal fraction"
    return None


def timestamp_error(value: Any, rfc3339: bool) -> str | None:
    """Why ``value`` is not a timestamp, or None.

    ``rfc3339`` (xAPI 2.0) asks for RFC 3339: extended format, seconds and an offset
    (``Z`` or ``+hh:mm``). Otherwise (xAPI 1.0.3) any ISO 8601 combined date and time in
    extended or basic format passes, offset optional. Both reject the "unknown local
    offset" forms ``-00``, ``-0000`` and ``-00:00``, as the ADL conformance suite does.
    """
    if value.__class__ is not str:
        return f"must be a timestamp string, got {json_type(value)}"
    match = _RFC3339.fullmatch(value)
    if match is None:
        if rfc3339:
            return _rfc3339_reason(value)
        match = _ISO_EXTENDED.fullmatch(value) or _ISO_BASIC.fullmatch(value)
        if match is None:
            return f"{value!r} is not an ISO 8601 date and time (e.g. 2024-05-04T12:00:00Z)"
    year, month, day, hour, minute, second, offset = match.groups()
    if offset in _NEGATIVE_ZERO:
        return f"{value!r}: offset {offset} is not allowed, write Z or +00:00"
    month_i, day_i = int(month), int(day)
    if not 1 <= month_i <= 12 or not 1 <= day_i <= _DAYS[month_i]:
        return f"{value!r} is not a calendar date"
    if month_i == 2 and day_i == 29 and not _leap(int(year)):
        return f"{value!r} is not a calendar date ({year} is not a leap year)"
    if int(hour) > 23 or int(minute) > 59 or (second is not None and int(second) > 60):
        return f"{value!r} is not a time of day"
    if offset and offset != "Z" and (int(offset[1:3]) > 23 or int(offset[-2:]) > 59):
        return f"{value!r}: offset {offset} is out of range"
    return None


def _rfc3339_reason(value: str) -> str:
    if _ISO_EXTENDED.fullmatch(value) and _ISO_EXTENDED.fullmatch(value).group(7) is None:  # type: ignore[union-attr]  # matched just before
        return f"{value!r} has no timezone offset; xAPI 2.0 timestamps are RFC 3339 and need Z or ±hh:mm"
    return f"{value!r} is not an RFC 3339 timestamp as xAPI 2.0 requires (e.g. 2024-05-04T12:00:00.000Z)"


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)

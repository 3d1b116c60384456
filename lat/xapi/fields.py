"""The parts of the row rule that are xAPI alone, shared by the rest of LAT.

The row rule itself is :func:`lat.store.rows.statement_values` (one rule for every way in, and the
C fast path's twin); this module holds the pieces other modules use on their own:
:func:`actor_key` (the registry, the LRS's queries and documents, survey import use it to
name agents), :func:`duration_seconds` and :data:`PROFILE_COLUMNS`.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from lat.xapi import vocab

_DURATION = re.compile(
    r"^P(?:(?P<y>\d+(?:\.\d+)?)Y)?(?:(?P<mo>\d+(?:\.\d+)?)M)?(?:(?P<w>\d+(?:\.\d+)?)W)?(?:(?P<d>\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<mi>\d+(?:\.\d+)?)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$"
)
_SECONDS = {"y": 365.25 * 86400, "mo": 30.4375 * 86400, "w": 7 * 86400, "d": 86400, "h": 3600, "mi": 60, "s": 1}


def actor_key(agent: dict[str, Any] | None) -> str | None:
    """The normalised inverse functional identifier of an agent or identified group.

    ``mailto:x@y`` (lower-cased), ``sha1:<hex>``, the openid URI, or ``homePage|name`` for an
    account. An anonymous group gets ``group:<sha1 of its members' keys>``.
    """
    if not agent:
        return None
    if mbox := agent.get("mbox"):
        return str(mbox).lower()
    if sha := agent.get("mbox_sha1sum"):
        return f"sha1:{str(sha).lower()}"
    if openid := agent.get("openid"):
        return str(openid)
    if account := agent.get("account"):
        return f"{account.get('homePage', '')}|{account.get('name', '')}"
    members = agent.get("member") or []
    if members:
        keys = sorted(k for m in members if (k := actor_key(m)))
        return "group:" + hashlib.sha1("\n".join(keys).encode()).hexdigest()
    return None


def duration_seconds(value: str | None) -> float | None:
    """Seconds in an ISO 8601 duration (``PT1H30M`` -> 5400.0); None when absent or unreadable."""
    if not value:
        return None
    match = _DURATION.match(value)
    if not match:
        return None
    return sum(float(v) * _SECONDS[k] for k, v in match.groupdict().items() if v)


# The LAT profile's context extensions, flattened into columns of their own (in this order).
PROFILE_COLUMNS = (
    ("school", vocab.EXT_SCHOOL), ("hub", vocab.EXT_HUB), ("round", vocab.EXT_ROUND), ("area", vocab.EXT_AREA),
    ("item", vocab.EXT_ITEM), ("respondent_group", vocab.EXT_GROUP), ("phase", vocab.EXT_PHASE),
)  # fmt: skip


_SHA1 = re.compile(r"^[0-9a-fA-F]{40}$")
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")


def normalise_actor(value: str) -> str:
    """The statement actor key (see :func:`lat.xapi.fields.actor_key`) for a registry actor string.

    Accepted forms: ``mailto:name@host`` (lower-cased), ``sha1:<40 hex>`` (the mbox_sha1sum,
    lower-cased), ``homePage|name`` (an account, kept as is) and any other URI (an openid,
    kept as is). Raises :class:`ValueError` with the reason for anything else.
    """
    text = value.strip()
    lower = text.lower()
    if lower.startswith("mailto:"):
        if "@" not in text[len("mailto:") :]:
            raise ValueError(f"'{text}' has no email address after 'mailto:'")
        return _key({"mbox": text})
    if lower.startswith("sha1:"):
        if not _SHA1.match(text[len("sha1:") :]):
            raise ValueError(f"'{text}' is not 'sha1:' followed by 40 hexadecimal digits")
        return _key({"mbox_sha1sum": text[len("sha1:") :]})
    if "|" in text:
        home_page, _, name = text.partition("|")
        if not re.match(r"^https?://\S+$", home_page) or not name:
            raise ValueError(f"'{text}' is not an account 'homePage|name' (homePage an http(s) URL, name not empty)")
        return _key({"account": {"homePage": home_page, "name": name}})
    if _URI.match(text):
        return _key({"openid": text})
    hint = f"; write an email address as 'mailto:{text}'" if "@" in text else ""
    raise ValueError(f"'{text}' is not an xAPI actor (mailto:..., sha1:<hex>, homePage|name or an openid URI){hint}")


def _key(agent: dict[str, Any]) -> str:
    key = actor_key(agent)
    assert key is not None  # every branch above passes an identified agent
    return key

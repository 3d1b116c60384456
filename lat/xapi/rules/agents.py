"""Agents, Groups, accounts and the authority (xAPI Data 2.4.2, 2.4.9).

An Agent has exactly one inverse functional identifier (IFI). An anonymous Group has no
IFI and lists its members; an identified Group has exactly one IFI. Members are Agents,
never Groups.
"""

from __future__ import annotations

from typing import Any

from lat.xapi.rules import join
from lat.xapi.rules.formats import GOOD_IRIS, iri_error, json_type, mbox_error, sha1_error, shown

IFIS = ("mbox", "mbox_sha1sum", "openid", "account")
IFI_SET = frozenset(IFIS)
AGENT_KEYS = frozenset(("objectType", "name", *IFIS))
GROUP_KEYS = AGENT_KEYS | {"member"}
ACCOUNT_KEYS = frozenset(("homePage", "name"))
_AGENT_ORDER = ("objectType", "name", *IFIS)
_GROUP_ORDER = (*_AGENT_ORDER, "member")


def unknown_key(value: dict[str, Any], allowed: frozenset[str], order: tuple[str, ...], what: str) -> str:
    """The reason for the first property of ``value`` that ``allowed`` lacks."""
    key = next(k for k in value if k not in allowed)
    return f"{key}: not a property of {what} (allowed: {', '.join(order)})"


def actor_error(value: Any) -> str | None:
    """Why ``value`` is not an Agent or a Group, or None."""
    if value.__class__ is not dict:
        return f": must be an Agent or Group object, got {json_type(value)}"
    object_type = value.get("objectType", "Agent")
    if object_type == "Agent":
        return agent_error(value)
    if object_type == "Group":
        return group_error(value)
    return f"objectType: must be 'Agent' or 'Group', got {shown(object_type)}"


def agent_error(value: Any) -> str | None:
    """Why ``value`` is not an Agent (objectType absent or ``Agent``), or None."""
    if value.__class__ is not dict:
        return f": must be an Agent object, got {json_type(value)}"
    if not value.keys() <= AGENT_KEYS:
        if "member" in value and "objectType" not in value:
            return "member: an Agent has no members (a Group needs objectType 'Group')"
        return unknown_key(value, AGENT_KEYS, _AGENT_ORDER, "an Agent")
    if "objectType" in value and value["objectType"] != "Agent":
        return f"objectType: must be 'Agent', got {shown(value['objectType'])}"
    present = value.keys() & IFI_SET
    if len(present) != 1:
        return _ifi_count("an Agent", _ifis(value))
    if "name" in value and value["name"].__class__ is not str:
        return f"name: must be a string, got {json_type(value['name'])}"
    (ifi,) = present
    if ifi == "account":
        account = value["account"]
        # the usual account, checked inline: {homePage: known IRI, name: string}
        if (
            account.__class__ is dict
            and len(account) == 2
            and account.get("name").__class__ is str
            and account.get("homePage").__class__ is str
            and account["homePage"] in GOOD_IRIS
        ):
            return None
    return _ifi_error(value, ifi)


def group_error(value: Any) -> str | None:
    """Why ``value`` is not a Group (objectType ``Group``), or None."""
    if value.__class__ is not dict:
        return f": must be a Group object, got {json_type(value)}"
    if not value.keys() <= GROUP_KEYS:
        return unknown_key(value, GROUP_KEYS, _GROUP_ORDER, "a Group")
    if value.get("objectType") != "Group":
        if "objectType" not in value:
            return "objectType: a Group needs objectType 'Group', and it is missing"
        return f"objectType: a Group needs objectType 'Group', got {shown(value['objectType'])}"
    found = _ifis(value)
    if len(found) > 1:
        return _ifi_count("an identified Group", found)
    err = _name_error(value)
    if err:
        return err
    if found:
        err = _ifi_error(value, found[0])
        if err:
            return err
    elif "member" not in value:
        return ": an anonymous Group (no mbox, mbox_sha1sum, openid or account) needs a member list"
    if "member" in value:
        return members_error(value["member"], anonymous=not found)
    return None


def members_error(members: Any, anonymous: bool) -> str | None:
    """Why a Group's ``member`` value is not a list of Agents, or None."""
    if members.__class__ is not list:
        return f"member: must be an array of Agents, got {json_type(members)}"
    if anonymous and not members:
        return "member: an anonymous Group needs at least one member"
    for i, member in enumerate(members):
        if member.__class__ is dict and member.get("objectType") == "Group":
            return f"member[{i}]: a Group cannot contain a Group"
        err = agent_error(member)
        if err:
            return join(f"member[{i}]", err)
    return None


def authority_error(value: Any) -> str | None:
    """Why ``value`` cannot be an authority: an Agent, or an anonymous Group of exactly two Agents (3-legged OAuth)."""
    err = actor_error(value)
    if err:
        return err
    if value.get("objectType") == "Group":
        found = _ifis(value)
        if found:  # the OAuth pair is anonymous (ADL conformance XAPI-00098)
            return f"{found[0]}: an authority Group must be an anonymous Group of two Agents, not an identified Group"
        members = value.get("member")
        if members.__class__ is not list or len(members) != 2:
            count = len(members) if members.__class__ is list else 0
            return f": an authority Group must have exactly two Agent members (OAuth consumer and user), found {count}"
    return None


def account_error(value: Any) -> str | None:
    """Why ``value`` is not an account object with a homePage IRL and a name, or None."""
    if value.__class__ is not dict:
        return f": must be an account object, got {json_type(value)}"
    if not value.keys() <= ACCOUNT_KEYS:
        return unknown_key(value, ACCOUNT_KEYS, ("homePage", "name"), "an account")
    if "homePage" not in value:
        return "homePage: required property is missing"
    if "name" not in value:
        return "name: required property is missing"
    err = iri_error(value["homePage"])
    if err:
        return "homePage: " + err
    if value["name"].__class__ is not str:
        return f"name: must be a string, got {json_type(value['name'])}"
    return None


def _ifis(value: dict[str, Any]) -> list[str]:
    return [k for k in IFIS if k in value]


def _ifi_count(what: str, found: list[str]) -> str:
    listed = f" ({', '.join(found)})" if found else ""
    return f": {what} needs exactly one identifier of {', '.join(IFIS)}; found {len(found)}{listed}"


def _name_error(value: dict[str, Any]) -> str | None:
    if "name" in value and value["name"].__class__ is not str:
        return f"name: must be a string, got {json_type(value['name'])}"
    return None


def _ifi_error(value: dict[str, Any], ifi: str) -> str | None:
    if ifi == "account":
        err = account_error(value["account"])
        return join("account", err) if err else None
    check = _IFI_CHECKS[ifi]
    err = check(value[ifi])
    return f"{ifi}: {err}" if err else None


_IFI_CHECKS = {"mbox": mbox_error, "mbox_sha1sum": sha1_error, "openid": iri_error}

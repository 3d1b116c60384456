"""The rules behind :func:`lat.xapi.validation.validate`, split by what they check.

``formats`` holds the string formats (IRI, UUID, timestamp, duration, language tag),
``agents`` the Agent/Group rules, ``activities`` the Activity and interaction rules and
``statements`` the Statement, SubStatement, result, context and attachment rules.

Every checker returns ``None`` when the value is valid, else one reason whose path is
relative to the value checked: ``"mbox: ..."`` names a property inside it, ``"[2]: ..."``
an array item and ``": ..."`` the value itself. :func:`join` puts the parent's name in front,
so paths are only ever built for the one statement that fails.
"""

from __future__ import annotations


def join(prefix: str, reason: str) -> str:
    """Prefix a relative reason with the name of the property that holds the value."""
    if reason[0] in ":[":
        return prefix + reason
    return f"{prefix}.{reason}"

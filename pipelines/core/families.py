"""The registered indicator families: the registration point of ``lat compute``.

Add one line to ``FAMILIES`` for a new family (see pipelines/README.md). A family module has
``compute(sources, settings) -> {mart name: frame}``; a *partitioned* one also has
``state(sources, settings)`` (sufficient statistics keyed by ``PARTITION``) and
``derive(state, sources, settings)`` (marts from statistics).
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

import pipelines

# (family name, "module:function"); imported lazily, in this order.
FAMILIES: list[tuple[str, str]] = [
    ("registry", "pipelines.registry.family:compute"),
    ("maturity", "pipelines.maturity.family:compute"),
    ("competence", "pipelines.competence.family:compute"),
    ("rounds", "pipelines.rounds.family:compute"),
    ("mentoring", "pipelines.mentoring.family:compute"),
    ("outcome", "pipelines.mentoring.outcome_family:compute"),
    ("activity", "pipelines.activity.family:compute"),
    ("profiles", "pipelines.profiles.family:compute"),
    ("pairing", "pipelines.pairing.family:compute"),
    ("credentials", "pipelines.credentials.family:compute"),
]

PARTITION = ["school", "round"]  # the key of a partitioned family's statistics


def family_modules() -> list[tuple[str, ModuleType, str]]:
    """(name, module, function name) of every registered family."""
    out = []
    for name, target in FAMILIES:
        module_name, attr = target.split(":")
        out.append((name, importlib.import_module(module_name), attr))
    return out


def load_catalogue() -> None:
    """Import every family module and every module of the package, so every mart and
    indicator is registered whatever a family imports lazily."""
    family_modules()
    for info in pkgutil.walk_packages(pipelines.__path__, prefix="pipelines."):
        if info.name.rsplit(".", 1)[-1] not in ("docs", "__main__"):
            importlib.import_module(info.name)


def partitioned(module: ModuleType) -> bool:
    """A family with ``state`` and ``derive`` (its statistics are kept between runs)."""
    return hasattr(module, "state") and hasattr(module, "derive")

"""The docs cover the code and name only what exists: every CLI command, setting and lat/ package is
documented, the role table is the role policy, and no page names a module that was renamed
(datasette-style doc coverage)."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import click
import pytest

from lat.access.roles import PERMISSIONS
from lat.cli import cli
from lat.config import Settings

DOCS = Path(__file__).resolve().parent.parent / "docs"
ROOT = DOCS.parent
ARCHITECTURE = DOCS / "architecture.md"


def _command_paths(group: click.Group, prefix: str = "lat") -> list[str]:
    ctx = click.Context(group)
    paths = []
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None, f"command {name} is registered but cannot be loaded"
        path = f"{prefix} {name}"
        paths.append(path)
        if isinstance(command, click.Group):
            paths.extend(_command_paths(command, path))
    return paths


@pytest.mark.parametrize("path", _command_paths(cli))
def test_every_command_is_in_the_cli_reference(path: str) -> None:
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    assert f"`{path}" in text, f"'{path}' is not documented in docs/cli.md"


@pytest.mark.parametrize("field", sorted(Settings.model_fields))
def test_every_setting_is_in_the_configuration_page(field: str) -> None:
    text = (DOCS / "configuration.md").read_text(encoding="utf-8")
    assert f"LAT_{field.upper()}" in text, f"LAT_{field.upper()} is not documented in docs/configuration.md"


def test_every_command_has_help() -> None:
    from click.testing import CliRunner

    for path in _command_paths(cli):
        args = path.split()[1:] + ["--help"]
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0, f"{path} --help failed: {result.output}"
        assert "Usage:" in result.output


def _lat_parts() -> list[str]:
    """Every package and top-level module of ``lat/``, as dotted names."""
    lat = ROOT / "lat"
    packages = [f"lat.{p.name}" for p in sorted(lat.iterdir()) if (p / "__init__.py").exists()]
    modules = [f"lat.{p.stem}" for p in sorted(lat.glob("*.py")) if p.stem != "__init__"]
    return packages + modules


@pytest.mark.parametrize("name", _lat_parts())
def test_every_lat_package_is_in_the_architecture_page(name: str) -> None:
    text = ARCHITECTURE.read_text(encoding="utf-8")
    assert f"`{name}`" in text, f"{name} is not described in docs/architecture.md (its table of packages)"


def test_the_permissions_table_is_the_role_policy() -> None:
    """docs/access-control.md's table of actions says what lat.access.roles.PERMISSIONS says."""
    text = (DOCS / "access-control.md").read_text(encoding="utf-8")
    section = text.split("### What else a role may do", 1)[1].split("\n#", 1)[0]
    rows = [line.split("|")[1:-1] for line in section.splitlines() if line.startswith("| `")]
    header = next(line for line in section.splitlines() if line.startswith("| action"))
    roles = [cell.strip() for cell in header.split("|")[2:-1]]
    documented: dict[str, set[str]] = {role: set() for role in roles}
    for action, *cells in rows:
        for role, cell in zip(roles, cells, strict=True):
            if cell.strip() == "yes":
                documented[role].add(action.split("`")[1])
    assert documented == {role: set(actions) for role, actions in PERMISSIONS.items()}


# Names the docs use on purpose although the code has no such thing (any more).
NOT_IN_THE_CODE = {
    "pipelines.yours.family",  # pipelines/README.md: the line a new family adds
    "lat/lrs/rows.py",  # docs/lrs.md: the LRS's own row path before the one writer, since removed
}
DOTTED = re.compile(r"`((?:lat|pipelines|dashboards)(?:\.[A-Za-z_][A-Za-z0-9_]*)+)")
PATH = re.compile(r"[`(](?:\.\./)?((?:lat|pipelines|dashboards)/[A-Za-z0-9_./*\[\]-]*[A-Za-z0-9_/*\]])")


def _doc_pages() -> list[Path]:
    return [*sorted(DOCS.glob("*.md")), ROOT / "README.md", ROOT / "pipelines" / "README.md"]


def _resolves(name: str) -> bool:
    """Whether the dotted ``name`` is a module of the tree, or a name defined in one."""
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        base = ROOT.joinpath(*parts[:end])
        if base.with_suffix(".c").exists():
            return True  # a C extension: built or not, its source is there (names in C are not checked)
        if base.with_suffix(".py").exists() or (base / "__init__.py").exists():
            target: object = importlib.import_module(".".join(parts[:end]))
            for attr in parts[end:]:
                if not hasattr(target, attr):
                    return False
                target = getattr(target, attr)
            return True
    return False


@pytest.mark.parametrize("page", _doc_pages(), ids=lambda p: str(p.relative_to(ROOT)))
def test_docs_name_modules_and_files_that_exist(page: Path) -> None:
    """A module, name or path of lat/, pipelines/ or dashboards/ in a doc page exists (catches renames)."""
    text = page.read_text(encoding="utf-8")
    names = sorted(set(DOTTED.findall(text)) - NOT_IN_THE_CODE - {"lat.duckdb"})  # lat.duckdb: the store's file
    paths = sorted(set(PATH.findall(text)) - NOT_IN_THE_CODE)
    stale = [name for name in names if not _resolves(name)]
    stale += [path for path in paths if not any(ch in path for ch in "*[") and not (ROOT / path).exists()]
    assert stale == [], f"{page.name} names what the code does not have: {stale}"

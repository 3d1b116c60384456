"""Every CLI command and every setting is documented (datasette-style doc coverage)."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from lat.cli import cli
from lat.config import Settings

DOCS = Path(__file__).resolve().parent.parent / "docs"


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

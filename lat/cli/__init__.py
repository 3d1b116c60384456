"""The ``lat`` command line.

Commands live in ``lat/cli/<name>.py`` and are imported only when used, so that
``lat --help`` stays fast. Register a new command in ``COMMANDS`` and document it in
``docs/cli.md`` (a test checks).

Exit codes: 0 success, 1 failure (a :class:`~lat.errors.LatError`, printed as one line),
2 usage error (click's own).
"""

from __future__ import annotations

import importlib
import sys

import click

from lat import __version__
from lat.errors import LatError

# name -> "module:attribute"; each attribute is a click command or group
COMMANDS: dict[str, str] = {
    "sample": "lat.cli.sample:sample",
    "ingest": "lat.cli.ingest:ingest",
    "status": "lat.cli.status:status",
    "import-survey": "lat.cli.import_survey:import_survey",
    "pull": "lat.cli.pull:pull",
    "users": "lat.cli.users:users",
    "audit": "lat.cli.audit:audit",
    "forget": "lat.cli.forget:forget",
    "retention": "lat.cli.retention:retention",
    "registry": "lat.cli.registry:registry",
    "compute": "lat.cli.compute:compute",
    "indicators": "lat.cli.indicators:indicators",
    "dashboard": "lat.cli.dashboard:dashboard",
    "demo": "lat.cli.demo:demo",
    "export": "lat.cli.export:export",
    "credentials": "lat.cli.credentials:credentials",
    "lrs": "lat.cli.lrs:lrs",
    "alerts": "lat.cli.alerts:alerts",
    "report": "lat.cli.report:report",
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        """The subcommand names, sorted."""
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """The subcommand ``cmd_name``, importing its module now; None when there is no such command."""
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module, attr = target.split(":")
        return getattr(importlib.import_module(module), attr)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="lat")
def cli() -> None:
    """Learning Analytics Toolbox: xAPI in, digital-maturity and mentoring indicators out.

    Data lives in LAT_HOME (default ./lat-data). Start with 'lat demo'.
    """
    # Runs before any command (not for 'lat --help'); imported here, like the commands, so
    # that 'lat --help' stays fast.
    from lat.cli.upgrade import describe_old_marts

    describe_old_marts()


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI, turning user errors into one readable line and exit code 1."""
    try:
        cli.main(args=argv, prog_name="lat", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(1)
    except LatError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)
    sys.exit(0)

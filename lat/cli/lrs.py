"""``lat lrs``: the xAPI Statement API service, and its credentials."""

from __future__ import annotations

import json

import click

SCOPE_HELP = "all, all/read, statements/write, statements/read, statements/read/mine, state, profile, define"


@click.group("lrs", invoke_without_command=True)
@click.option("--host", default=None, help="Address to listen on (default: LAT_LRS_HOST, 127.0.0.1).")
@click.option("--port", type=click.IntRange(0, 65535), default=None, help="Port to listen on; 0 picks a free one (default: LAT_LRS_PORT, 8100).")
@click.pass_context
def lrs(ctx: click.Context, host: str | None, port: int | None) -> None:
    """Serve the xAPI Statement API (xAPI 1.0.3 and 2.0.0) under http://HOST:PORT/xapi/.

    LMSs and classroom tools POST/PUT statements (with attachments), read them back with
    every xAPI query, and keep State, Activity Profile and Agent Profile documents. Each
    source authenticates with HTTP Basic credentials made by 'lat lrs credentials add'.
    Statements are validated, deduplicated and stored like 'lat ingest' does, except that a
    request is all or nothing. While it runs, 'lat status', 'lat compute', 'lat ingest' and
    'lat registry import' hand their work to it. See docs/lrs.md.
    """
    if ctx.invoked_subcommand is not None:
        return
    from lat.config import get_settings
    from lat.lrs.server import serve
    from pipelines.core.compute import run as compute  # the composition root hands the pipelines in

    settings = get_settings()
    serve(settings, host or settings.lrs_host, settings.lrs_port if port is None else port, compute=compute)


@lrs.group("credentials")
def credentials() -> None:
    """Keys and secrets of the sources allowed to use the LRS."""


@credentials.command("add")
@click.argument("name")
@click.option(
    "--scope", "scopes", multiple=True, default=("statements/write",), show_default=True, help=f"What the credential may do (repeatable): {SCOPE_HELP}."
)
def add(name: str, scopes: tuple[str, ...]) -> None:
    """Create a credential for the source NAME and print {"key": ..., "secret": ...}.

    The secret is shown only now: give both to the source as HTTP Basic user and password.
    A credential with only statements/write can send statements but not read any back.
    """
    from lat.config import get_settings
    from lat.lrs import source_keys as store

    click.echo(json.dumps(store.add(get_settings(), name, list(scopes))))


@credentials.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
def list_(as_json: bool) -> None:
    """List credentials (key, name, scopes, created, revoked); secrets are never shown."""
    from lat.config import get_settings
    from lat.lrs import source_keys as store

    rows = store.list_all(get_settings())
    if as_json:
        click.echo(json.dumps([c.__dict__ for c in rows]))
        return
    for c in rows:
        state = f"revoked {c.revoked_at}" if c.revoked_at else "active"
        click.echo(f"{c.key}  {c.name}  {' '.join(c.scopes)}  created {c.created_at}  {state}")


@credentials.command("revoke")
@click.argument("key")
def revoke(key: str) -> None:
    """Revoke the credential KEY: requests with it are refused (401) within seconds."""
    from lat.config import get_settings
    from lat.lrs import source_keys as store

    store.revoke(get_settings(), key)
    click.echo(f"revoked {key}")

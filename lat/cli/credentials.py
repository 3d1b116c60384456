"""``lat credentials``: micro-credentials (Open Badges 3.0) for what the evidence shows."""

from __future__ import annotations

from pathlib import Path

import click

from lat.config import get_settings
from lat.errors import LatError


@click.group("credentials")
def credentials() -> None:
    """Issue, revoke, verify and import Open Badges 3.0 micro-credentials (see docs/credentials.md)."""


@credentials.command("keygen")
@click.option(
    "--alg",
    type=click.Choice(["EdDSA", "ES256", "RS256"]),
    default="EdDSA",
    show_default=True,
    help="Signature algorithm: Ed25519 (EdDSA), P-256 (ES256) or RSA 3072 (RS256).",
)
@click.option("--force", is_flag=True, help="Replace an existing key (credentials signed with it stop verifying).")
def keygen(alg: str, force: bool) -> None:
    """Make the hub's signing key (LAT_HOME/keys/credentials.pem) and publish its JWKS."""
    from lat.credentials import signing_key

    settings = get_settings()
    key = signing_key.generate(settings, alg, force=force)
    click.echo(f"Signing key {key.kid} ({key.alg}) written to {signing_key.key_path(settings)}")
    click.echo(f"Public keys: {signing_key.public_dir(settings) / 'jwks.json'} (host it at {settings.credentials_base_url}/jwks.json)")


@credentials.command("award")
@click.option("--achievements", "path", type=click.Path(dir_okay=False, path_type=Path), help="Achievements file (TOML); default LAT_CREDENTIALS_ACHIEVEMENTS.")
@click.option("--round", "rounds", multiple=True, metavar="LABEL", help="Only this round of the file (repeatable); default all.")
@click.option("--dry-run", is_flag=True, help="Show who meets which criteria; issue and record nothing.")
def award(path: Path | None, rounds: tuple[str, ...], dry_run: bool) -> None:
    """Evaluate the criteria and issue signed credentials to those who meet them.

    Idempotent: a learner (or school) gets one credential per achievement and round. Each
    award is also recorded as an xAPI 'earned' statement.
    """
    from lat.credentials import achievements
    from lat.credentials import award as awarding

    settings = get_settings()
    path = path or settings.credentials_achievements
    if path is None:
        raise click.UsageError("give --achievements FILE or set LAT_CREDENTIALS_ACHIEVEMENTS")
    report = awarding.award(settings, achievements.load(path), rounds=list(rounds), dry_run=dry_run)
    for item in report.awarded:
        who = f"{item.subject}" + (f" ({item.school})" if item.school and item.school != item.subject else "")
        click.echo(
            f"{'would award' if dry_run else 'awarded'} {item.achievement} [{item.round}] to {who}"
            + (f": {item.credential_id}" if item.credential_id else f" ({item.evidence} evidence items)")
        )
    verb = "would be issued" if dry_run else "issued"
    click.echo(f"{len(report.awarded)} credentials {verb}; {report.already} already held.")


@credentials.command("revoke")
@click.argument("credential_id")
@click.option("--reason", required=True, help="Why (kept in the store, not in the public list).")
def revoke(credential_id: str, reason: str) -> None:
    """Revoke an issued credential and republish the status list."""
    from lat.credentials import award as awarding
    from lat.credentials import revocation, signing_key
    from lat.store import database as store

    settings = get_settings()
    key = signing_key.load(settings)
    with store.session(settings) as con:
        revocation.revoke(con, credential_id, reason)
        path = revocation.publish(con, settings, key, awarding.urls(settings))
    click.echo(f"Revoked. Status list republished: {path} (host it at {awarding.urls(settings).status_list})")


@credentials.command("verify")
@click.argument("file_or_jwt")
@click.option("--jwks", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="JWKS file with the issuer's public key.")
@click.option(
    "--status-list",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A downloaded status-list credential (JWT or JSON) to check revocation against.",
)
def verify(file_or_jwt: str, jwks: Path | None, status_list: Path | None) -> None:
    """Check a credential's signature, issuer, dates and revocation; exit 1 when it fails."""
    from lat.credentials.verify import verify as check

    verdict = check(file_or_jwt, get_settings(), jwks=jwks, status_list=status_list)
    for fact in verdict.facts:
        click.echo(f"  {fact}")
    if not verdict.ok:
        raise LatError("credential NOT valid: " + "; ".join(verdict.problems))
    name = (verdict.credential or {}).get("name", "")
    click.echo(f"Valid: {name}")


@credentials.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--learner", required=True, help="Registry person id, or actor key (mailto:... or homePage|name).")
@click.option("--jwks", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="JWKS file with the issuer's public key.")
@click.option("--status-list", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="The issuer's status list, if downloaded.")
def import_(file: Path, learner: str, jwks: Path | None, status_list: Path | None) -> None:
    """Verify a credential from another provider and record it as earned by LEARNER."""
    from lat.credentials.importing import import_credential

    result = import_credential(get_settings(), str(file), learner=learner, jwks=jwks, status_list=status_list)
    state = "Imported" if result.new else "Already imported"
    click.echo(f"{state}: {result.achievement or result.credential_id} from {result.issuer} for {result.learner}")


@credentials.command("list")
def list_() -> None:
    """List issued credentials (id, achievement, round, subject, revoked)."""
    from lat.credentials import ledger
    from lat.store import database as store

    with store.session(get_settings()) as con:
        revoked = ledger.revoked(con)
        rows = ledger.issued(con)
    for row in rows:
        mark = f"  REVOKED: {revoked[row.credential_id]}" if row.credential_id in revoked else ""
        click.echo(f"{row.credential_id}  {row.achievement}  {row.round}  {row.subject}{mark}")
    if not rows:
        click.echo("No credentials issued.")

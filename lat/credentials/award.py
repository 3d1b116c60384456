"""``lat credentials award``: evaluate, issue, sign, record, publish.

For every achievement and round: the subjects who meet the criteria
(:func:`lat.credentials.criteria.evaluate`) and have no credential for that achievement and
round yet get one. Each new credential is stored in ``credentials_issued``, written to
``LAT_HOME/credentials/issued/<uuid>.jwt`` and recorded as an xAPI *earned* statement through
the real ingest. The revocation status list is republished at the end.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from lat.config import Settings
from lat.credentials import criteria, earned, issue, ledger, revocation, signing, signing_key
from lat.credentials.achievements import Achievement, Definitions, Round
from lat.errors import LatError
from lat.ingest.engine import IngestSummary, Record, ingest_records
from lat.store import database as store

SOURCE = "lat credentials award"


@dataclass(frozen=True)
class Award:
    """One subject meeting one achievement in one round."""

    achievement: str
    round: str
    subject: str
    school: str | None
    evidence: int  # evidence items
    credential_id: str | None  # None on a dry run


@dataclass
class AwardReport:
    """What ``award`` did (or, on a dry run, would do)."""

    awarded: list[Award] = field(default_factory=list)
    already: int = 0  # met the criteria but already hold the credential
    ingest: IngestSummary = field(default_factory=IngestSummary)


def urls(settings: Settings) -> issue.Urls:
    """The hub's public credential URLs, from LAT_CREDENTIALS_BASE_URL."""
    return issue.Urls(settings.credentials_base_url.rstrip("/"))


def issued_dir(settings: Settings) -> Path:
    """The folder of issued credentials in LAT_HOME."""
    return settings.home / "credentials" / "issued"


def award(
    settings: Settings, definitions: Definitions, *, rounds: list[str] | None = None, dry_run: bool = False, now: dt.datetime | None = None
) -> AwardReport:
    """Issue every credential now earned; ``dry_run`` evaluates only."""
    chosen = _rounds(definitions, rounds)
    key = None if dry_run else signing_key.load(settings)
    moment = now or dt.datetime.now(dt.UTC)
    report = AwardReport()
    with store.session(settings) as con:
        country = _country_name(con, definitions.issuer.country)
        for achievement in definitions.achievements:
            for round_ in chosen:
                for outcome in criteria.evaluate(con, achievement, round_, settings):
                    if ledger.exists(con, achievement.id, round_.label, outcome.subject):
                        report.already += 1
                        continue
                    credential_id = None
                    if key is not None:
                        credential_id = _issue(con, settings, definitions, achievement, round_, outcome, key, moment, country)
                    report.awarded.append(Award(achievement.id, round_.label, outcome.subject, outcome.school, len(outcome.evidence), credential_id))
        if key is not None:
            report.ingest = record_statements(con)
            revocation.publish(con, settings, key, urls(settings))
    return report


def _issue(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    definitions: Definitions,
    achievement: Achievement,
    round_: Round,
    outcome: criteria.Outcome,
    key: signing_key.SigningKey,
    moment: dt.datetime,
    country: str | None,
) -> str:
    """Build, sign, store and write one credential; returns its id."""
    where = urls(settings)
    index = ledger.next_index(con)
    credential = issue.build(achievement, outcome, round_, definitions.issuer, where, status_index=index, issued_at=moment, country_name=country)
    token = signing.sign(credential, key, where.jwks)
    ledger.insert(
        con,
        ledger.Issued(
            credential["id"],
            achievement.id,
            achievement.name,
            where.achievement(achievement.id),
            round_.label,
            achievement.subject,
            outcome.subject,
            outcome.school,
            index,
            moment,
            earned.statement_id(credential["id"]),
            token,
        ),
    )
    folder = issued_dir(settings)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{credential['id'].removeprefix('urn:uuid:')}.jwt").write_text(token + "\n", encoding="utf-8")
    return str(credential["id"])


def record_statements(con: duckdb.DuckDBPyConnection) -> IngestSummary:
    """Ingest the earned statement of every issued credential not yet in the store (catches up after a crash)."""
    missing = ledger.issued(con, "statement_id NOT IN (SELECT id FROM statements)")
    records = [
        Record(
            SOURCE,
            None,
            earned.statement(
                credential_id=row.credential_id,
                subject_kind=row.subject_kind,
                subject=row.subject,
                achievement_url=row.achievement_url,
                achievement_name=row.achievement_name,
                school=row.school,
                when=row.issued_at,
            ),
        )
        for row in missing
    ]
    return ingest_records(con, records) if records else IngestSummary()


def _rounds(definitions: Definitions, labels: list[str] | None) -> list[Round]:
    if not labels:
        return list(definitions.rounds.values())
    unknown = [label for label in labels if label not in definitions.rounds]
    if unknown:
        raise LatError(f"{definitions.path}: no round {', '.join(unknown)} (defined: {', '.join(definitions.rounds)})")
    return [definitions.rounds[label] for label in labels]


def _country_name(con: duckdb.DuckDBPyConnection, code: str) -> str | None:
    rows = con.execute("SELECT name FROM countries WHERE country_id = ?", [code]).fetchall()
    return rows[0][0] if rows else None

"""SELFIE-style survey answers from a form export (CSV) into xAPI statements.

One row per respondent: ``respondent,school,group``, an optional ``timestamp``, then one
column per item code (``A1`` ... ``H3``, school-specific ones such as ``A9`` or ``Cown1``:
an area letter A-H, then letters, digits, ``-`` or ``_``). A cell is ``1``-``5``; empty or
``NA`` means not applicable; ``PNS`` means prefer not to say. Each answer becomes one
statement of the LAT profile's ``selfie-answer`` (or ``selfie-answer-unscored``) template.

The file is checked whole before anything is stored: every problem is reported with its
line and column, and one bad cell means nothing is imported (docs/survey-import.md).

Re-imports: the latest answer counts in the pipelines (by timestamp, then stored). An answer
equal to the respondent's latest stored answer for that round and item is skipped, so
importing the same file again stores nothing; a changed answer is a new statement (its id
covers the answer and its time), so a corrected file updates exactly what changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from lat.config import Settings
from lat.ingest.engine import Record, ingest_records
from lat.ingest.survey_file import Problems, check_round, check_schools, read_survey
from lat.ingest.survey_statements import answer_statement, respondent_key, xapi_time
from lat.pseudonym import pseudonym, pseudonym_key
from lat.store import database as store
from lat.xapi import vocab

# --- the import --------------------------------------------------------------------------------


@dataclass
class SurveyImport:
    """What ``lat import-survey`` did with one file."""

    path: Path
    round: str
    respondents: int
    schools: int
    answers: int
    scores: int
    not_applicable: int
    prefer_not_to_say: int
    unchanged: int  # equal to the respondent's latest stored answer: skipped
    sent: int  # new or changed answers handed to the ingest
    stored: int
    duplicates: int
    conflicts: int
    rejected: int

    def lines(self) -> list[str]:
        """The import's summary in two lines, as ``lat import-survey`` prints it."""
        return [
            f"{self.path}: round {self.round}, {self.respondents} respondents in {self.schools} schools, "
            f"{self.answers} answers ({self.scores} scores, {self.not_applicable} not applicable, "
            f"{self.prefer_not_to_say} prefer not to say).",
            f"New or changed answers: {self.sent} (stored {self.stored}, duplicates {self.duplicates}, "
            f"conflicts {self.conflicts}, rejected {self.rejected}); unchanged since the last import: {self.unchanged}.",
        ]


@dataclass(frozen=True)
class _Stored:
    response: str | None
    group: str | None
    epoch_us: int


_LATEST = """
SELECT actor_key, item, response, respondent_group, epoch_us("timestamp")
FROM statements
WHERE verb = ? AND round = ? AND NOT voided AND actor_key LIKE ? AND item IS NOT NULL
QUALIFY row_number() OVER (PARTITION BY actor_key, item ORDER BY "timestamp" DESC, stored DESC) = 1
"""


def latest_answers(con: duckdb.DuckDBPyConnection, round_label: str) -> dict[tuple[str, str], _Stored]:
    """(respondent actor_key, item) -> the latest stored answer of the round (as the pipelines pick it)."""
    rows = con.execute(_LATEST, [vocab.ANSWERED, round_label, vocab.RESPONDENT_HOMEPAGE + "|%"]).fetchall()
    return {(key, item): _Stored(response, group, int(us)) for key, item, response, group, us in rows}


def _epoch_us(moment: datetime) -> int:
    delta = moment - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def import_survey(path: Path, round_label: str, when: datetime, settings: Settings) -> SurveyImport:
    """Check ``path`` whole, then store its new or changed answers in one transaction."""
    round_label = check_round(round_label)
    survey = read_survey(path, default_time=when)
    with store.session(settings) as con:
        hubs = dict(con.execute("SELECT school_id, hub FROM schools").fetchall())
        check_schools(survey, hubs)
        key = pseudonym_key(settings)
        latest = latest_answers(con, round_label)
        problems = Problems(path)
        records: list[Record] = []
        unchanged = 0
        names: dict[tuple[str, str], tuple[str, str]] = {}  # one HMAC per respondent, not per answer
        for answer in survey.answers:
            who = (answer.school, answer.respondent)
            if who not in names:
                name = pseudonym(key, *who)
                names[who] = (name, respondent_key(name))
            name, actor = names[who]
            before = latest.get((actor, answer.item))
            if before and (before.response, before.group) == (answer.response, answer.group):
                unchanged += 1
                continue
            if before and _epoch_us(answer.timestamp) < before.epoch_us:
                problems.add(
                    f"the answer changed, but its time {xapi_time(answer.timestamp)} is before the stored answer's, "
                    "so it would not count; give a later --date (or timestamp).",
                    answer.line,
                    answer.column,
                    answer.item,
                )
                continue
            stmt = answer_statement(answer, name, round_label, hub=hubs.get(answer.school))
            records.append(Record(source=str(path), line=answer.line, raw=stmt))
        problems.raise_if_any()
        # one batch = one transaction: the file's answers are stored all together or not at all
        result = ingest_records(con, records, batch_size=max(len(records), 1)) if records else None
    responses = [a.response for a in survey.answers]
    return SurveyImport(
        path=path,
        round=round_label,
        respondents=survey.respondents,
        schools=len(survey.schools),
        answers=len(responses),
        scores=sum(r in vocab.LIKERT for r in responses),
        not_applicable=responses.count(vocab.NOT_APPLICABLE),
        prefer_not_to_say=responses.count(vocab.PREFER_NOT_TO_SAY),
        unchanged=unchanged,
        sent=len(records),
        stored=result.stored if result else 0,
        duplicates=result.duplicates if result else 0,
        conflicts=result.conflicts if result else 0,
        rejected=result.rejected if result else 0,
    )

"""README.md of an export: the method in brief, for whoever receives only the zip."""

from __future__ import annotations

from typing import Any


def render(manifest: dict[str, Any]) -> str:
    """The README.md of an export, from its manifest: files, parameters, privacy and what was lost."""
    params, loss = manifest["parameters"], manifest["information_lost"]
    files = "\n".join(
        f"- `{path}`: {entry['rows']} rows, k = {entry['k']} over {', '.join(entry['quasi_identifiers'])}" for path, entry in manifest["files"].items()
    )
    dp = manifest["privacy"].get("differential_privacy")
    dp_text = (
        f"Counts and means of the schools level carry Laplace noise for epsilon = {dp['epsilon']} "
        f"per respondent and round ({dp['releases_per_respondent']} releases of {dp['epsilon_per_release']:.4g}).\n"
        if dp
        else "No differential-privacy noise was added.\n"
    )
    lost = "\n".join(f"- {name}: {facts}" for name, facts in loss.items())
    return f"""# LAT research export ({params["level"]} level)

Made by LAT {manifest["software"]["lat"]} on {manifest["created"]}.

## Files

{files}

- `manifest.json`: parameters, software, rows, SHA-256, quasi-identifiers and k of each file
- `codebook.json`, `codebook.md`: every column, its meaning, type and values

## Method

- **Pseudonyms.** Schools and respondents are identified by HMAC-SHA256 of their ids with a
  secret key held by the project: the same key gives the same pseudonyms (the project can link
  its exports), nobody without the key can. Names, e-mails, account names, school ids and free
  text are never exported.
- **Generalisation.** Quasi-identifiers climb fixed hierarchies: school size to bands, then
  coarse bands, then withheld; school level and hub withheld; respondent group
  leader/teacher/student to staff/student, then withheld; answering time to ISO week, month,
  then withheld. Schools are generalised first, among schools; respondents then take their
  school's attributes.
- **k-anonymity.** Every combination of quasi-identifiers in a file is shared by at least
  k = {params["k"]} individuals (schools at the schools level, respondents otherwise): rows
  still in smaller classes after generalisation are suppressed.
- **Small cells.** Counts and means of fewer than {params["min_cell_size"]} respondents are
  left empty.
- {dp_text}
## Information lost

{lost}
"""

"""The xAPI Statement API service (``lat lrs``): LMSs and classroom tools push straight in.

Modules, following a request: :mod:`~lat.lrs.server` (waitress, the run file),
:mod:`~lat.lrs.app` (routing, versions, errors), :mod:`~lat.lrs.source_keys` (HTTP Basic
keys and scopes), :mod:`~lat.lrs.statements` and :mod:`~lat.lrs.queries` (the Statement
resource), :mod:`~lat.lrs.multipart` (attachments), :mod:`~lat.lrs.documents` (State,
Activity Profile, Agent Profile), :mod:`~lat.lrs.committer` (the one writer thread with group
commit) and :mod:`~lat.lrs.admin` (jobs other commands delegate while the LRS holds the
store). See docs/lrs.md.
"""

"""Micro-credentials: Open Badges 3.0 credentials for what the evidence shows.

The parts, in the order a credential goes through them (docs/credentials.md):

* :mod:`.achievements` reads and validates the achievements file (TOML);
* :mod:`.criteria` evaluates an achievement's rules over statements and marts;
* :mod:`.issue` builds the OpenBadgeCredential JSON, :mod:`.signing` signs it as a VC-JWT
  with the hub's key (:mod:`.signing_key`);
* :mod:`.ledger` keeps what was issued, revoked and imported in the store;
* :mod:`.award` ties these together for ``lat credentials award`` and records each award as
  an xAPI *earned* statement through the real ingest path;
* :mod:`.revocation` publishes the Bitstring Status List that revocation flips;
* :mod:`.verify` checks a credential; :mod:`.importing` records credentials from elsewhere.
"""

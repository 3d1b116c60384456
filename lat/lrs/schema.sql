-- Tables of the xAPI service (lat lrs). Applied by lat.store.database with lat/store/schema.sql on every writing
-- connect (CREATE ... IF NOT EXISTS); documented in docs/store.md. Kept beside the LRS code: only
-- the LRS writes them. Statements go to the shared `statements` table.

-- Attachment contents, addressed by SHA-256 (xAPI: the sha2 of an attachment identifies its bytes).
CREATE TABLE IF NOT EXISTS lrs_attachments (
    sha2         VARCHAR PRIMARY KEY,
    content_type VARCHAR NOT NULL,
    content      BLOB NOT NULL
);

-- State, Activity Profile and Agent Profile documents. Absent parts of the key are ''.
CREATE TABLE IF NOT EXISTS lrs_documents (
    kind         VARCHAR NOT NULL,   -- state | activity_profile | agent_profile
    activity_id  VARCHAR NOT NULL,   -- activityId ('' for agent profiles)
    agent_key    VARCHAR NOT NULL,   -- lat.xapi.fields.actor_key of the agent ('' for activity profiles)
    registration VARCHAR NOT NULL,   -- state only, lower-case UUID or ''
    doc_id       VARCHAR NOT NULL,   -- stateId / profileId
    content      BLOB NOT NULL,
    content_type VARCHAR NOT NULL,
    etag         VARCHAR NOT NULL,   -- SHA-1 of the content, quoted as HTTP sends it
    updated      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (kind, activity_id, agent_key, registration, doc_id)
);

-- The LAT store. Applied idempotently on every connect (CREATE ... IF NOT EXISTS).
-- Column meanings are documented in docs/store.md.

-- Organisation registry ------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS countries (
    country_id VARCHAR PRIMARY KEY,
    name       VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS hubs (
    hub_id  VARCHAR PRIMARY KEY,
    name    VARCHAR NOT NULL,
    country VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS schools (
    school_id VARCHAR PRIMARY KEY,
    name      VARCHAR NOT NULL,
    country   VARCHAR NOT NULL,
    hub       VARCHAR NOT NULL,
    level     VARCHAR NOT NULL,
    teachers  INTEGER NOT NULL,
    students  INTEGER NOT NULL,
    language  VARCHAR            -- optional column of schools.csv; defaults from the country
);
CREATE TABLE IF NOT EXISTS people (
    person_id VARCHAR PRIMARY KEY,
    school    VARCHAR,
    role      VARCHAR NOT NULL,
    actor     VARCHAR  -- normalised actor key, see lat.xapi.fields.actor_key
);
CREATE TABLE IF NOT EXISTS mentoring (
    mentor        VARCHAR NOT NULL,  -- person_id or school_id
    mentee_school VARCHAR NOT NULL,
    start         DATE,
    "end"         DATE
);

-- Statements -------------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS statements (
    -- unique by construction: the ingest anti-joins every batch on id inside its transaction.
    -- No PRIMARY KEY: its index made inserts 6x slower and cost 300 MiB at 5M rows (docs/ingest.md).
    id               UUID NOT NULL,
    actor_key        VARCHAR,       -- normalised inverse functional identifier
    verb             VARCHAR NOT NULL,
    object_id        VARCHAR,
    object_type      VARCHAR,       -- Activity | Agent | Group | StatementRef | SubStatement
    activity_type    VARCHAR,       -- object.definition.type
    parent_id        VARCHAR,       -- first context.contextActivities.parent id
    registration     UUID,
    score_raw        DOUBLE,
    score_scaled     DOUBLE,
    score_min        DOUBLE,
    score_max        DOUBLE,
    success          BOOLEAN,
    completion       BOOLEAN,
    response         VARCHAR,
    duration_s       DOUBLE,
    "timestamp"      TIMESTAMPTZ NOT NULL,
    stored           TIMESTAMPTZ NOT NULL,
    school           VARCHAR,       -- attribution per the LAT profile
    hub              VARCHAR,
    round            VARCHAR,       -- LAT profile extensions, flattened
    area             VARCHAR,
    item             VARCHAR,
    respondent_group VARCHAR,
    phase            VARCHAR,
    context_extensions JSON,
    result_extensions  JSON,
    version          VARCHAR,
    voided           BOOLEAN NOT NULL DEFAULT false,
    source           VARCHAR,       -- file path, LRS credential or pull endpoint
    -- the statement as stored (id, stored, timestamp set); zstd: 6x smaller and faster to write than the default
    raw              JSON NOT NULL USING COMPRESSION zstd,
    digest           BLOB           -- lat.xapi.ids.content_digest: tells a duplicate from a conflict
);

-- Statements that failed validation: never dropped silently.
CREATE TABLE IF NOT EXISTS rejected (
    source      VARCHAR,
    line        BIGINT,
    element     BIGINT,             -- 0-based position in a JSON array file
    raw         VARCHAR,
    reason      VARCHAR NOT NULL,
    rejected_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Same id, different content: the first statement is kept, the second recorded here.
CREATE TABLE IF NOT EXISTS conflicts (
    id          UUID NOT NULL,
    source      VARCHAR,
    line        BIGINT,
    element     BIGINT,
    raw         VARCHAR,
    recorded_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Where the next `lat pull` from each LRS starts (lat.ingest.pull, docs/pull.md).
CREATE TABLE IF NOT EXISTS pull_cursors (
    endpoint   VARCHAR PRIMARY KEY,  -- normalised Statement API base URL
    since      VARCHAR,              -- largest `stored` pulled, verbatim from the LRS (exclusive)
    more       VARCHAR,              -- next page of an unfinished pull, or NULL
    updated_at TIMESTAMPTZ NOT NULL
);

-- Micro-credentials (lat.credentials, docs/credentials.md) -----------------------------------
-- What the hub issued; the unique key (achievement, round, subject) makes issuing idempotent.
CREATE TABLE IF NOT EXISTS credentials_issued (
    credential_id    VARCHAR PRIMARY KEY,     -- urn:uuid:...
    achievement      VARCHAR NOT NULL,        -- achievement id of the achievements file
    achievement_name VARCHAR NOT NULL,
    achievement_url  VARCHAR NOT NULL,
    round            VARCHAR NOT NULL,
    subject_kind     VARCHAR NOT NULL,        -- person | school
    subject          VARCHAR NOT NULL,        -- actor key or school id
    school           VARCHAR,
    status_index     INTEGER NOT NULL UNIQUE, -- bit in the revocation status list
    issued_at        TIMESTAMPTZ NOT NULL,
    statement_id     UUID NOT NULL,           -- the xAPI 'earned' statement recording it
    jwt              VARCHAR NOT NULL,
    UNIQUE (achievement, round, subject)
);
-- Revoked credentials: the reason stays here, the public status list has only the bit.
CREATE TABLE IF NOT EXISTS credentials_revoked (
    credential_id VARCHAR PRIMARY KEY,
    reason        VARCHAR NOT NULL,
    revoked_at    TIMESTAMPTZ NOT NULL
);
-- Credentials from other providers, verified and recorded for a learner ('lat credentials import').
CREATE TABLE IF NOT EXISTS credentials_imported (
    credential_id    VARCHAR PRIMARY KEY,
    issuer_id        VARCHAR NOT NULL,
    issuer_name      VARCHAR,
    achievement_id   VARCHAR,
    achievement_name VARCHAR,
    learner          VARCHAR NOT NULL,        -- actor key the credential was recorded for
    valid_from       TIMESTAMPTZ NOT NULL,
    key_source       VARCHAR NOT NULL,        -- how the issuer's key was found
    statement_id     UUID NOT NULL,
    credential       VARCHAR NOT NULL,        -- the JWT as received
    imported_at      TIMESTAMPTZ NOT NULL
);

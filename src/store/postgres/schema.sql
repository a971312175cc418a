-- Portcullis on PostgreSQL, schema 1: the store's trees as keyed rows (the key
-- layout of src/store/mod.rs, unchanged), the change log other instances follow,
-- and the counter that orders it.
CREATE TABLE portcullis_kv (
    tree  TEXT  NOT NULL,
    key   BYTEA NOT NULL,
    value BYTEA NOT NULL,
    PRIMARY KEY (tree, key)
);

-- One row. Every logged write takes its sequence from here inside its own
-- transaction, so the row lock orders the log by commit: a lower sequence can
-- never become visible after a higher one (unlike a BIGSERIAL, whose values are
-- handed out before commit).
CREATE TABLE portcullis_log_counter (
    one BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (one),
    seq BIGINT  NOT NULL
);
INSERT INTO portcullis_log_counter (one, seq) VALUES (TRUE, 0);

-- Writes to the trees the request path is derived from (users, revoked,
-- access_tokens); value NULL: the key was removed.
CREATE TABLE portcullis_log (
    seq   BIGINT PRIMARY KEY,
    tree  TEXT   NOT NULL,
    key   BYTEA  NOT NULL,
    value BYTEA,
    at    TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Audit keys: unique across instances, order does not matter.
CREATE SEQUENCE portcullis_ids;

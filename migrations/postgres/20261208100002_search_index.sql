-- The search index (docs/adr/0010-search-index.md): each owner's documents as
-- text with a generated tsvector (title weight A, body B) under a GIN index,
-- and per (owner, app) sync bookkeeping. This is user content at rest, not
-- encrypted: full text search cannot run over ciphertext.
CREATE TABLE index_documents (
    owner    TEXT   NOT NULL,
    app      TEXT   NOT NULL,
    doc_id   TEXT   NOT NULL,
    title    TEXT   NOT NULL,
    body     TEXT   NOT NULL,
    path     TEXT   NOT NULL,
    link     TEXT   NOT NULL,
    modified BIGINT NOT NULL,
    version  TEXT   NOT NULL,
    tsv      tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple', title), 'A')
        || setweight(to_tsvector('simple', body), 'B')
    ) STORED,
    PRIMARY KEY (owner, app, doc_id)
);
CREATE INDEX index_documents_tsv ON index_documents USING GIN (tsv);

CREATE TABLE index_sources (
    owner      TEXT   NOT NULL,
    app        TEXT   NOT NULL,
    cursor     TEXT,
    last_sync  BIGINT,
    pending    BIGINT NOT NULL DEFAULT 0,
    last_error TEXT,
    PRIMARY KEY (owner, app)
);

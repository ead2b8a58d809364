-- The semantic half of the search index (docs/adr/0010-search-index.md): one
-- vector per document, as little-endian f32s, with the model that made it.
-- This migration needs no extension, so it runs on every PostgreSQL. When
-- pgvector is installed in the database (CREATE EXTENSION vector, by an
-- administrator), the server adds a `vec vector` column and an HNSW index for
-- its model's length at start; without it, vectors are searched in the
-- process, scoped to one owner. Vectors are derived from the user's text and
-- stored like it.
CREATE TABLE index_vectors (
    owner     TEXT  NOT NULL,
    app       TEXT  NOT NULL,
    doc_id    TEXT  NOT NULL,
    model     TEXT  NOT NULL,
    embedding BYTEA NOT NULL,
    PRIMARY KEY (owner, app, doc_id)
);

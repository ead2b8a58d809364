-- The semantic half of the search index (docs/adr/0010-search-index.md): one
-- vector per document, as little-endian f32s, with the model that made it.
-- Searched in the process, scoped to one owner. Vectors are derived from the
-- user's text and stored like it.
CREATE TABLE index_vectors (
    owner     TEXT NOT NULL,
    app       TEXT NOT NULL,
    doc_id    TEXT NOT NULL,
    model     TEXT NOT NULL,
    embedding BLOB NOT NULL,
    PRIMARY KEY (owner, app, doc_id)
);

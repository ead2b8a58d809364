-- The search index (docs/adr/0010-search-index.md): each owner's documents as
-- text, an FTS5 table over them kept in step by triggers, and per (owner,
-- app) sync bookkeeping. This is user content at rest, not encrypted: full
-- text search cannot run over ciphertext.
CREATE TABLE index_documents (
    id       INTEGER PRIMARY KEY,
    owner    TEXT    NOT NULL,
    app      TEXT    NOT NULL,
    doc_id   TEXT    NOT NULL,
    title    TEXT    NOT NULL,
    body     TEXT    NOT NULL,
    path     TEXT    NOT NULL,
    link     TEXT    NOT NULL,
    modified INTEGER NOT NULL,
    version  TEXT    NOT NULL,
    UNIQUE (owner, app, doc_id)
);

-- No diacritics folding, to match PostgreSQL's 'simple' configuration.
CREATE VIRTUAL TABLE index_fts USING fts5(
    title, body,
    content = 'index_documents', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 0'
);

CREATE TRIGGER index_documents_ai AFTER INSERT ON index_documents BEGIN
    INSERT INTO index_fts (rowid, title, body) VALUES (new.id, new.title, new.body);
END;
CREATE TRIGGER index_documents_ad AFTER DELETE ON index_documents BEGIN
    INSERT INTO index_fts (index_fts, rowid, title, body)
        VALUES ('delete', old.id, old.title, old.body);
END;
CREATE TRIGGER index_documents_au AFTER UPDATE ON index_documents BEGIN
    INSERT INTO index_fts (index_fts, rowid, title, body)
        VALUES ('delete', old.id, old.title, old.body);
    INSERT INTO index_fts (rowid, title, body) VALUES (new.id, new.title, new.body);
END;

CREATE TABLE index_sources (
    owner      TEXT    NOT NULL,
    app        TEXT    NOT NULL,
    cursor     TEXT,
    last_sync  INTEGER,
    pending    INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    PRIMARY KEY (owner, app)
);

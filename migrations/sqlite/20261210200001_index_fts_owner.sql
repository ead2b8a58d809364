-- The full text index knows each document's owner, so a search matches the
-- owner and the terms in one FTS5 query: FTS5 intersects the owner's
-- doclist with the terms' instead of ranking every user's matches and
-- dropping the others' afterwards. The owner is indexed as hex(owner), one
-- token that no other owner shares (hex is one to one and has no
-- separators), read through a view because the content table holds the
-- owner as plain text. The exact `owner = ?` test on index_documents stays
-- in the query as well. The FTS table is rebuilt from the documents.
DROP TRIGGER index_documents_ai;
DROP TRIGGER index_documents_ad;
DROP TRIGGER index_documents_au;
DROP TABLE index_fts;

CREATE VIEW index_fts_content AS
    SELECT id, title, body, hex(owner) AS owner_key FROM index_documents;

CREATE VIRTUAL TABLE index_fts USING fts5(
    title, body, owner_key,
    content = 'index_fts_content', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 0'
);

CREATE TRIGGER index_documents_ai AFTER INSERT ON index_documents BEGIN
    INSERT INTO index_fts (rowid, title, body, owner_key)
        VALUES (new.id, new.title, new.body, hex(new.owner));
END;
CREATE TRIGGER index_documents_ad AFTER DELETE ON index_documents BEGIN
    INSERT INTO index_fts (index_fts, rowid, title, body, owner_key)
        VALUES ('delete', old.id, old.title, old.body, hex(old.owner));
END;
CREATE TRIGGER index_documents_au AFTER UPDATE ON index_documents BEGIN
    INSERT INTO index_fts (index_fts, rowid, title, body, owner_key)
        VALUES ('delete', old.id, old.title, old.body, hex(old.owner));
    INSERT INTO index_fts (rowid, title, body, owner_key)
        VALUES (new.id, new.title, new.body, hex(new.owner));
END;

INSERT INTO index_fts (index_fts) VALUES ('rebuild');

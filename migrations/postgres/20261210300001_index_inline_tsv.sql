-- Keyword search ranks every match of the query (ts_rank_cd reads each
-- matching row's tsvector). A typical document's row (a 120-word body and
-- its tsvector) is over PostgreSQL's 2 kB toast threshold, so the tsvector
-- was moved to the toast table and every ranked match cost a toast lookup:
-- 10 times the buffers of the row itself. Rows up to a page now stay whole,
-- and in a larger row the body leaves before the tsvector does. Only the
-- table's settings change: rows are laid out anew as they are written.
ALTER TABLE index_documents SET (toast_tuple_target = 8160);
ALTER TABLE index_documents ALTER COLUMN tsv SET STORAGE MAIN;

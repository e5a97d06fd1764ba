-- Live updates of open widgets: every change of a document's sync row (state, errors, task, receipt
-- progress) and every new event of its log NOTIFYs 'bridge_document_changed' with the payload
-- "<accountId> <entity> <msId>". lib/sync/widget/change-feed.ts LISTENs (one connection per process on
-- PostgreSQL, the embedded database's own listener on PGlite) and wakes the widget streams of that
-- document. NOTIFY is delivered at commit, so a widget never re-reads before the change is visible,
-- and identical payloads of one transaction are delivered once. An UPDATE that changes nothing is not
-- announced. The bodies spell semicolons as \073 (the offline migrator splits scripts at each one).
CREATE FUNCTION "bridge_notify_document_changed"() RETURNS trigger LANGUAGE plpgsql AS
  E'BEGIN PERFORM pg_notify(''bridge_document_changed'', NEW."accountId" || '' '' || NEW."entity" || '' '' || NEW."msId")\073 RETURN NULL\073 END';

CREATE TRIGGER "SyncDocument_notify_changed"
  AFTER UPDATE ON "SyncDocument"
  FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION "bridge_notify_document_changed"();

CREATE FUNCTION "bridge_notify_document_event"() RETURNS trigger LANGUAGE plpgsql AS
  E'BEGIN PERFORM pg_notify(''bridge_document_changed'', d."accountId" || '' '' || d."entity" || '' '' || d."msId") FROM "SyncDocument" d WHERE d."id" = NEW."documentId"\073 RETURN NULL\073 END';

CREATE TRIGGER "SyncEvent_notify_changed"
  AFTER INSERT ON "SyncEvent"
  FOR EACH ROW EXECUTE FUNCTION "bridge_notify_document_event"();

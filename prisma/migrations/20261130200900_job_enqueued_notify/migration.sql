-- Wakes the workers of every process when jobs are added: lib/jobs/wake-listener.ts LISTENs on this
-- channel. A statement-level trigger covers every way a job is written (enqueueJob, the batch insert
-- of the webhook intake, an INSERT ON CONFLICT that pulls a queued job forward). NOTIFY is delivered
-- at commit, so a worker never wakes before the job is visible, and not at all after a rollback.
-- The body spells its semicolons as \073: the offline migrator (Prisma's pg driver adapter) splits
-- scripts at every semicolon, even inside a quoted function body.
CREATE FUNCTION "bridge_notify_job_enqueued"() RETURNS trigger LANGUAGE plpgsql AS
  E'BEGIN PERFORM pg_notify(''bridge_job_enqueued'', '''')\073 RETURN NULL\073 END';

CREATE TRIGGER "Job_notify_enqueued"
  AFTER INSERT ON "Job"
  FOR EACH STATEMENT EXECUTE FUNCTION "bridge_notify_job_enqueued"();

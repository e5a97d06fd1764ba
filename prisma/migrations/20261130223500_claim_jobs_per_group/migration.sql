-- Claims per document group (lib/jobs/queue.ts claimJobs, docs/operations.md "Claiming"), replacing
-- the one global advisory lock: one call picks due jobs, locks the group of each with a transaction-
-- scoped advisory lock it does not wait for, and claims them with a statement whose snapshot is taken
-- after the locks are held. A function, so that the two statements cost one round trip and one
-- implicit transaction, on PostgreSQL and on the embedded database alike.
-- The body spells its semicolons as \073: the offline migrator splits scripts at every semicolon.
CREATE FUNCTION "bridge_claim_jobs"(
  worker_id text, claim_limit int, lease_ms int, kinds text[], max_per_account int, allowance jsonb
) RETURNS SETOF "Job" LANGUAGE plpgsql VOLATILE AS
  E'
DECLARE
  claimed bigint[] := ''{}''\073
  tried bigint[] := ''{}''\073
  picked bigint[]\073
  taken int\073
BEGIN
  FOR round IN 1..3 LOOP
    EXIT WHEN cardinality(claimed) >= claim_limit\073
    -- Pick: due jobs in the order a worker should take them, one per group, within the fair share,
    -- each kept only when this transaction obtains its group''s lock (a group another worker is
    -- claiming right now is skipped, never waited for). The lock is tried row by row over the
    -- materialised, ordered candidates and the LIMIT ends the scan, so only the groups taken are locked.
    WITH candidates AS (
      SELECT j."id", j."groupKey", j."runAt", j."accountId",
             row_number() OVER (PARTITION BY COALESCE(j."groupKey", j."id"::text) ORDER BY j."runAt", j."id") AS rank
      FROM "Job" j
      WHERE ((j."state" = ''queued'' AND j."runAt" <= now())
             OR (j."state" = ''running'' AND j."leaseUntil" < now()))
        AND (kinds IS NULL OR j."kind" = ANY(kinds))
        AND j."id" <> ALL(tried)
        AND (j."groupKey" IS NULL OR NOT EXISTS (
              SELECT 1 FROM "Job" r
              WHERE r."groupKey" = j."groupKey" AND r."state" = ''running''
                AND r."leaseUntil" >= now() AND r."id" <> j."id"))
    ), running AS (
      SELECT "accountId", count(*) AS n FROM "Job"
      WHERE "state" = ''running'' AND "leaseUntil" >= now() AND "accountId" IS NOT NULL
      GROUP BY "accountId"
    ), mine AS (
      SELECT "accountId", count(*) AS n FROM "Job" WHERE "id" = ANY(claimed) AND "accountId" IS NOT NULL
      GROUP BY "accountId"
    ), ranked AS (
      SELECT c."id", c."groupKey", c."runAt", c."accountId",
             row_number() OVER (PARTITION BY COALESCE(c."accountId", c."id"::text) ORDER BY c."runAt", c."id") AS "accountRank",
             COALESCE(r.n, 0) AS "accountLoad", COALESCE(m.n, 0) AS "claimedNow"
      FROM candidates c
      LEFT JOIN running r ON r."accountId" = c."accountId"
      LEFT JOIN mine m ON m."accountId" = c."accountId"
      WHERE c.rank = 1
    ), ordered AS MATERIALIZED (
      SELECT "id", COALESCE("groupKey", ''job:'' || "id"::text) AS "lockKey" FROM ranked
      WHERE max_per_account IS NULL OR "accountId" IS NULL
         OR "accountRank" <= COALESCE((allowance ->> "accountId")::int, max_per_account) - "claimedNow"
      ORDER BY "accountLoad" + "accountRank", "runAt", "id"
    )
    SELECT COALESCE(array_agg(s."id"), ''{}'') INTO picked FROM (
      SELECT "id" FROM ordered
      WHERE pg_try_advisory_xact_lock(724310002, hashtext("lockKey"))
      LIMIT claim_limit - cardinality(claimed)
    ) s\073
    EXIT WHEN cardinality(picked) = 0\073
    tried := tried || picked\073
    -- Claim: this statement''s snapshot is taken after the group locks are held, so it sees every
    -- claim of those groups committed before, and the re-check "no live running job in the group"
    -- is exact. The state condition is also re-checked on the row as it is when locked: a lease
    -- renewed by its owner (lib/jobs/claim.ts fence) after the snapshot keeps its job.
    RETURN QUERY
      UPDATE "Job" SET "state" = ''running'', "lockedBy" = worker_id, "attempts" = "Job"."attempts" + 1,
             "activeKey" = CASE WHEN "Job"."activeKey" LIKE ''q:%'' THEN NULL ELSE "Job"."activeKey" END,
             "leaseUntil" = now() + lease_ms * interval ''1 millisecond'', "updatedAt" = now()
      WHERE "Job"."id" = ANY(picked)
        AND (("Job"."state" = ''queued'' AND "Job"."runAt" <= now())
             OR ("Job"."state" = ''running'' AND "Job"."leaseUntil" < now()))
        AND ("Job"."groupKey" IS NULL OR NOT EXISTS (
              SELECT 1 FROM "Job" r
              WHERE r."groupKey" = "Job"."groupKey" AND r."state" = ''running''
                AND r."leaseUntil" >= now() AND r."id" <> "Job"."id"))
      RETURNING "Job".*\073
    GET DIAGNOSTICS taken = ROW_COUNT\073
    claimed := claimed || ARRAY(SELECT "id" FROM "Job" WHERE "id" = ANY(picked) AND "lockedBy" = worker_id AND "state" = ''running'')\073
    -- Every pick was claimed: nothing more is due for this worker. Otherwise a pick had been claimed
    -- by a worker that committed in between: the next round fills its slot.
    EXIT WHEN taken = cardinality(picked)\073
  END LOOP\073
END';

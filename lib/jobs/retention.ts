/**
 * Retention: a recurring job that keeps the busy tables bounded. Deletes finished jobs (done or dead,
 * by finishedAt), stored inbound events (de-duplication keys of webhook and scenario deliveries, by
 * createdAt), sync events (the document timelines, by createdAt) and finished bulk sends of the list
 * button (with their items, by completedAt) older than RETENTION_DAYS, and
 * heartbeat rows of processes gone for a day. Deletes run in batches so no statement holds its locks
 * for long, and the job runs again an hour later (one instance at a time, by its dedupe key).
 */
import { z } from 'zod';
import type { Db } from '@/lib/db';
import { defineJob, type JobDefinition } from '@/lib/jobs/worker';
import { enqueueJob } from '@/lib/jobs/queue';

export const RETENTION_JOB = 'retention';
const RETENTION_KEY = 'retention';
const RERUN_AFTER_MS = 60 * 60_000;
const BATCH = 5_000;
const HEARTBEAT_KEEP_DAYS = 1;

export interface RetentionResult {
  jobs: number;
  inboundEvents: number;
  syncEvents: number;
  bulkSends: number;
  heartbeats: number;
}

/** Deletes rows matching `where` (with $1 = the cut-off) from `table` in batches of BATCH; returns how many. */
async function deleteInBatches(prisma: Db, table: string, where: string, cutoff: Date): Promise<number> {
  let total = 0;
  for (;;) {
    const deleted = await prisma.$executeRawUnsafe(
      `DELETE FROM "${table}" WHERE ctid = ANY (ARRAY(SELECT ctid FROM "${table}" WHERE ${where} LIMIT ${BATCH}))`,
      cutoff,
    );
    total += deleted;
    if (deleted < BATCH) return total;
  }
}

export async function applyRetention(prisma: Db, days: number, now = new Date()): Promise<RetentionResult> {
  const cutoff = new Date(now.getTime() - days * 86_400_000);
  const heartbeatCutoff = new Date(now.getTime() - HEARTBEAT_KEEP_DAYS * 86_400_000);
  return {
    jobs: await deleteInBatches(prisma, 'Job', `"state" IN ('done', 'dead') AND "finishedAt" < $1`, cutoff),
    inboundEvents: await deleteInBatches(prisma, 'InboundEvent', `"createdAt" < $1`, cutoff),
    syncEvents: await deleteInBatches(prisma, 'SyncEvent', `"createdAt" < $1`, cutoff),
    // A batch still running is kept whatever its age (its job completes or expires it).
    bulkSends: await deleteInBatches(prisma, 'BulkSend', `"status" <> 'running' AND "completedAt" < $1`, cutoff),
    heartbeats: await deleteInBatches(prisma, 'WorkerHeartbeat', `"seenAt" < $1`, heartbeatCutoff),
  };
}

export function retentionJob(days: number): JobDefinition {
  return defineJob({
    kind: RETENTION_JOB,
    payload: z.object({}).passthrough(),
    handler: async (_payload, ctx) => {
      const result = await applyRetention(ctx.prisma, days);
      if (Object.values(result).some((n) => n > 0)) ctx.log.info({ ...result, days }, 'retention: old rows deleted');
      return { rescheduleAt: new Date(Date.now() + RERUN_AFTER_MS) };
    },
  });
}

/** Makes sure the recurring retention job exists (idempotent: one job by its dedupe key). */
export async function ensureRetentionJob(prisma: Db): Promise<void> {
  await enqueueJob(prisma, { kind: RETENTION_JOB, dedupeKey: RETENTION_KEY, maxAttempts: 1_000_000 });
}

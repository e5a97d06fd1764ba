/** Recurring per-account jobs (safety-net sweep; BetaPRO poll), created idempotently. */
import type { PrismaClient } from '@/lib/db';
import { enqueueJob } from '@/lib/jobs/queue';
import { logger } from '@/lib/core/logger';
import { getConfig } from '@/lib/core/config';

export const SWEEP_JOB = 'sweep';
export const POLL_JOB_KIND = 'poll';

/** Runs the account's BetaPRO poll now (the widget's "check receipt now"); pulls the queued one forward. */
export async function pollNow(prisma: PrismaClient, accountId: string): Promise<void> {
  await enqueueJob(prisma, { kind: POLL_JOB_KIND, accountId, dedupeKey: `poll:${accountId}`, payload: { accountId }, maxAttempts: 1_000_000 });
}

/** Makes sure the account's recurring jobs exist (after install, resume, settings save, start-up). */
export async function ensureAccountJobs(prisma: PrismaClient, accountId: string): Promise<void> {
  await enqueueJob(prisma, {
    kind: SWEEP_JOB,
    accountId,
    dedupeKey: `sweep:${accountId}`,
    payload: { accountId },
    runAt: new Date(Date.now() + Math.min(60, getConfig().SWEEP_INTERVAL_SEC ?? 60) * 1000),
    maxAttempts: 1_000_000,
  });
  await enqueueJob(prisma, {
    kind: POLL_JOB_KIND,
    accountId,
    dedupeKey: `poll:${accountId}`,
    payload: { accountId },
    runAt: new Date(Date.now() + 5_000),
    maxAttempts: 1_000_000,
  });
}

export async function ensureAllAccountJobs(prisma: PrismaClient): Promise<void> {
  const installations = await prisma.installation.findMany({ where: { status: 'active' }, select: { accountId: true } });
  for (const { accountId } of installations) await ensureAccountJobs(prisma, accountId);
  if (installations.length) logger.info({ accounts: installations.length }, 'recurring account jobs ensured');
}

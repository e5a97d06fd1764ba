/** Recurring per-account jobs (safety-net sweep; BetaPRO poll), created idempotently. */
import type { PrismaClient } from '@/lib/db';
import { logger } from '@/lib/core/logger';
import { getConfig } from '@/lib/core/config';
import { enqueueAccountJob, pollJob, stockDailyJob, sweepJob } from '@/lib/sync/jobs';

/** Runs the account's BetaPRO poll now (the widget's "check receipt now"); pulls the queued one forward. */
export async function pollNow(prisma: PrismaClient, accountId: string): Promise<void> {
  await enqueueAccountJob(prisma, pollJob, { accountId }, { dedupeKey: `poll:${accountId}` });
}

/** Makes sure the account's recurring jobs exist (after install, resume, settings save, start-up). */
export async function ensureAccountJobs(prisma: PrismaClient, accountId: string): Promise<void> {
  await enqueueAccountJob(
    prisma,
    sweepJob,
    { accountId },
    {
      dedupeKey: `sweep:${accountId}`,
      runAt: new Date(Date.now() + Math.min(60, getConfig().SWEEP_INTERVAL_SEC ?? 60) * 1000),
    },
  );
  await enqueueAccountJob(
    prisma,
    pollJob,
    { accountId },
    {
      dedupeKey: `poll:${accountId}`,
      runAt: new Date(Date.now() + 5_000),
    },
  );
  // The daily stock check (docs/stock-reconciliation.md): one interval from now; an existing one keeps its earlier time.
  await enqueueAccountJob(
    prisma,
    stockDailyJob,
    { accountId },
    { dedupeKey: `stock-daily:${accountId}`, runAt: new Date(Date.now() + getConfig().STOCK_CHECK_INTERVAL_SEC * 1000) },
  );
}

export async function ensureAllAccountJobs(prisma: PrismaClient): Promise<void> {
  const installations = await prisma.installation.findMany({
    where: { status: 'active' },
    select: { accountId: true },
  });
  for (const { accountId } of installations) await ensureAccountJobs(prisma, accountId);
  if (installations.length) logger.info({ accounts: installations.length }, 'recurring account jobs ensured');
}

/**
 * The account's recurring BetaPRO poll never ends while the account is installed (docs/product.md §4): a
 * failed poll (BetaPRO down, a refused call, a wrong password) is recorded for the settings health
 * panel and the poll runs again after a backoff that never exceeds the poll interval. A dead poll job
 * would lose every later receipt of the account silently.
 */
import type { PrismaClient } from '@/lib/db';
import { toAppError } from '@/lib/core/errors';
import { logFor } from '@/lib/core/logger';
import { backoffDelayMs } from '@/lib/jobs/queue';
import type { JobOutcome } from '@/lib/jobs/worker';
import { isOperational, loadAccount } from '@/lib/sync/account/accounts';
import { pollJob } from '@/lib/sync/jobs';
import { pollAccount } from '@/lib/sync/receipt/poll';
import { nextPollIntervalSec } from '@/lib/sync/receipt/poll-interval';

/** Used only when even the account's settings could not be read. */
const FALLBACK_INTERVAL_MS = 60_000;

export async function runPollJob(prisma: PrismaClient, accountId: string): Promise<JobOutcome> {
  let intervalMs = FALLBACK_INTERVAL_MS;
  try {
    const account = await loadAccount(prisma, accountId);
    // An uninstalled account's poll ends here; a suspended one stays scheduled, idle until resume.
    if (!account || account.status === 'uninstalled') return;
    intervalMs = account.settings.pollIntervalSec * 1000;
    if (isOperational(account)) {
      await pollAccount(prisma, accountId);
      await prisma.installation.updateMany({
        where: { accountId, OR: [{ pollFailures: { gt: 0 } }, { pollError: { not: null } }] },
        data: { pollFailures: 0, pollError: null },
      });
      // 15 s while a task is being received or was sent recently, within BetaPRO's quotas.
      intervalMs = (await nextPollIntervalSec(prisma, account)) * 1000;
    }
  } catch (thrown) {
    return { rescheduleAt: new Date(Date.now() + (await recordPollFailure(prisma, accountId, thrown, intervalMs))) };
  }
  return { rescheduleAt: new Date(Date.now() + intervalMs) };
}

/** Records why the poll failed and returns how long to wait before the next one (ms). */
async function recordPollFailure(prisma: PrismaClient, accountId: string, thrown: unknown, intervalMs: number): Promise<number> {
  const error = toAppError(thrown);
  let failures = 1;
  try {
    const row = await prisma.installation.update({
      where: { accountId },
      data: { pollError: error.userMessage, pollFailedAt: new Date(), pollFailures: { increment: 1 } },
      select: { pollFailures: true },
    });
    failures = row.pollFailures;
  } catch (recordError) {
    // The database is failing too: the poll still comes back after the backoff.
    logFor({ accountId, job: pollJob.kind }).error({ err: recordError }, 'could not record the poll failure');
  }
  const delayMs = Math.max(error.retryAfterMs ?? 0, Math.min(intervalMs, backoffDelayMs(failures)));
  logFor({ accountId, job: pollJob.kind }).warn(
    { code: error.code, err: error.message, failures, delayMs },
    'BetaPRO poll failed: retrying later',
  );
  return delayMs;
}

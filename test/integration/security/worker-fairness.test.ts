/**
 * Cross-tenant starvation (issue 18, item 3): one account's jobs, however many or however stuck, must
 * not hold every worker slot; a job cannot run forever; a remote's "wait" reschedules the job instead
 * of sleeping in a worker, and costs no attempt.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError } from '@/lib/core/errors';
import { claimJobs, enqueueJob } from '@/lib/jobs/queue';
import { defineJob, startWorker } from '@/lib/jobs/worker';
import { openTestDatabase, TEST_DATABASE_KINDS, type TestDatabase } from '../../support/db';

async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return false;
}

describe.each(TEST_DATABASE_KINDS)('worker fairness on %s', (kind) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase(kind);
  });
  afterAll(async () => {
    await db.close();
  });

  it('one account with many stuck jobs leaves a slot to another account', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const started: string[] = [];
    const job = defineJob({
      kind: 'tenant-work',
      payload: z.object({ account: z.string() }),
      async handler({ account }) {
        started.push(account);
        if (account === 'greedy') await released;
      },
    });
    const old = new Date(Date.now() - 60_000);
    for (let i = 0; i < 6; i++)
      await enqueueJob(db.prisma, {
        kind: 'tenant-work',
        accountId: 'greedy',
        payload: { account: 'greedy' },
        runAt: old,
      });
    await enqueueJob(db.prisma, { kind: 'tenant-work', accountId: 'polite', payload: { account: 'polite' } });
    const worker = startWorker({
      prisma: db.prisma,
      jobs: [job],
      concurrency: 3,
      pollIntervalMs: 20,
      singleConnection: kind === 'pglite',
    });
    try {
      expect(await waitFor(() => started.includes('polite'), 5000)).toBe(true);
      // The greedy account got every slot but one.
      expect(started.filter((a) => a === 'greedy')).toHaveLength(2);
    } finally {
      release();
      await worker.stop();
    }
  });

  it('claims the account with the least running work first, whatever the age of its job', async () => {
    const old = new Date(Date.now() - 60_000);
    await enqueueJob(db.prisma, { kind: 'load', accountId: 'busy', payload: {}, runAt: old });
    await enqueueJob(db.prisma, { kind: 'load', accountId: 'busy', payload: {}, runAt: old });
    await enqueueJob(db.prisma, { kind: 'load', accountId: 'busy', payload: {}, runAt: old });
    await claimJobs(db.prisma, 'other-worker', 2, 60_000, ['load']);
    await enqueueJob(db.prisma, { kind: 'load', accountId: 'idle', payload: {} });
    const [next] = await claimJobs(db.prisma, 'w', 1, 60_000, ['load']);
    expect(next.accountId).toBe('idle');
  });

  it('a job past its deadline frees its slot and is retried; its late outcome is not recorded', async () => {
    let runs = 0;
    const stuck = defineJob({
      kind: 'stuck',
      payload: z.object({}),
      deadlineMs: 300,
      async handler() {
        runs += 1;
        if (runs === 1) await new Promise((r) => setTimeout(r, 2000)); // hangs far past its deadline
      },
    });
    const quick = defineJob({ kind: 'quick', payload: z.object({}), async handler() {} });
    const { id } = await enqueueJob(db.prisma, { kind: 'stuck', accountId: 'a1' });
    const worker = startWorker({
      prisma: db.prisma,
      jobs: [stuck, quick],
      concurrency: 1,
      pollIntervalMs: 20,
      singleConnection: kind === 'pglite',
    });
    try {
      expect(
        await waitFor(
          async () => (await db.prisma.job.findUniqueOrThrow({ where: { id } })).lastError?.includes('deadline') ?? false,
          3000,
        ),
      ).toBe(true);
      // The only slot is free again while the first run still hangs.
      const other = await enqueueJob(db.prisma, { kind: 'quick', accountId: 'a2' });
      expect(await waitFor(async () => (await db.prisma.job.findUniqueOrThrow({ where: { id: other.id } })).state === 'done', 1500)).toBe(
        true,
      );
      expect(runs).toBe(1);
    } finally {
      await worker.stop();
    }
  });

  it('a rate-limited job is deferred by the advised time without spending attempts', async () => {
    let calls = 0;
    const limited = defineJob({
      kind: 'limited',
      payload: z.object({}),
      async handler() {
        calls += 1;
        if (calls <= 4) throw new AppError('RATE_LIMITED', 'remote asked to wait', { retryAfterMs: 50 });
      },
    });
    const { id } = await enqueueJob(db.prisma, { kind: 'limited', accountId: 'a3', maxAttempts: 2 });
    const worker = startWorker({
      prisma: db.prisma,
      jobs: [limited],
      concurrency: 1,
      pollIntervalMs: 20,
      singleConnection: kind === 'pglite',
    });
    try {
      expect(
        await waitFor(async () => ['done', 'dead'].includes((await db.prisma.job.findUniqueOrThrow({ where: { id } })).state), 5000),
      ).toBe(true);
      const job = await db.prisma.job.findUniqueOrThrow({ where: { id } });
      expect(job.state).toBe('done');
      expect(calls).toBe(5);
      expect(job.attempts).toBe(1);
    } finally {
      await worker.stop();
    }
  });
});

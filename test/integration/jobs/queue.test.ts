import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { openDatabase, type Database } from '@/lib/db';
import { claimJobs, completeJob, enqueueJob, failJob } from '@/lib/jobs/queue';
import { defineJob, startWorker } from '@/lib/jobs/worker';
import { AppError } from '@/lib/core/errors';
import { openTestDatabase, TEST_DATABASE_KINDS, type TestDatabase } from '../../support/db';

describe.each(TEST_DATABASE_KINDS)('job queue on %s', (kind) => {
  let db: TestDatabase;
  let second: Database | undefined;
  beforeAll(async () => {
    db = await openTestDatabase(kind);
    // On PostgreSQL a second client stands for a second worker process.
    second = kind === 'postgres' ? await openDatabase({ databaseUrl: db.url!, poolSize: 5 }) : undefined;
  });
  afterAll(async () => {
    await second?.close();
    await db.close();
  });
  const other = () => second?.prisma ?? db.prisma;

  it('de-duplicates by key while active, and pulls a queued duplicate forward', async () => {
    const later = new Date(Date.now() + 60_000);
    const results = await Promise.all(
      Array.from({ length: 4 }, () => enqueueJob(db.prisma, { kind: 'dedupe', dedupeKey: 'doc-1', runAt: later })),
    );
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    await enqueueJob(db.prisma, { kind: 'dedupe', dedupeKey: 'doc-1' });
    const job = await db.prisma.job.findUniqueOrThrow({ where: { id: results[0].id } });
    expect(job.runAt.getTime()).toBeLessThan(later.getTime());
    expect(await db.prisma.job.count({ where: { kind: 'dedupe' } })).toBe(1);
  });

  it('a q: key de-duplicates only while queued: once claimed, the same key queues a new job', async () => {
    const first = await enqueueJob(db.prisma, { kind: 'requeue', dedupeKey: 'q:doc-9' });
    const again = await enqueueJob(db.prisma, { kind: 'requeue', dedupeKey: 'q:doc-9' });
    expect(again).toEqual({ id: first.id, created: false });
    const [claimed] = await claimJobs(db.prisma, 'w', 1, 60_000, ['requeue']);
    expect(claimed.id).toBe(first.id);
    expect(claimed.activeKey).toBeNull();
    // The running job may already have read what changed; a later request must run once more.
    const after = await enqueueJob(db.prisma, { kind: 'requeue', dedupeKey: 'q:doc-9' });
    expect(after.created).toBe(true);
    expect(after.id).not.toBe(first.id);
    // A plain key stays taken while its job runs.
    await enqueueJob(db.prisma, { kind: 'requeue-plain', dedupeKey: 'doc-10' });
    const [plain] = await claimJobs(db.prisma, 'w', 1, 60_000, ['requeue-plain']);
    expect(plain.activeKey).toBe('doc-10');
    expect((await enqueueJob(db.prisma, { kind: 'requeue-plain', dedupeKey: 'doc-10' })).created).toBe(false);
  });

  it('never gives one job to two workers, nor runs two jobs of one group at once', async () => {
    for (let i = 0; i < 20; i++) await enqueueJob(db.prisma, { kind: 'claim', payload: { i } });
    await enqueueJob(db.prisma, { kind: 'claim', groupKey: 'g', dedupeKey: 'g-1' });
    await enqueueJob(db.prisma, { kind: 'claim', groupKey: 'g', dedupeKey: 'g-2' });
    const [a, b] = await Promise.all([
      claimJobs(db.prisma, 'worker-a', 15, 60_000, ['claim']),
      claimJobs(other(), 'worker-b', 15, 60_000, ['claim']),
    ]);
    const ids = [...a, ...b].map((j) => j.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(21);
    expect([...a, ...b].filter((j) => j.groupKey === 'g')).toHaveLength(1);
    const running = [...a, ...b].find((j) => j.groupKey === 'g')!;
    expect(await claimJobs(db.prisma, 'worker-c', 10, 60_000, ['claim'])).toHaveLength(0);
    const owner = a.includes(running) ? 'worker-a' : 'worker-b';
    expect(await completeJob(db.prisma, running, owner)).toBe(true);
    const next = await claimJobs(db.prisma, 'worker-c', 10, 60_000, ['claim']);
    expect(next.map((j) => j.groupKey)).toEqual(['g']);
  });

  // Only the embedded database has a single connection: its concurrent claims queue on it.
  if (kind === 'pglite')
    it("claims on the embedded database's one connection never share a job or a group", async () => {
      for (let i = 0; i < 12; i++) await enqueueJob(db.prisma, { kind: 'single', payload: { i } });
      await enqueueJob(db.prisma, { kind: 'single', groupKey: 'sg', dedupeKey: 'sg-1' });
      await enqueueJob(db.prisma, { kind: 'single', groupKey: 'sg', dedupeKey: 'sg-2' });
      const claims = await Promise.all(['a', 'b', 'c'].map((w) => claimJobs(db.prisma, w, 6, 60_000, ['single'])));
      const all = claims.flat();
      expect(new Set(all.map((j) => j.id)).size).toBe(all.length);
      expect(all).toHaveLength(13);
      expect(all.filter((j) => j.groupKey === 'sg')).toHaveLength(1);
    });

  it('lets another worker take over when a lease expires, and refuses the late owner', async () => {
    await enqueueJob(db.prisma, { kind: 'lease' });
    const [first] = await claimJobs(db.prisma, 'dies', 1, 50, ['lease']);
    await new Promise((r) => setTimeout(r, 120));
    const [taken] = await claimJobs(other(), 'survivor', 1, 60_000, ['lease']);
    expect(taken.id).toBe(first.id);
    expect(taken.attempts).toBe(2);
    expect(await completeJob(db.prisma, first, 'dies')).toBe(false);
    expect(await completeJob(db.prisma, taken, 'survivor')).toBe(true);
  });

  it('retries with backoff and ends dead after the last attempt, visibly', async () => {
    const { id } = await enqueueJob(db.prisma, { kind: 'fail', maxAttempts: 2, dedupeKey: 'fail-1' });
    let [job] = await claimJobs(db.prisma, 'w', 1, 60_000, ['fail']);
    expect(await failJob(db.prisma, job, 'w', 'boom', new Date())).toBe('queued');
    [job] = await claimJobs(db.prisma, 'w', 1, 60_000, ['fail']);
    expect(await failJob(db.prisma, job, 'w', 'boom again', new Date())).toBe('dead');
    const dead = await db.prisma.job.findUniqueOrThrow({ where: { id } });
    expect(dead).toMatchObject({ state: 'dead', activeKey: null, lastError: 'boom again' });
    // The key is free again: a new request creates a new job.
    expect((await enqueueJob(db.prisma, { kind: 'fail', dedupeKey: 'fail-1' })).created).toBe(true);
  });

  it('worker runs handlers, memoises steps across a retry, and reschedules recurring jobs', async () => {
    const effects: string[] = [];
    let failOnce = true;
    const stepped = defineJob({
      kind: 'stepped',
      payload: z.object({ name: z.string() }),
      async handler(payload, ctx) {
        await ctx.step('effect', async () => {
          effects.push(payload.name);
          return 1;
        });
        if (failOnce) {
          failOnce = false;
          throw new AppError('REMOTE_UNAVAILABLE', 'transient', { retryAfterMs: 10 });
        }
      },
    });
    let ticks = 0;
    const recurring = defineJob({
      kind: 'recurring',
      payload: z.object({}),
      async handler() {
        ticks++;
        return ticks < 3 ? { rescheduleAt: new Date() } : undefined;
      },
    });
    const worker = startWorker({ prisma: db.prisma, jobs: [stepped, recurring], concurrency: 2, pollIntervalMs: 20 });
    try {
      const { id } = await enqueueJob(db.prisma, { kind: 'stepped', payload: { name: 'x' } });
      await enqueueJob(db.prisma, { kind: 'recurring', dedupeKey: 'rec' });
      const deadline = Date.now() + 15_000;
      while (Date.now() < deadline) {
        const job = await db.prisma.job.findUniqueOrThrow({ where: { id } });
        if (job.state === 'done' && ticks >= 3) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      const job = await db.prisma.job.findUniqueOrThrow({ where: { id } });
      expect(job.state).toBe('done');
      expect(job.attempts).toBe(2);
      expect(effects).toEqual(['x']);
      expect(ticks).toBe(3);
      expect(await db.prisma.job.count({ where: { kind: 'recurring' } })).toBe(1);
    } finally {
      await worker.stop();
    }
  });

  it('marks a job with an invalid payload dead instead of retrying it', async () => {
    const strict = defineJob({ kind: 'strict', payload: z.object({ n: z.number() }), async handler() {} });
    const { id } = await enqueueJob(db.prisma, { kind: 'strict', payload: { n: 'not a number' } });
    const worker = startWorker({ prisma: db.prisma, jobs: [strict], pollIntervalMs: 20 });
    try {
      for (let i = 0; i < 100; i++) {
        if ((await db.prisma.job.findUniqueOrThrow({ where: { id } })).state === 'dead') break;
        await new Promise((r) => setTimeout(r, 30));
      }
      expect((await db.prisma.job.findUniqueOrThrow({ where: { id } })).state).toBe('dead');
    } finally {
      await worker.stop();
    }
  });
});

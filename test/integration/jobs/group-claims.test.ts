/**
 * Claims per document group (docs/operations.md "Claiming"): workers claim jobs of different documents
 * in parallel, never wait for each other's claim, and never run two jobs of one document at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { openDatabase, type Database } from '@/lib/db';
import { claimInTransaction, claimJobs, completeJob, enqueueJob, type JobRow } from '@/lib/jobs/queue';
import { defineJob, startWorker } from '@/lib/jobs/worker';
import { openTestDatabase, TEST_DATABASE_KINDS, TEST_DATABASE_URL, type TestDatabase } from '../../support/db';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe.skipIf(!TEST_DATABASE_URL)('claims per group on PostgreSQL', () => {
  let db: TestDatabase;
  let second: Database;
  beforeAll(async () => {
    db = await openTestDatabase('postgres');
    // A second client with its own pool stands for a second worker process.
    second = await openDatabase({ databaseUrl: db.url!, poolSize: 3 });
  });
  afterAll(async () => {
    await second?.close();
    await db?.close();
  });

  it('a claim in progress on one document does not hold up another worker claiming other documents', async () => {
    await enqueueJob(db.prisma, { kind: 'par', groupKey: 'doc:a', dedupeKey: 'a-1' });
    await enqueueJob(db.prisma, { kind: 'par', groupKey: 'doc:a', dedupeKey: 'a-2' });
    await enqueueJob(db.prisma, { kind: 'par', groupKey: 'doc:b', dedupeKey: 'b-1' });
    let mine: JobRow[] = [];
    let theirs = 'blocked' as JobRow[] | 'blocked';
    // Worker A claims document a and keeps its claim transaction open while worker B claims.
    await db.prisma.$transaction(
      async (tx) => {
        mine = await claimInTransaction(tx, { workerId: 'worker-a', limit: 1, leaseMs: 60_000, kinds: ['par'] });
        theirs = await Promise.race([
          claimJobs(second.prisma, 'worker-b', 5, 60_000, ['par']),
          sleep(3_000).then(() => 'blocked' as const),
        ]);
      },
      { timeout: 10_000 },
    );
    expect(mine.map((j) => j.groupKey)).toEqual(['doc:a']);
    // B was not blocked by A's open claim, took document b, and skipped document a (A is claiming it).
    expect(theirs).not.toBe('blocked');
    expect((theirs as JobRow[]).map((j) => j.groupKey)).toEqual(['doc:b']);
    // A committed: document a's second job waits until its first is finished.
    expect(await claimJobs(second.prisma, 'worker-b', 5, 60_000, ['par'])).toEqual([]);
    expect(await completeJob(db.prisma, mine[0], 'worker-a')).toBe(true);
    const next = await claimJobs(second.prisma, 'worker-b', 5, 60_000, ['par']);
    expect(next.map((j) => j.activeKey)).toEqual(['a-2']);
  });

  it('many concurrent claimers never take one job twice nor two jobs of one document, and lose none', async () => {
    for (let d = 0; d < 10; d++) {
      for (let n = 0; n < 3; n++) await enqueueJob(db.prisma, { kind: 'storm', groupKey: `doc:${d}`, dedupeKey: `storm-${d}-${n}` });
    }
    for (let i = 0; i < 10; i++) await enqueueJob(db.prisma, { kind: 'storm' });
    const clients = [db.prisma, second.prisma];
    const claims = await Promise.all(Array.from({ length: 6 }, (_, i) => claimJobs(clients[i % 2], `w-${i}`, 4, 60_000, ['storm'])));
    const all = claims.flat();
    expect(new Set(all.map((j) => j.id)).size).toBe(all.length);
    const groups = all.filter((j) => j.groupKey).map((j) => j.groupKey);
    expect(new Set(groups).size).toBe(groups.length);
    // Six claimers of four slots each: every document's first job and every ungrouped job are taken.
    expect(groups).toHaveLength(10);
    expect(all).toHaveLength(20);
  });
});

describe.each(TEST_DATABASE_KINDS)('two workers on %s', (kind) => {
  let db: TestDatabase;
  let second: Database | undefined;
  beforeAll(async () => {
    db = await openTestDatabase(kind);
    second = kind === 'postgres' ? await openDatabase({ databaseUrl: db.url!, poolSize: 5 }) : undefined;
  });
  afterAll(async () => {
    await second?.close();
    await db.close();
  });

  it('run jobs of different documents side by side and the jobs of one document one after another', async () => {
    const intervals: Array<{ doc: string; worker: string; from: number; to: number }> = [];
    const job = (worker: string) =>
      defineJob({
        kind: 'doc-work',
        payload: z.object({ doc: z.string() }),
        async handler(payload) {
          const from = performance.now();
          await sleep(40);
          intervals.push({ doc: payload.doc, worker, from, to: performance.now() });
        },
      });
    const workers = [
      startWorker({ prisma: db.prisma, jobs: [job('one')], concurrency: 3, pollIntervalMs: 20, workerId: 'one' }),
      startWorker({
        prisma: second?.prisma ?? db.prisma,
        jobs: [job('two')],
        concurrency: 3,
        pollIntervalMs: 20,
        workerId: 'two',
      }),
    ];
    try {
      for (let n = 0; n < 4; n++) {
        for (let d = 0; d < 6; d++) await enqueueJob(db.prisma, { kind: 'doc-work', groupKey: `doc:${d}`, payload: { doc: `doc:${d}` } });
      }
      const deadline = Date.now() + 30_000;
      while (intervals.length < 24 && Date.now() < deadline) await sleep(20);
      expect(intervals).toHaveLength(24);
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
    }
    for (let d = 0; d < 6; d++) {
      const runs = intervals.filter((r) => r.doc === `doc:${d}`).sort((a, b) => a.from - b.from);
      for (let i = 1; i < runs.length; i++) expect(runs[i].from, `doc:${d} overlapped`).toBeGreaterThanOrEqual(runs[i - 1].to);
    }
    // Both workers worked, and jobs of different documents overlapped in time.
    expect(new Set(intervals.map((r) => r.worker)).size).toBe(2);
    const overlapping = intervals.some((a) => intervals.some((b) => a.doc !== b.doc && a.from < b.to && b.from < a.to));
    expect(overlapping).toBe(true);
  });
});

/**
 * Retention (docs/product.md §8): the scheduled job deletes finished jobs, stored inbound events and sync
 * events older than the configured number of days, keeps everything newer and every unfinished job,
 * and schedules its next run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker } from '@/lib/jobs/worker';
import { ensureRetentionJob, RETENTION_JOB, retentionJob } from '@/lib/jobs/retention';
import { openTestDatabase, TEST_DATABASE_KINDS, type TestDatabase } from '../../support/db';

const DAY = 86_400_000;
const daysAgo = (n: number) => new Date(Date.now() - n * DAY);

describe.each(TEST_DATABASE_KINDS)('retention on %s', (kind) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase(kind);
  });
  afterAll(async () => {
    await db?.close();
  });

  async function seed(): Promise<void> {
    const prisma = db.prisma;
    await prisma.installation.create({ data: { accountId: 'acc-r', appId: 'app', webhookSecretHash: 'secret-r' } });
    const document = await prisma.syncDocument.create({
      data: { accountId: 'acc-r', entity: 'supply', msId: 'doc-r' },
    });
    const job = (name: string, state: string, finishedDaysAgo: number | null, createdDaysAgo = 40) => ({
      kind: 'x',
      state,
      payload: { name },
      createdAt: daysAgo(createdDaysAgo),
      runAt: daysAgo(createdDaysAgo),
      finishedAt: finishedDaysAgo === null ? null : daysAgo(finishedDaysAgo),
    });
    await prisma.job.createMany({
      data: [
        job('old-done', 'done', 31),
        job('old-dead', 'dead', 45),
        job('recent-done', 'done', 2),
        job('old-queued', 'queued', null),
        job('old-running', 'running', null),
      ],
    });
    await prisma.inboundEvent.createMany({
      data: [
        { source: 'webhook', key: 'old', accountId: 'acc-r', createdAt: daysAgo(31) },
        { source: 'webhook', key: 'new', accountId: 'acc-r', createdAt: daysAgo(1) },
      ],
    });
    await prisma.syncEvent.createMany({
      data: [
        { documentId: document.id, accountId: 'acc-r', kind: 'requested', message: 'old', createdAt: daysAgo(60) },
        { documentId: document.id, accountId: 'acc-r', kind: 'sent', message: 'new', createdAt: daysAgo(29) },
      ],
    });
    const bulk = (id: string, status: string, completedDaysAgo: number | null) => ({
      id,
      accountId: 'acc-r',
      requestKey: `acc-r:${id}`,
      entity: 'supply',
      buttonName: 'send_to_betapro',
      employeeId: 'e',
      rights: { scope: 'ALL', employeeId: 'e' },
      status,
      createdAt: daysAgo(completedDaysAgo ?? 40),
      completedAt: completedDaysAgo === null ? null : daysAgo(completedDaysAgo),
    });
    await prisma.bulkSend.createMany({
      data: [bulk('old-completed', 'completed', 31), bulk('new-completed', 'completed', 1), bulk('old-running', 'running', null)],
    });
    await prisma.bulkSendItem.createMany({
      data: [
        { bulkId: 'old-completed', msId: 'd1', position: 0 },
        { bulkId: 'new-completed', msId: 'd2', position: 0 },
      ],
    });
    await prisma.workerHeartbeat.createMany({
      data: [
        { workerId: 'gone', host: 'h', pid: 1, startedAt: daysAgo(3), seenAt: daysAgo(2) },
        { workerId: 'alive', host: 'h', pid: 2, startedAt: daysAgo(1), seenAt: new Date() },
      ],
    });
  }

  it('the scheduled job deletes rows older than the configured days and runs again later', async () => {
    await seed();
    await ensureRetentionJob(db.prisma);
    await ensureRetentionJob(db.prisma); // idempotent: still one retention job
    const worker = startWorker({
      prisma: db.prisma,
      jobs: [retentionJob(30)],
      pollIntervalMs: 50,
      singleConnection: kind === 'pglite',
    });
    try {
      await worker.idle();
    } finally {
      await worker.stop();
    }
    const jobs = await db.prisma.job.findMany({ where: { kind: 'x' }, select: { payload: true } });
    expect(jobs.map((j) => (j.payload as { name: string }).name).sort()).toEqual(['old-queued', 'old-running', 'recent-done']);
    expect((await db.prisma.inboundEvent.findMany()).map((e) => e.key)).toEqual(['new']);
    expect((await db.prisma.syncEvent.findMany()).map((e) => e.message)).toEqual(['new']);
    expect((await db.prisma.workerHeartbeat.findMany()).map((h) => h.workerId)).toEqual(['alive']);
    expect((await db.prisma.bulkSend.findMany({ orderBy: { id: 'asc' } })).map((b) => b.id)).toEqual(['new-completed', 'old-running']);
    expect((await db.prisma.bulkSendItem.findMany()).map((i) => i.msId)).toEqual(['d2']);

    const scheduled = await db.prisma.job.findMany({ where: { kind: RETENTION_JOB } });
    expect(scheduled).toHaveLength(1);
    expect(scheduled[0].state).toBe('queued');
    expect(scheduled[0].runAt.getTime()).toBeGreaterThan(Date.now() + 50 * 60_000);
  });
});

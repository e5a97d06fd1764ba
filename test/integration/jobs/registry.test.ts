/**
 * The product's job registry (lib/sync/jobs.ts): every kind is defined once, enqueued jobs carry the
 * attempts and group of their definition, and every handler the worker dispatches to loads.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applyReceiptJob,
  enqueueAccountJob,
  enqueueDocumentJob,
  pollJob,
  preloadJobHandlers,
  productJobs,
  sweepJob,
  transferJob,
} from '@/lib/sync/jobs';
import { documentGroupKey } from '@/lib/sync/document/sync-state';
import { openTestDatabase, type TestDatabase } from '../../support/db';

describe('product job registry', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase('pglite');
  });
  afterAll(async () => {
    await db.close();
  });

  it('defines each kind once, with its attempts and group', () => {
    const kinds = productJobs().map((job) => job.kind);
    expect(new Set(kinds).size).toBe(kinds.length);
    expect(kinds.sort()).toEqual([
      'answer-already-sent',
      'apply-receipt',
      'bulk-send',
      'cancel-task',
      'discrepancy-task',
      'install-webhooks',
      'poll',
      'resume-transfers',
      'stock-daily',
      'stock-reconcile',
      'sweep',
      'transfer',
      'webhook',
    ]);
    for (const job of productJobs()) expect(job.maxAttempts).toBeGreaterThan(0);
  });

  it('a document job is grouped by its document and takes its attempts from the definition', async () => {
    const ref = { accountId: 'acc-reg', entity: 'supply' as const, msId: 'doc-reg' };
    await enqueueDocumentJob(db.prisma, transferJob, ref, { ...ref }, { dedupeKey: 'reg:transfer' });
    await enqueueDocumentJob(db.prisma, applyReceiptJob, ref, { accountId: ref.accountId, documentId: 'd1' }, { dedupeKey: 'reg:apply' });
    const rows = await db.prisma.job.findMany({
      where: { activeKey: { in: ['reg:transfer', 'reg:apply'] } },
      orderBy: { id: 'asc' },
    });
    expect(rows.map((r) => [r.kind, r.accountId, r.groupKey, r.maxAttempts])).toEqual([
      ['transfer', 'acc-reg', documentGroupKey(ref), 8],
      ['apply-receipt', 'acc-reg', documentGroupKey(ref), 10],
    ]);
    expect(rows[0].payload).toEqual({ accountId: 'acc-reg', entity: 'supply', msId: 'doc-reg' });
  });

  it('an account job carries the account and never dies while recurring', async () => {
    await enqueueAccountJob(db.prisma, pollJob, { accountId: 'acc-reg' }, { dedupeKey: 'reg:poll' });
    await enqueueAccountJob(db.prisma, sweepJob, { accountId: 'acc-reg' }, { dedupeKey: 'reg:sweep' });
    const rows = await db.prisma.job.findMany({
      where: { activeKey: { in: ['reg:poll', 'reg:sweep'] } },
      orderBy: { id: 'asc' },
    });
    expect(rows.map((r) => [r.kind, r.accountId, r.groupKey, r.maxAttempts])).toEqual([
      ['poll', 'acc-reg', null, 1_000_000],
      ['sweep', 'acc-reg', null, 1_000_000],
    ]);
  });

  it('preloads every handler module before a worker claims (a bad path fails here, not on a first job)', async () => {
    await expect(preloadJobHandlers()).resolves.toBeUndefined();
  });

  it('loads every handler module the worker dispatches to', async () => {
    // Handlers are imported on first run: an unknown account makes each one return without effects.
    for (const job of productJobs()) {
      const payload =
        job.kind === 'transfer'
          ? { accountId: 'none', entity: 'supply', msId: 'x' }
          : job.kind === 'webhook'
            ? { accountId: 'none', actor: null, events: [] }
            : job.kind === 'bulk-send'
              ? { accountId: 'none', bulkId: 'none' }
              : { accountId: 'none', documentId: 'none' };
      const ctx = {
        prisma: db.prisma,
        job: { attempts: 1, maxAttempts: 8 },
        step: (_: string, fn: () => Promise<unknown>) => fn(),
      };
      await expect(job.handler(job.payload.parse(payload), ctx as never)).resolves.toBeUndefined();
    }
  });
});

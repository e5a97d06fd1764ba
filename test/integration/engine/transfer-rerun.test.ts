/**
 * A transfer job that runs again after its effects were done (a worker crashed after creating the task and
 * answering, before the job was marked done; or a retry after a failure late in the job): the document
 * still has one BetaPRO task, one «task created» event and one «Передан в БетаПРО» line in its comment.
 * PostgreSQL, so that the test can put the job back while the app runs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '@/lib/db';
import { enqueueJob } from '@/lib/jobs/queue';
import { documentGroupKey } from '@/lib/sync/document/sync-state';
import { transferJobKey } from '@/lib/sync/transfer/request-transfer';
import { transferJob } from '@/lib/sync/jobs';
import { api, createSupply, documentView, installAndConfigure, startSandbox, waitFor, type ConfiguredAccount } from '../../support/sandbox';
import { createMigratedPostgresDatabase, TEST_DATABASE_URL } from '../../support/db';

type Sandbox = Awaited<ReturnType<typeof startSandbox>>;

describe.skipIf(!TEST_DATABASE_URL)('a transfer job run again after its effects', () => {
  let sandbox: Sandbox;
  let database: { url: string; drop(): Promise<void> };
  let db: Database;
  let account: ConfiguredAccount;

  beforeAll(async () => {
    database = await createMigratedPostgresDatabase('bridge_rerun');
    sandbox = await startSandbox({ databaseUrl: database.url });
    account = await installAndConfigure(sandbox, 'rerun-shop');
    db = await openDatabase({ databaseUrl: database.url, poolSize: 2 });
  });
  afterAll(async () => {
    await db?.close();
    await sandbox?.stop();
    await database?.drop();
  });

  it('leaves one task, one «task created» event and one comment line', async () => {
    const ms = sandbox.moysklad;
    const product = account.seed.products.find((p) => p.type === 'product' && p.article)!;
    const id = createSupply(sandbox, account, { positions: [{ productId: product.id, quantity: 3 }] });
    const msDoc = () => ms.getDocument(account.accountId, 'supply', id) as { state?: { name?: string }; description?: string };
    const sentLines = () => (msDoc().description ?? '').split('\n').filter((l) => l.includes('Передан в БетаПРО')).length;

    expect(
      (
        await api(sandbox.app.url, `/api/widget/documents/supply/${id}/actions`, {
          token: account.adminSession,
          body: { action: 'send' },
        })
      ).status,
    ).toBe(202);
    await waitFor('«Передан»', async () => msDoc().state?.name === 'Передан', 30_000);
    expect(sentLines()).toBe(1);

    // The job again, as after a crash: the document back in 'sending' and a new transfer job for it.
    const ref = { accountId: account.accountId, entity: 'supply' as const, msId: id };
    const before = await db.prisma.syncDocument.findUniqueOrThrow({ where: { accountId_entity_msId: ref } });
    await db.prisma.syncDocument.update({ where: { id: before.id }, data: { state: 'sending' } });
    const job = await enqueueJob(db.prisma, {
      kind: transferJob.kind,
      accountId: ref.accountId,
      groupKey: documentGroupKey(ref),
      dedupeKey: transferJobKey(ref),
      payload: ref,
      maxAttempts: 8,
    });
    await waitFor(
      'the rerun finished',
      async () => {
        const row = await db.prisma.job.findUnique({ where: { id: job.id } });
        return row?.state === 'done';
      },
      30_000,
    );

    const after = await db.prisma.syncDocument.findUniqueOrThrow({ where: { id: before.id } });
    expect(after.state).toBe('sent');
    expect(after.indocId).toBe(before.indocId);
    const view = await documentView(sandbox, account.adminSession, 'supply', id);
    expect(view.events.filter((e) => e.kind === 'task_created')).toHaveLength(1);
    expect(msDoc().state?.name).toBe('Передан');
    expect(sentLines()).toBe(1);
    const state = (await (await fetch(`${sandbox.betapro.controlUrl}/state`)).json()) as {
      partners: Record<string, { indocs: Record<string, { indoc_id: string }> }>;
    };
    const tasks = Object.values(Object.values(state.partners)[0].indocs).filter((t) =>
      t.indoc_id.toLowerCase().includes(id.replace(/-/g, '').toLowerCase()),
    );
    expect(tasks).toHaveLength(1);
  }, 120_000);
});

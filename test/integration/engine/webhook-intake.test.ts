/**
 * The webhook intake's storage (lib/sync/triggers/webhook-intake.ts) on both databases: what is written for
 * which delivery, group commit under a burst, requestId de-duplication inside and across batches,
 * per-document coalescing while the job is queued, and a failed statement answering every delivery
 * of its batch with the error.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '@/lib/db';
import { claimJobs } from '@/lib/jobs/queue';
import { acceptWebhookDelivery, webhookJobKey } from '@/lib/sync/triggers/webhook-intake';
import { forgetWebhookInstallation } from '@/lib/sync/account/webhook-installations';
import { webhookSecretHash } from '@/lib/sync/account/webhook-secrets';
import { openTestDatabase, TEST_DATABASE_KINDS, type TestDatabase } from '../../support/db';

const ACCOUNT = 'acc-intake';
const SECRET = 'intake-secret-0123456789';

function delivery(events: Array<{ type?: string; id: string; action?: string; fields?: string[]; accountId?: string }>): string {
  return JSON.stringify({
    auditContext: { meta: { type: 'audit', href: 'https://api.moysklad.ru/api/remap/1.2/audit/1' }, uid: 'clerk@acc' },
    events: events.map((e) => ({
      meta: {
        type: e.type ?? 'supply',
        href: `https://api.moysklad.ru/api/remap/1.2/entity/${e.type ?? 'supply'}/${e.id}`,
      },
      action: e.action ?? 'UPDATE',
      accountId: e.accountId ?? ACCOUNT,
      ...(e.fields ? { updatedFields: e.fields } : {}),
    })),
  });
}

const post = (body: string) =>
  new Request('http://127.0.0.1/api/moysklad/webhooks/x', {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json' },
  });

describe.each(TEST_DATABASE_KINDS)('webhook intake on %s', (kind) => {
  let db: TestDatabase;
  const deliver = (body: string, requestId: string | null = randomUUID(), prisma: Db = db.prisma) =>
    acceptWebhookDelivery(prisma, SECRET, requestId, post(body), { singleConnection: kind === 'pglite' });
  const webhookJobs = () => db.prisma.job.findMany({ where: { kind: 'webhook' }, orderBy: { id: 'asc' } });

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    await db.prisma.installation.create({
      data: { accountId: ACCOUNT, appId: 'app-1', webhookSecretHash: webhookSecretHash(SECRET) },
    });
  });
  afterAll(() => db.close());
  beforeEach(async () => {
    await db.prisma.job.deleteMany({});
    await db.prisma.inboundEvent.deleteMany({});
    await db.prisma.installation.update({ where: { accountId: ACCOUNT }, data: { status: 'active' } });
    forgetWebhookInstallation(ACCOUNT);
  });

  it('answers events that cannot be a command without writing anything', async () => {
    const results = await Promise.all([
      deliver(delivery([{ id: 'd1', fields: ['description'] }])),
      deliver(delivery([{ id: 'd1', action: 'DELETE' }])),
      deliver(delivery([{ id: 'p1', type: 'product', fields: ['state'] }])),
      deliver(delivery([{ id: 'd1', fields: ['state'], accountId: 'someone-else' }])),
    ]);
    expect(results).toEqual(['ignored', 'ignored', 'ignored', 'ignored']);
    expect(await db.prisma.job.count()).toBe(0);
    expect(await db.prisma.inboundEvent.count()).toBe(0);
    await expect(acceptWebhookDelivery(db.prisma, 'no-such-secret-000', null, post(delivery([{ id: 'd1' }])))).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(deliver('{"events": "nope"}')).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('a burst of 60 deliveries about 3 documents → 60 remembered requestIds, one queued job per document', async () => {
    const ids = ['a', 'b', 'c'];
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) => deliver(delivery([{ id: ids[i % 3], fields: ['state', 'description'] }]))),
    );
    expect(results.every((r) => r === 'queued')).toBe(true);
    expect(await db.prisma.inboundEvent.count({ where: { source: 'webhook' } })).toBe(60);
    const jobs = await webhookJobs();
    expect(jobs.map((j) => j.activeKey).sort()).toEqual(ids.map((id) => webhookJobKey(ACCOUNT, { entity: 'supply', msId: id })));
    for (const job of jobs) {
      expect(job.state).toBe('queued');
      expect(job.payload).toMatchObject({
        accountId: ACCOUNT,
        actor: 'clerk@acc',
        events: [{ entity: 'supply', action: 'UPDATE' }],
      });
    }
    // One delivery with two documents (and the same one twice) queues each document once.
    await db.prisma.job.deleteMany({});
    expect(
      await deliver(
        delivery([
          { id: 'x', action: 'CREATE' },
          { id: 'y', type: 'move' },
          { id: 'x', fields: ['state'] },
        ]),
      ),
    ).toBe('queued');
    expect((await webhookJobs()).map((j) => j.activeKey).sort()).toEqual([
      webhookJobKey(ACCOUNT, { entity: 'move', msId: 'y' }),
      webhookJobKey(ACCOUNT, { entity: 'supply', msId: 'x' }),
    ]);
  });

  it('the same requestId four times at once, and again later → one piece of work', async () => {
    const requestId = randomUUID();
    const body = delivery([{ id: 'dup', fields: ['state'] }]);
    const results = await Promise.all(Array.from({ length: 4 }, () => deliver(body, requestId)));
    expect(results.filter((r) => r === 'queued')).toHaveLength(1);
    expect(results.filter((r) => r === 'duplicate')).toHaveLength(3);
    expect(await deliver(body, requestId)).toBe('duplicate');
    expect(await webhookJobs()).toHaveLength(1);
    expect(await db.prisma.inboundEvent.count()).toBe(1);
  });

  it('a delivery after the job was claimed queues the document again (the running job may have read it already)', async () => {
    expect(await deliver(delivery([{ id: 'doc', fields: ['state'] }]))).toBe('queued');
    const [claimed] = await claimJobs(db.prisma, 'worker', 5, 60_000, ['webhook']);
    expect(claimed).toBeDefined();
    expect(await deliver(delivery([{ id: 'doc', fields: ['state'] }]))).toBe('queued');
    const jobs = await webhookJobs();
    expect(jobs.map((j) => j.state)).toEqual(['running', 'queued']);
  });

  it('a suspended account is answered without work; a failed statement fails every delivery of its batch', async () => {
    await db.prisma.installation.update({ where: { accountId: ACCOUNT }, data: { status: 'suspended' } });
    forgetWebhookInstallation(ACCOUNT);
    expect(await deliver(delivery([{ id: 'd', fields: ['state'] }]))).toBe('ignored');
    expect(await db.prisma.job.count()).toBe(0);

    await db.prisma.installation.update({ where: { accountId: ACCOUNT }, data: { status: 'active' } });
    forgetWebhookInstallation(ACCOUNT);
    const broken = {
      installation: db.prisma.installation,
      $queryRawUnsafe: async () => {
        throw new Error('connection terminated');
      },
    } as unknown as Db;
    const requestIds = [randomUUID(), randomUUID(), randomUUID()];
    const outcomes = await Promise.allSettled(requestIds.map((id) => deliver(delivery([{ id: 'e', fields: ['state'] }]), id, broken)));
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'rejected']);
    // Nothing was remembered, so MoySklad's retries of the same deliveries go through.
    const retried = await Promise.all(requestIds.map((id) => deliver(delivery([{ id: 'e', fields: ['state'] }]), id)));
    expect(retried).toEqual(['queued', 'queued', 'queued']);
    expect(await webhookJobs()).toHaveLength(1);
  });
});

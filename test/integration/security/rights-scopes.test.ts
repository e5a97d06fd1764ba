/**
 * Issue 18 item 8: a right of scope OWN / OWN_GROUP covers only the documents the employee owns or
 * that belong to the employee's group; the document view, its actions and the preflight (which lists
 * product names) check it against the document MoySklad holds; the settings page shows error details
 * (document and product names) only to those who may view those documents.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { api, createSupply, installAndConfigure, sessionFor, startSandbox, waitFor, type ConfiguredAccount } from '../../support/sandbox';

type Sandbox = Awaited<ReturnType<typeof startSandbox>>;
let sandbox: Sandbox;
let account: ConfiguredAccount;
const GROUP = randomUUID();
const OTHER_GROUP = randomUUID();

beforeAll(async () => {
  sandbox = await startSandbox();
  account = await installAndConfigure(sandbox, 'scopes-shop');
}, 120_000);
afterAll(async () => {
  await sandbox?.stop();
});

const acc = () => sandbox.moysklad.sim.account(account.accountId);
const product = () => account.seed.products.find((p) => p.article)!.id;

/** A supply owned by `ownerKind` in `groupId` (MoySklad's owner and group fields). */
function supplyOwnedBy(ownerKind: 'admin' | 'clerk', groupId: string): string {
  const id = createSupply(sandbox, account, { positions: [{ productId: product(), quantity: 1 }] });
  const rec = acc().entities[id];
  rec!.ownerId = acc().employees[ownerKind].id;
  rec!.groupId = groupId;
  return id;
}

async function clerkWith(scope: string): Promise<string> {
  acc().employees.clerk.permissions.supply = { view: scope, update: scope, create: 'ALL', delete: 'NO' };
  acc().employees.clerk.groupId = GROUP;
  return sessionFor(sandbox, account.accountId, 'clerk');
}

const doc = (token: string, id: string, tail = '') =>
  api<{ error?: { message: string }; problems?: Array<{ message: string }> }>(
    sandbox.app.url,
    `/api/widget/documents/supply/${id}${tail}`,
    { token },
  );

describe('rights scopes', () => {
  it("OWN: the clerk sees and sends only own documents; preflight of another's document is refused", async () => {
    const clerk = await clerkWith('OWN');
    const own = supplyOwnedBy('clerk', OTHER_GROUP);
    const foreign = supplyOwnedBy('admin', GROUP);
    expect((await doc(clerk, own)).status).toBe(200);
    expect((await doc(clerk, own, '/preflight')).status).toBe(200);
    const view = await doc(clerk, foreign);
    expect(view.status).toBe(403);
    expect(view.body.error?.message).toMatch(/нет прав на просмотр этого документа/);
    expect((await doc(clerk, foreign, '/preflight')).status).toBe(403);
    const send = await api(sandbox.app.url, `/api/widget/documents/supply/${foreign}/actions`, {
      token: clerk,
      body: { action: 'send' },
    });
    expect(send.status).toBe(403);
    // Nothing was queued for the foreign document.
    expect((await doc(account.adminSession, foreign)).body).toMatchObject({ state: 'not_sent' });
  });

  it("OWN_GROUP: documents of the clerk's group are covered, those of another group are not", async () => {
    const clerk = await clerkWith('OWN_GROUP');
    const groupDoc = supplyOwnedBy('admin', GROUP);
    const otherDoc = supplyOwnedBy('admin', OTHER_GROUP);
    expect((await doc(clerk, groupDoc)).status).toBe(200);
    expect((await doc(clerk, otherDoc)).status).toBe(403);
    expect((await doc(clerk, otherDoc, '/preflight')).status).toBe(403);
  });

  it('settings: error details (document and product names) only for those who may view every such document', async () => {
    // A document that fails validation: a service (no article) among its positions.
    const service = account.seed.products.find((p) => p.type === 'service')!;
    const ms = sandbox.moysklad;
    const id = String(
      ms.createDocument(account.accountId, 'supply', {
        organization: ms.meta('organization', account.seed.organizationId),
        agent: ms.meta('counterparty', account.seed.counterpartyId),
        store: ms.meta('store', account.seed.stores.betapro),
        positions: [{ quantity: 1, price: 100, assortment: ms.meta('service', service.id) }],
      }).id,
    );
    await api(sandbox.app.url, `/api/widget/documents/supply/${id}/actions`, {
      token: account.adminSession,
      body: { action: 'send' },
    });
    type Health = { health: { recentErrors: Array<{ documentName: string | null; message: string }> } };
    const adminView = await waitFor('error recorded', async () => {
      const res = await api<Health>(sandbox.app.url, '/api/settings', { token: account.adminSession });
      return res.body.health.recentErrors.length ? res.body : undefined;
    });
    expect(adminView.health.recentErrors[0].documentName).toBeTruthy();
    const restricted = await clerkWith('OWN');
    const clerkView = (await api<Health>(sandbox.app.url, '/api/settings', { token: restricted })).body;
    expect(clerkView.health.recentErrors.length).toBe(adminView.health.recentErrors.length);
    for (const [i, e] of clerkView.health.recentErrors.entries()) {
      expect(e.documentName).toBeNull();
      expect(e.message).not.toBe(adminView.health.recentErrors[i].message);
      expect(e.message).toMatch(/недоступен для просмотра/);
    }
    const full = await clerkWith('ALL');
    expect((await api<Health>(sandbox.app.url, '/api/settings', { token: full })).body.health.recentErrors).toEqual(
      adminView.health.recentErrors,
    );
  });
});

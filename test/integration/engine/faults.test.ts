/**
 * BetaPRO failing 30% of requests (5xx, timeouts, accept-then-drop): every document still ends
 * "Передан" with exactly one task (docs/product.md §3: retries, deterministic indoc_id, 1001 check).
 */
import { describe, expect, it } from 'vitest';
import { api, documentView, waitFor, type ConfiguredAccount } from '../../support/sandbox';
import { sandboxSuite, type SuiteSandbox } from '../../support/suite';

let sandbox: SuiteSandbox;
let account: ConfiguredAccount;

sandboxSuite(['faulty-warehouse'], (s, [a]) => {
  sandbox = s;
  account = a;
});

async function control(path: string, body: unknown) {
  const res = await fetch(`${sandbox.betapro.controlUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status).toBeLessThan(300);
}

describe('BetaPRO failing 30% of requests', () => {
  it('all documents end "Передан", none duplicated', async () => {
    const ms = sandbox.moysklad;
    const products = account.seed.products.filter((p) => p.type === 'product' && p.article);
    await control('/config', { timeout_hold_ms: 800 });
    const ids: string[] = [];
    for (const mode of ['error500', 'acceptThenDrop', 'timeout'] as const) {
      await control('/faults', { mode, rate: 0.3 });
      for (let i = 0; i < 4; i++) {
        const doc = ms.createDocument(account.accountId, 'supply', {
          organization: ms.meta('organization', account.seed.organizationId),
          agent: ms.meta('counterparty', account.seed.counterpartyId),
          store: ms.meta('store', account.seed.stores.betapro),
          positions: products.slice(0, 1 + (i % products.length)).map((p, j) => ({
            quantity: 1 + j,
            price: 100,
            assortment: ms.meta('product', p.id),
          })),
        });
        const id = String(doc.id);
        ids.push(id);
        const res = await api(sandbox.app.url, `/api/widget/documents/supply/${id}/actions`, {
          token: account.adminSession,
          body: { action: 'send' },
        });
        expect(res.status).toBe(202);
      }
      await waitFor(
        `documents sent under ${mode}`,
        async () => {
          const views = await Promise.all(ids.map((id) => documentView(sandbox, account.adminSession, 'supply', id)));
          const failed = views.find((v) => v.state === 'error');
          if (failed) throw new Error(`${failed.id} failed: ${JSON.stringify(failed.errors)}`);
          return views.every((v) => v.state === 'sent');
        },
        120_000,
      );
    }
    await control('/faults', { mode: 'none', rate: 0 });
    const state = (await (await fetch(`${sandbox.betapro.controlUrl}/state`)).json()) as {
      partners: Record<string, { indocs: Record<string, { indoc_id: string }> }>;
    };
    const indocs = Object.values(Object.values(state.partners)[0].indocs).map((t) => t.indoc_id.toLowerCase());
    for (const id of ids) {
      expect(indocs.filter((t) => t.includes(id.replace(/-/g, '').toLowerCase()))).toHaveLength(1);
      const doc = ms.getDocument(account.accountId, 'supply', id) as { state?: { name?: string } };
      expect(doc.state?.name).toBe('Передан');
    }
    // The faults really happened: more task creations were attempted than there are documents.
    const stats = (await (await fetch(`${sandbox.betapro.controlUrl}/stats`)).json()) as {
      partners: Record<string, { operations: Record<string, number>; outcomes: Record<string, number> }>;
    };
    const partner = Object.values(stats.partners)[0];
    expect(partner.operations['POST /indocs']).toBeGreaterThan(ids.length);
  });
});

/**
 * Receipts under a crash and at scale (docs/product.md §4, §8): a crash between lock and apply is applied
 * exactly once after restart; a 5,000-position supply received with 50 differences is corrected
 * within the budget of MoySklad calls.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { api, documentView, installAndConfigure, startSandbox, waitFor, type ConfiguredAccount } from '../../support/sandbox';
import { startApp } from '../../support/app-server';

type Sandbox = Awaited<ReturnType<typeof startSandbox>>;
let sandbox: Sandbox;
let account: ConfiguredAccount;
const pgliteDir = path.join(mkdtempSync(path.join(os.tmpdir(), 'bridge-crash-')), 'pglite');

beforeAll(async () => {
  sandbox = await startSandbox({ startApp: false });
  sandbox.app = await startApp({ port: sandbox.appPort, env: sandbox.appEnv, pgliteDir });
  account = await installAndConfigure(sandbox, 'resilient-shop');
});
afterAll(async () => {
  await sandbox?.stop();
});

interface MsDoc {
  applicable?: boolean;
  description?: string;
  state?: { name?: string };
  positions?: { rows: Array<{ quantity: number; assortment: { article?: string } }> };
}
const ms = () => sandbox.moysklad;
const msDoc = (id: string) => ms().getDocument(account.accountId, 'supply', id) as MsDoc;

async function control(pathname: string, body: unknown = {}) {
  const res = await fetch(`${sandbox.betapro.controlUrl}${pathname}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status >= 300) throw new Error(`${pathname}: ${res.status} ${await res.text()}`);
}
async function outdocsOf(indocId: string) {
  const state = (await (await fetch(`${sandbox.betapro.controlUrl}/state`)).json()) as {
    partners: Record<string, { outdocs: Record<string, { outdoc_id: number; indoc_id?: string; locked: boolean; deleted?: boolean }> }>;
  };
  return Object.values(Object.values(state.partners)[0].outdocs).filter((o) => o.indoc_id === indocId && !o.deleted);
}
async function send(id: string): Promise<string> {
  await api(sandbox.app.url, `/api/widget/documents/supply/${id}/actions`, {
    token: account.adminSession,
    body: { action: 'send' },
  });
  const view = await waitFor(
    'sent',
    async () => {
      const v = await documentView(sandbox, account.adminSession, 'supply', id);
      if (v.state === 'error') throw new Error(JSON.stringify(v.errors));
      return v.state === 'sent' ? v : undefined;
    },
    120_000,
  );
  return view.indocId!;
}

describe('receipt resilience', () => {
  it('a crash between lock and apply → applied exactly once after restart', async () => {
    const product = account.seed.products.find((p) => p.article === 'TS-WHITE')!;
    const doc = ms().createDocument(account.accountId, 'supply', {
      organization: ms().meta('organization', account.seed.organizationId),
      agent: ms().meta('counterparty', account.seed.counterpartyId),
      store: ms().meta('store', account.seed.stores.betapro),
      positions: [{ quantity: 12, price: 100, assortment: ms().meta('product', product.id) }],
    });
    const id = String(doc.id);
    const indocId = await send(id);
    await control(`/indocs/${indocId}/receive`, {
      final: true,
      items: [{ good_id: 'TS-WHITE', useful_qnt: 11, defective_qnt: 0 }],
    });
    // MoySklad stops answering: the poll stores and locks the outdoc, then the apply hangs on MoySklad.
    ms().setConfig({ responseDelayMs: 60_000 } as never);
    const check = api(sandbox.app.url, `/api/widget/documents/supply/${id}/actions`, {
      token: account.adminSession,
      body: { action: 'check' },
    });
    await check;
    await waitFor(
      'outdoc locked in BetaPRO',
      async () => (await outdocsOf(indocId)).every((o) => o.locked) && (await outdocsOf(indocId)).length === 1,
    );
    await new Promise((r) => setTimeout(r, 500));
    await sandbox.app.stop('SIGKILL');
    ms().setConfig({ responseDelayMs: 0 } as never);
    expect(msDoc(id).state?.name).toBe('Передан');

    sandbox.app = await startApp({ port: sandbox.appPort, env: sandbox.appEnv, pgliteDir });
    const view = await waitFor(
      'posted after restart',
      async () => {
        const v = await documentView(sandbox, account.adminSession, 'supply', id);
        return v.state === 'posted' ? v : undefined;
      },
      60_000,
    );
    const after = msDoc(id);
    expect(after.applicable).toBe(true);
    expect(after.positions!.rows.map((r) => r.quantity)).toEqual([11]);
    expect(after.description!.split('Проведён по факту').length - 1).toBe(1);
    expect(view.events.filter((e) => e.kind === 'posted')).toHaveLength(1);
    expect(view.events.filter((e) => e.kind === 'receipt_stored')).toHaveLength(1);
    const outdocs = await outdocsOf(indocId);
    expect(outdocs).toHaveLength(1);
    expect(outdocs[0].locked).toBe(true);
  }, 180_000);

  it('a 5,000-position supply received with 50 differences → correct, within the budget of MoySklad calls', async () => {
    const N = 5000;
    const products = Array.from({ length: N }, (_, i) => {
      const article = `BULK-${String(i).padStart(5, '0')}`;
      const id = ms().createEntity(account.accountId, 'product', {
        name: `Товар ${i}`,
        article,
        code: `B${i}`,
        buyPrice: { value: 1000 },
      });
      return { id, article };
    });
    const doc = ms().createDocument(account.accountId, 'supply', {
      organization: ms().meta('organization', account.seed.organizationId),
      agent: ms().meta('counterparty', account.seed.counterpartyId),
      store: ms().meta('store', account.seed.stores.betapro),
      positions: products.slice(0, 1000).map((p) => ({ quantity: 10, price: 1000, assortment: ms().meta('product', p.id) })),
    });
    const id = String(doc.id);
    // Like MoySklad, a document body holds at most 1000 positions: the rest go through /positions.
    for (let i = 1000; i < N; i += 1000) {
      const res = await fetch(`${ms().apiUrl}/entity/supply/${id}/positions`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${account.token}`,
          'accept-encoding': 'gzip',
          'content-type': 'application/json',
        },
        body: JSON.stringify(
          products.slice(i, i + 1000).map((p) => ({ quantity: 10, price: 1000, assortment: ms().meta('product', p.id) })),
        ),
      });
      expect(res.status).toBe(200);
    }
    const indocId = await send(id);
    // 50 differences: 25 shortages, 20 surpluses, 5 lines with nothing at all.
    const expected = new Map(products.map((p) => [p.article, 10]));
    const items = products.map((p, i) => {
      let useful = 10;
      if (i % 200 === 0) useful = 7;
      else if (i % 200 === 100 && i < 4000) useful = 13;
      else if (i % 1000 === 999) useful = 0;
      expected.set(p.article, useful);
      return { good_id: p.article, useful_qnt: useful, defective_qnt: 0 };
    });
    const differing = [...expected.values()].filter((q) => q !== 10).length;
    expect(differing).toBe(50);
    await control(`/indocs/${indocId}/receive`, { final: true, items });
    ms().resetStats();
    await api(sandbox.app.url, `/api/widget/documents/supply/${id}/actions`, {
      token: account.adminSession,
      body: { action: 'check' },
    });
    await waitFor('posted', async () => (await documentView(sandbox, account.adminSession, 'supply', id)).state === 'posted', 120_000);
    const calls = ms().stats().totals[account.accountId] ?? 0;
    const articleById = new Map(products.map((p) => [p.id, p.article]));
    const rows: Array<{ quantity: number; assortment: { meta: { href: string } } }> = [];
    for (let offset = 0; ; offset += 1000) {
      const res = await fetch(`${ms().apiUrl}/entity/supply/${id}/positions?limit=1000&offset=${offset}`, {
        headers: { authorization: `Bearer ${account.token}`, 'accept-encoding': 'gzip' },
      });
      const page = (await res.json()) as { rows: typeof rows };
      rows.push(...page.rows);
      if (page.rows.length < 1000) break;
    }
    const actual = new Map(rows.map((r) => [articleById.get(r.assortment.meta.href.split('/').pop()!)!, r.quantity]));
    for (const [article, quantity] of expected) {
      if (quantity === 0) expect(actual.has(article)).toBe(false);
      else expect(actual.get(article)).toBe(quantity);
    }
    expect(rows).toHaveLength(N - 5);
    expect(msDoc(id).applicable).toBe(true);
    // Reads ⌈5000/1000⌉ + document + comment, writes: one bulk delete, one bulk add, one PUT.
    console.info(`5,000-position receipt applied with ${calls} MoySklad calls`);
    expect(calls).toBeLessThanOrEqual(12);
  }, 300_000);
});

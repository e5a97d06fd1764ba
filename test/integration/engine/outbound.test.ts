/**
 * Goods leaving BetaPRO (docs/outbound.md), through the real app and both simulators: a move whose
 * source is the BetaPRO store becomes a goods_shipment_task; the warehouse's goods_shipment corrects the
 * move to what actually left and posts it; a move between two BetaPRO stores of the one partner is a clear
 * error with no task.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, BETAPRO_PARTNER, documentView, installAndConfigure, startSandbox, waitFor, type ConfiguredAccount } from '../../support/sandbox';
import type { DocumentView, PreflightResponse } from '@/lib/api/contract';

type Sandbox = Awaited<ReturnType<typeof startSandbox>>;
let sandbox: Sandbox;
let account: ConfiguredAccount;

beforeAll(async () => {
  sandbox = await startSandbox();
  account = await installAndConfigure(sandbox, 'outbound-shop');
});
afterAll(async () => {
  await sandbox?.stop();
});

const ms = () => sandbox.moysklad;
const productId = (article: string) => account.seed.products.find((p) => p.article === article)!.id;
interface MsMove {
  applicable?: boolean;
  description?: string;
  state?: { name?: string };
  positions?: { rows: Array<{ quantity: number; assortment: { article?: string } }> };
}
const msMove = (id: string) => ms().getDocument(account.accountId, 'move', id) as MsMove;
const quantities = (id: string) => Object.fromEntries((msMove(id).positions?.rows ?? []).map((r) => [r.assortment.article, r.quantity]));

async function control(path: string, body: unknown = {}) {
  const res = await fetch(`${sandbox.betapro.controlUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (res.status >= 300) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.json() as Promise<{ data?: Record<string, unknown> }>;
}
async function simIndoc(indocId: string): Promise<{ indoc_type: string } | undefined> {
  const res = await fetch(`${sandbox.betapro.controlUrl}/state`);
  const state = await res.json() as { partners: Record<string, { indocs: Record<string, { indoc_type: string }> }> };
  return state.partners[BETAPRO_PARTNER.partnerId]?.indocs[indocId];
}

const action = (id: string, name: string) =>
  api(sandbox.app.url, `/api/widget/documents/move/${id}/actions`, { token: account.adminSession, body: { action: name } });
const view = (id: string) => documentView(sandbox, account.adminSession, 'move', id);

function createMove(lines: Array<[article: string, quantity: number]>, from: string, to: string): string {
  const doc = ms().createDocument(account.accountId, 'move', {
    organization: ms().meta('organization', account.seed.organizationId),
    sourceStore: ms().meta('store', from),
    targetStore: ms().meta('store', to),
    positions: lines.map(([article, quantity]) => ({ quantity, price: 0, assortment: ms().meta('product', productId(article)) })),
  });
  return String(doc.id);
}

async function settle(id: string, states: string[]): Promise<DocumentView> {
  return waitFor(`move in ${states.join('/')}`, async () => {
    const v = await view(id);
    return states.includes(v.state) ? v : undefined;
  }, 40_000);
}

async function checkUntil(id: string, done: (v: DocumentView) => boolean): Promise<DocumentView> {
  return waitFor('shipment handled', async () => {
    const v = await view(id);
    if (done(v)) return v;
    await action(id, 'check');
    await new Promise((r) => setTimeout(r, 300));
    return undefined;
  }, 40_000);
}

/** Registers the goods in BetaPRO (an inbound move received as planned) so that its stock has them. */
async function stockUp(lines: Array<[string, number]>): Promise<void> {
  const id = createMove(lines, account.seed.stores.main, account.seed.stores.betapro);
  await action(id, 'send');
  const sent = await settle(id, ['sent', 'error']);
  expect(sent.errors).toEqual([]);
  await control(`/indocs/${sent.indocId}/receive`, { final: true });
  await checkUntil(id, (v) => v.state === 'posted');
}

describe('outbound moves', () => {
  it('a move from the BetaPRO store becomes a shipment task, shipped in full → «Проведён»', async () => {
    await stockUp([['MUG-300', 5], ['PEN-BLUE', 3]]);
    const { stores } = account.seed;
    const id = createMove([['MUG-300', 2], ['PEN-BLUE', 3]], stores.betapro, stores.main);
    const pre = await api<PreflightResponse>(sandbox.app.url, `/api/widget/documents/move/${id}/preflight`, { token: account.adminSession });
    expect(pre.body).toMatchObject({ ok: true, direction: 'outbound', warnings: [] });

    await action(id, 'send');
    const sent = await settle(id, ['sent', 'error']);
    expect(sent.errors).toEqual([]);
    expect(sent.direction).toBe('outbound');
    expect(sent.indocId).toMatch(/^MSM/);
    expect((await simIndoc(sent.indocId!))?.indoc_type).toBe('goods_shipment_task');
    expect(msMove(id).state?.name).toBe('Передан');
    expect(msMove(id).description).toMatch(/Отгрузка со склада БетаПРО/);

    await control(`/indocs/${sent.indocId}/ship`);
    const posted = await checkUntil(id, (v) => v.state === 'posted');
    expect(posted.receipt?.lines.map((l) => [l.goodId, l.planned, l.accepted]).sort()).toEqual([['MUG-300', 2, 2], ['PEN-BLUE', 3, 3]]);
    const move = msMove(id);
    expect(move.applicable).toBe(true);
    expect(move.state?.name).toBe('Проведён');
    expect(move.description).toMatch(/Проведён по факту отгрузки БетаПРО: всё отгружено по плану/);
    expect(quantities(id)).toEqual({ 'MUG-300': 2, 'PEN-BLUE': 3 });
    // A second poll changes nothing: the facts are applied once.
    const description = move.description;
    await action(id, 'check');
    await new Promise((r) => setTimeout(r, 1500));
    expect(msMove(id).description).toBe(description);
    expect((await view(id)).events.filter((e) => e.kind === 'posted')).toHaveLength(1);
  }, 120_000);

  it('shipped short: the pre-flight warns, positions are corrected to what left and the shortage is named', async () => {
    await stockUp([['NB-A5', 2]]);
    const { stores } = account.seed;
    const id = createMove([['NB-A5', 5]], stores.betapro, stores.main);
    const pre = await api<PreflightResponse>(sandbox.app.url, `/api/widget/documents/move/${id}/preflight`, { token: account.adminSession });
    expect(pre.body.ok).toBe(true);
    expect(pre.body.warnings).toHaveLength(1);
    expect(pre.body.warnings![0]).toMatch(/NB-A5.*нужно 5, на складе 2/);

    await action(id, 'send');
    const sent = await settle(id, ['sent', 'error']);
    expect(sent.errors).toEqual([]);
    expect(msMove(id).description).toMatch(/не хватает товара/);

    await control(`/indocs/${sent.indocId}/ship`); // the warehouse has 2 of the 5
    const posted = await checkUntil(id, (v) => v.state === 'posted');
    expect(posted.receipt?.lines.map((l) => [l.goodId, l.planned, l.accepted])).toEqual([['NB-A5', 5, 2]]);
    expect(quantities(id)).toEqual({ 'NB-A5': 2 });
    const move = msMove(id);
    expect(move.state?.name).toBe('Проведён');
    expect(move.description).toMatch(/Проведён по факту отгрузки БетаПРО \(есть расхождения\)/);
    expect(move.description).toMatch(/план 5, отгружено 2/);
    expect(move.description).toMatch(/Недостача: склад БетаПРО отгрузил меньше плана/);
  }, 120_000);

  it('a move between two BetaPRO stores of one partner → «Ошибка передачи» that explains it, no task', async () => {
    const { stores } = account.seed;
    const saved = await api<{ settings: Record<string, unknown> }>(sandbox.app.url, '/api/settings', { token: account.adminSession });
    const { hasPassword: _h, complete: _c, missing: _m, ...settings } = saved.body.settings;
    const put = await api(sandbox.app.url, '/api/settings', {
      method: 'PUT', token: account.adminSession,
      body: { ...settings, betaproPassword: BETAPRO_PARTNER.password, storeIds: [stores.betapro, stores.shop] },
    });
    expect(put.status).toBe(200);
    try {
      const id = createMove([['MUG-300', 1]], stores.betapro, stores.shop);
      await action(id, 'send');
      const failed = await settle(id, ['error', 'sent']);
      expect(failed.state).toBe('error');
      expect(failed.errors.map((e) => e.code)).toEqual(['same_warehouse']);
      expect(failed.indocId).toBeNull();
      const move = msMove(id);
      expect(move.state?.name).toBe('Ошибка передачи');
      expect(move.description).toMatch(/один и тот же склад: отгружать и принимать нечего/);
    } finally {
      await api(sandbox.app.url, '/api/settings', {
        method: 'PUT', token: account.adminSession, body: { ...settings, betaproPassword: BETAPRO_PARTNER.password, storeIds: [stores.betapro] },
      });
    }
  }, 120_000);
});

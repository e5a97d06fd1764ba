/**
 * Returns to suppliers (docs/outbound.md): a purchase return from the BetaPRO store goes out the same way
 * as an outbound move — a goods_shipment_task, the warehouse's goods_shipment, the return posted and set
 * to «Проведён». A return from a store that is not BetaPRO's is a clear error with no task. Driven
 * through the real app and both simulators; all four triggers (widget button, status «Передать» by webhook,
 * the sweep when that webhook was lost, a MoySklad scenario) send a return as they send supplies.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  BETAPRO_PARTNER,
  defaultSettings,
  documentView,
  installAndConfigure,
  startSandbox,
  waitFor,
  type ConfiguredAccount,
} from '../../support/sandbox';
import type { DocumentView, PreflightResponse } from '@/lib/api/contract';
import { SCENARIO_ACTION_TRANSFER } from '@/lib/moysklad/descriptor';

type Sandbox = Awaited<ReturnType<typeof startSandbox>>;
let sandbox: Sandbox;
let account: ConfiguredAccount;

beforeAll(async () => {
  sandbox = await startSandbox({ appEnv: { SWEEP_INTERVAL_SEC: '2' } });
  account = await installAndConfigure(sandbox, 'returns-shop');
  // Returns are switched on by the admin like supplies and moves, with their own four statuses.
  const { seed } = account;
  const settings = defaultSettings(sandbox, seed);
  const statuses = {
    transfer: seed.states.purchasereturn['Передать'],
    sent: seed.states.purchasereturn['Передан'],
    error: seed.states.purchasereturn['Ошибка передачи'],
    posted: seed.states.purchasereturn['Проведён'],
  };
  const saved = await api(sandbox.app.url, '/api/settings', {
    method: 'PUT',
    token: account.adminSession,
    body: {
      ...settings,
      enabledEntities: ['supply', 'move', 'purchasereturn'],
      statuses: { ...settings.statuses, purchasereturn: statuses },
    },
  });
  expect(saved.status).toBe(200);
});
afterAll(async () => {
  await sandbox?.stop();
});

const ms = () => sandbox.moysklad;
const productId = (article: string) => account.seed.products.find((p) => p.article === article)!.id;
interface MsReturn {
  applicable?: boolean;
  description?: string;
  state?: { name?: string };
  positions?: { rows: Array<{ quantity: number; assortment: { article?: string } }> };
}
const msReturn = (id: string) => ms().getDocument(account.accountId, 'purchasereturn', id) as MsReturn;

async function control(path: string, body: unknown = {}) {
  const res = await fetch(`${sandbox.betapro.controlUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status >= 300) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.json() as Promise<{ data?: Record<string, unknown> }>;
}
async function simIndoc(indocId: string): Promise<{ indoc_type: string; json: Record<string, unknown> } | undefined> {
  const res = await fetch(`${sandbox.betapro.controlUrl}/state`);
  const state = (await res.json()) as {
    partners: Array<{
      partnerId: string;
      indocs: Array<{ indoc_id: string; indoc_type: string; json: Record<string, unknown> }>;
    }>;
  };
  return state.partners.find((p) => p.partnerId === BETAPRO_PARTNER.partnerId)?.indocs.find((d) => d.indoc_id === indocId);
}

const action = (id: string, name: string) =>
  api(sandbox.app.url, `/api/widget/documents/purchasereturn/${id}/actions`, {
    token: account.adminSession,
    body: { action: name },
  });
const view = (id: string) => documentView(sandbox, account.adminSession, 'purchasereturn', id);

function createReturn(lines: Array<[article: string, quantity: number]>, store: string, state?: string): string {
  const doc = ms().createDocument(account.accountId, 'purchasereturn', {
    organization: ms().meta('organization', account.seed.organizationId),
    agent: ms().meta('counterparty', account.seed.counterpartyId),
    store: ms().meta('store', store),
    ...(state ? { state: ms().stateMeta('purchasereturn', account.seed.states.purchasereturn[state]) } : {}),
    positions: lines.map(([article, quantity]) => ({
      quantity,
      price: 100,
      assortment: ms().meta('product', productId(article)),
    })),
  });
  return String(doc.id);
}

async function settle(id: string, states: string[]): Promise<DocumentView> {
  return waitFor(
    `return in ${states.join('/')}`,
    async () => {
      const v = await view(id);
      return states.includes(v.state) ? v : undefined;
    },
    40_000,
  );
}

async function checkUntil(id: string, done: (v: DocumentView) => boolean): Promise<DocumentView> {
  return waitFor(
    'shipment handled',
    async () => {
      const v = await view(id);
      if (done(v)) return v;
      await action(id, 'check');
      await new Promise((r) => setTimeout(r, 300));
      return undefined;
    },
    40_000,
  );
}

describe('returns to suppliers', () => {
  it('a return from the BetaPRO store becomes a shipment task, shipped in full → «Проведён»', async () => {
    const id = createReturn(
      [
        ['MUG-300', 2],
        ['PEN-BLUE', 3],
      ],
      account.seed.stores.betapro,
    );
    const pre = await api<PreflightResponse>(sandbox.app.url, `/api/widget/documents/purchasereturn/${id}/preflight`, {
      token: account.adminSession,
    });
    expect(pre.status).toBe(200);
    expect(pre.body).toMatchObject({ ok: true, direction: 'outbound' });

    await action(id, 'send');
    const sent = await settle(id, ['sent', 'error']);
    expect(sent.errors).toEqual([]);
    expect(sent.lastTrigger).toBe('widget');
    expect(sent.direction).toBe('outbound');
    expect(sent.indocId).toMatch(/^MSR[0-9a-f]{32}$/);
    const task = await simIndoc(sent.indocId!);
    expect(task?.indoc_type).toBe('goods_shipment_task');
    expect(task?.json).toMatchObject({
      qual_type: 'useful',
      picking_only: false,
      items: [
        { good_id: 'MUG-300', plan_qnt: 2 },
        { good_id: 'PEN-BLUE', plan_qnt: 3 },
      ],
    });
    expect(msReturn(id).state?.name).toBe('Передан');

    // The warehouse has the goods (an inventory), then ships the whole task.
    await control(`/stock?partner=${BETAPRO_PARTNER.partnerId}`, {
      items: [
        { good_id: 'MUG-300', qnt: 2 },
        { good_id: 'PEN-BLUE', qnt: 3 },
      ],
    });
    await control(`/indocs/${sent.indocId}/ship`);
    const posted = await checkUntil(id, (v) => v.state === 'posted');
    expect(posted.receipt?.lines.map((l) => [l.goodId, l.planned, l.accepted]).sort()).toEqual([
      ['MUG-300', 2, 2],
      ['PEN-BLUE', 3, 3],
    ]);
    const ret = msReturn(id);
    expect(ret.applicable).toBe(true);
    expect(ret.state?.name).toBe('Проведён');
    expect(ret.description).toMatch(/Проведён по факту отгрузки БетаПРО: всё отгружено по плану/);
  }, 120_000);

  async function sentAsShipment(id: string, trigger: string): Promise<void> {
    const v = await settle(id, ['sent', 'error']);
    expect(v.errors).toEqual([]);
    expect(v.lastTrigger).toBe(trigger);
    expect(v.direction).toBe('outbound');
    expect((await simIndoc(v.indocId!))?.indoc_type).toBe('goods_shipment_task');
    expect(msReturn(id).state?.name).toBe('Передан');
  }

  it('status «Передать» (webhook) sends a return too', async () => {
    const id = createReturn([['MUG-300', 1]], account.seed.stores.betapro, 'Новый');
    ms().userUpdate(account.accountId, 'purchasereturn', id, {
      state: ms().stateMeta('purchasereturn', account.seed.states.purchasereturn['Передать']),
    });
    await sentAsShipment(id, 'webhook');
  }, 60_000);

  it('the sweep sends a return whose «Передать» webhook was lost', async () => {
    ms().setConfig({ webhooksEnabled: false } as never);
    let id: string;
    try {
      id = createReturn([['PEN-BLUE', 1]], account.seed.stores.betapro, 'Передать');
    } finally {
      ms().setConfig({ webhooksEnabled: true } as never);
    }
    await sentAsShipment(id, 'sweep');
  }, 60_000);

  it('a scenario call sends a return («Передать в БетаПРО» on a purchase return)', async () => {
    // A scenario on another status than «Передать», so that neither the webhook nor the sweep takes it.
    const scenarioState = account.seed.states.purchasereturn['Новый'];
    ms().addScenario(account.accountId, {
      entityType: 'purchasereturn',
      stateId: scenarioState,
      actionName: SCENARIO_ACTION_TRANSFER,
    } as never);
    const id = createReturn([['NB-A5', 1]], account.seed.stores.betapro);
    ms().userUpdate(account.accountId, 'purchasereturn', id, {
      state: ms().stateMeta('purchasereturn', scenarioState),
    });
    await sentAsShipment(id, 'scenario');
  }, 60_000);

  it("a return from a store that is not BetaPRO's is store_not_mapped, with no task", async () => {
    const id = createReturn([['MUG-300', 1]], account.seed.stores.main);
    await action(id, 'send');
    const failed = await settle(id, ['error', 'sent']);
    expect(failed.state).toBe('error');
    expect(failed.errors.map((e) => e.code)).toEqual(['store_not_mapped']);
    expect(failed.indocId).toBeNull();
    const ret = await waitFor(
      'the error answered on the return',
      async () => msReturn(id).state?.name === 'Ошибка передачи' && msReturn(id),
    );
    expect(ret.description).toMatch(/возврат отгружается только со склада БетаПРО/);
  }, 60_000);
});

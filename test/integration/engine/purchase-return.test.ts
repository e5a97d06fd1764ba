/**
 * Returns to suppliers (docs/outbound.md): a purchase return from the BetaPRO store goes out the same way
 * as an outbound move — a goods_shipment_task, the warehouse's goods_shipment, the return posted and set
 * to «Проведён». A return from a store that is not BetaPRO's is a clear error with no task. Driven
 * through the real app and both simulators; all four triggers (widget button, status «Передать» by webhook,
 * the sweep when that webhook was lost, a MoySklad scenario) send a return as they send supplies.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, installAndConfigure, startSandbox, waitFor, type ConfiguredAccount } from '../../support/sandbox';
import {
  checkUntil,
  createPurchaseReturn,
  documentAction,
  enableReturns,
  setStock,
  settle as settleDocument,
  simIndocs,
  ship,
  type Lines,
} from '../../support/outbound';
import type { PreflightResponse } from '@/lib/api/contract';
import { SCENARIO_ACTION_TRANSFER } from '@/lib/moysklad/descriptor';

type Sandbox = Awaited<ReturnType<typeof startSandbox>>;
let sandbox: Sandbox;
let account: ConfiguredAccount;

beforeAll(async () => {
  sandbox = await startSandbox({ appEnv: { SWEEP_INTERVAL_SEC: '2' } });
  account = await installAndConfigure(sandbox, 'returns-shop');
  // Returns are switched on by the admin like supplies and moves, with their own four statuses.
  await enableReturns(sandbox, account);
});
afterAll(async () => {
  await sandbox?.stop();
});

const ms = () => sandbox.moysklad;
interface MsReturn {
  applicable?: boolean;
  description?: string;
  state?: { name?: string };
  positions?: { rows: Array<{ quantity: number; assortment: { article?: string } }> };
}
const msReturn = (id: string) => ms().getDocument(account.accountId, 'purchasereturn', id) as MsReturn;
const simIndoc = async (indocId: string) => (await simIndocs(sandbox)).find((d) => d.indoc_id === indocId);
const action = (id: string, name: string) => documentAction(sandbox, account, 'purchasereturn', id, name);
const createReturn = (lines: Lines, store: string, state?: string) => createPurchaseReturn(sandbox, account, lines, { store, state });
const settle = (id: string, states: string[]) => settleDocument(sandbox, account, 'purchasereturn', id, states);

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
    await setStock(sandbox, [
      { good_id: 'MUG-300', qnt: 2 },
      { good_id: 'PEN-BLUE', qnt: 3 },
    ]);
    await ship(sandbox, sent.indocId!);
    const posted = await checkUntil(sandbox, account, 'purchasereturn', id, (v) => v.state === 'posted');
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

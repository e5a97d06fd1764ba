/**
 * Goods leaving BetaPRO (docs/outbound.md), through the real app and both simulators: a move whose
 * source is the BetaPRO store becomes a goods_shipment_task; the warehouse's goods_shipment corrects the
 * move to what actually left and posts it; a move between two BetaPRO stores of the one partner is a clear
 * error with no task.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  BETAPRO_PARTNER,
  documentView,
  installAndConfigure,
  startSandbox,
  waitFor,
  type ConfiguredAccount,
} from '../../support/sandbox';
import {
  checkUntil as checkDocumentUntil,
  createMove as createMoveDocument,
  documentAction,
  settle as settleDocument,
  simIndocs as simIndocsOf,
  ship,
  stockUp as stockUpOf,
  type Lines,
} from '../../support/outbound';
import type { DocumentView, PreflightResponse } from '@/lib/api/contract';
import { SCENARIO_ACTION_TRANSFER } from '@/lib/moysklad/descriptor';

type Sandbox = Awaited<ReturnType<typeof startSandbox>>;
let sandbox: Sandbox;
let account: ConfiguredAccount;

beforeAll(async () => {
  sandbox = await startSandbox({ appEnv: { SWEEP_INTERVAL_SEC: '2' } });
  account = await installAndConfigure(sandbox, 'outbound-shop');
});
afterAll(async () => {
  await sandbox?.stop();
});

const ms = () => sandbox.moysklad;
interface MsMove {
  applicable?: boolean;
  description?: string;
  state?: { name?: string };
  positions?: { rows: Array<{ quantity: number; assortment: { article?: string } }> };
}
const msMove = (id: string) => ms().getDocument(account.accountId, 'move', id) as MsMove;
const quantities = (id: string) => Object.fromEntries((msMove(id).positions?.rows ?? []).map((r) => [r.assortment.article, r.quantity]));
const simIndocs = () => simIndocsOf(sandbox);
const simIndoc = async (indocId: string) => (await simIndocs()).find((d) => d.indoc_id === indocId);
const action = (id: string, name: string) => documentAction(sandbox, account, 'move', id, name);
const view = (id: string) => documentView(sandbox, account.adminSession, 'move', id);
const createMove = (lines: Lines, from: string, to: string) => createMoveDocument(sandbox, account, lines, { from, to });
const settle = (id: string, states: string[]): Promise<DocumentView> => settleDocument(sandbox, account, 'move', id, states);
const checkUntil = (id: string, done: (v: DocumentView) => boolean) => checkDocumentUntil(sandbox, account, 'move', id, done);
/** Registers the goods in BetaPRO (an inbound move received as planned) so that its stock has them. */
const stockUp = (lines: Lines) => stockUpOf(sandbox, account, lines);

describe('outbound moves', () => {
  it('a move from the BetaPRO store becomes a shipment task, shipped in full → «Проведён»', async () => {
    await stockUp([
      ['MUG-300', 5],
      ['PEN-BLUE', 3],
    ]);
    const { stores } = account.seed;
    const id = createMove(
      [
        ['MUG-300', 2],
        ['PEN-BLUE', 3],
      ],
      stores.betapro,
      stores.main,
    );
    const pre = await api<PreflightResponse>(sandbox.app.url, `/api/widget/documents/move/${id}/preflight`, {
      token: account.adminSession,
    });
    expect(pre.body).toMatchObject({ ok: true, direction: 'outbound', warnings: [], shortages: [] });

    await action(id, 'send');
    const sent = await settle(id, ['sent', 'error']);
    expect(sent.errors).toEqual([]);
    expect(sent.lastTrigger).toBe('widget');
    expect(sent.direction).toBe('outbound');
    expect(sent.indocId).toMatch(/^MSM/);
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
    expect(msMove(id).state?.name).toBe('Передан');
    expect(msMove(id).description).toMatch(/Отгрузка со склада БетаПРО/);

    await ship(sandbox, sent.indocId!);
    const posted = await checkUntil(id, (v) => v.state === 'posted');
    expect(posted.receipt?.lines.map((l) => [l.goodId, l.planned, l.accepted]).sort()).toEqual([
      ['MUG-300', 2, 2],
      ['PEN-BLUE', 3, 3],
    ]);
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
    const pre = await api<PreflightResponse>(sandbox.app.url, `/api/widget/documents/move/${id}/preflight`, {
      token: account.adminSession,
    });
    expect(pre.body.ok).toBe(true);
    expect(pre.body.warnings).toHaveLength(1);
    expect(pre.body.warnings![0]).toMatch(/NB-A5.*нужно 5, на складе 2/);
    // The same shortage as data, for the widget's own language.
    expect(pre.body.shortages).toEqual([{ goodId: 'NB-A5', name: 'Блокнот А5 в клетку', needed: 5, have: 2 }]);

    await action(id, 'send');
    const sent = await settle(id, ['sent', 'error']);
    expect(sent.errors).toEqual([]);
    expect(msMove(id).description).toMatch(/не хватает товара/);

    await ship(sandbox, sent.indocId!); // the warehouse has 2 of the 5
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
    const saved = await api<{ settings: Record<string, unknown> }>(sandbox.app.url, '/api/settings', {
      token: account.adminSession,
    });
    const { hasPassword: _h, complete: _c, missing: _m, ...settings } = saved.body.settings;
    const put = await api(sandbox.app.url, '/api/settings', {
      method: 'PUT',
      token: account.adminSession,
      body: { ...settings, betaproPassword: BETAPRO_PARTNER.password, storeIds: [stores.betapro, stores.shop] },
    });
    expect(put.status).toBe(200);
    try {
      const tasksBefore = (await simIndocs()).length;
      const id = createMove([['MUG-300', 1]], stores.betapro, stores.shop);
      await action(id, 'send');
      const failed = await settle(id, ['error', 'sent']);
      expect(failed.state).toBe('error');
      expect(failed.errors.map((e) => e.code)).toEqual(['same_warehouse']);
      expect(failed.indocId).toBeNull();
      // State first, answer on the document second (lib/sync/transfer/fail.ts).
      const move = await waitFor('the error answered on the move', async () => msMove(id).state?.name === 'Ошибка передачи' && msMove(id));
      expect(move.description).toMatch(/один и тот же склад: отгружать и принимать нечего/);
      expect(await simIndocs()).toHaveLength(tasksBefore);
    } finally {
      await api(sandbox.app.url, '/api/settings', {
        method: 'PUT',
        token: account.adminSession,
        body: { ...settings, betaproPassword: BETAPRO_PARTNER.password, storeIds: [stores.betapro] },
      });
    }
  }, 120_000);
});

describe('every trigger sends an outbound move as a shipment task (lib/sync/triggers)', () => {
  const outboundMove = (state?: string) =>
    createMoveDocument(sandbox, account, [['MUG-300', 1]], { from: account.seed.stores.betapro, to: account.seed.stores.main, state });
  async function sentAsShipment(id: string, trigger: string): Promise<void> {
    const v = await settle(id, ['sent', 'error']);
    expect(v.errors).toEqual([]);
    expect(v.lastTrigger).toBe(trigger);
    expect(v.direction).toBe('outbound');
    expect((await simIndoc(v.indocId!))?.indoc_type).toBe('goods_shipment_task');
    expect(msMove(id).state?.name).toBe('Передан');
  }

  it('status «Передать» (webhook)', async () => {
    const id = outboundMove('Новый');
    ms().userUpdate(account.accountId, 'move', id, {
      state: ms().stateMeta('move', account.seed.states.move['Передать']),
    });
    await sentAsShipment(id, 'webhook');
  }, 60_000);

  it('the sweep, when the webhook was lost', async () => {
    ms().setConfig({ webhooksEnabled: false } as never);
    const id = outboundMove('Передать');
    ms().setConfig({ webhooksEnabled: true } as never);
    await sentAsShipment(id, 'sweep');
  }, 60_000);

  it('a scenario call', async () => {
    ms().addScenario(account.accountId, {
      entityType: 'move',
      stateId: account.seed.states.move['Новый'],
      actionName: SCENARIO_ACTION_TRANSFER,
    } as never);
    const id = outboundMove();
    ms().userUpdate(account.accountId, 'move', id, {
      state: ms().stateMeta('move', account.seed.states.move['Новый']),
    });
    await sentAsShipment(id, 'scenario');
  }, 60_000);
});

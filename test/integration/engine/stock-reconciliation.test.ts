/**
 * Stock reconciliation (docs/stock-reconciliation.md) through the real app and both simulators:
 * MoySklad's stock at the BetaPRO store (report/stock/bystore, computed by the simulator from posted
 * documents) against BetaPRO's (POST /goods/stock), a difference explained by a supply in flight, an
 * unexplained one first, the CSV, the rights, and the recurring check's summary in the health panel.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, installAndConfigure, sessionFor, startSandbox, waitFor, type ConfiguredAccount } from '../../support/sandbox';
import { stockScenario } from '../../support/stock';
import type { SettingsResponse, StockResponse, StockRow } from '@/lib/api/contract';

type Sandbox = Awaited<ReturnType<typeof startSandbox>>;
let sandbox: Sandbox;
let account: ConfiguredAccount;

/** How often the recurring check runs in this file (the product's default is a day). */
const CHECK_INTERVAL_SEC = 8;

beforeAll(async () => {
  sandbox = await startSandbox({ appEnv: { STOCK_CHECK_INTERVAL_SEC: String(CHECK_INTERVAL_SEC) } });
  account = await installAndConfigure(sandbox, 'stock-shop');
}, 120_000);
afterAll(async () => {
  await sandbox?.stop();
});

const stock = (token = account.adminSession) => api<StockResponse>(sandbox.app.url, '/api/stock', { token });
const row = (rows: StockRow[], goodId: string) => rows.find((r) => r.goodId === goodId);

/** Asks for a run and waits for its result (a run finished after `after`). */
async function reconcile(): Promise<NonNullable<StockResponse['last']>> {
  const before = Date.now();
  const asked = await api<{ pending: { id: string } }>(sandbox.app.url, '/api/stock/run', { token: account.adminSession, body: {} });
  expect(asked.status).toBe(202);
  return waitFor(
    'reconciliation done',
    async () => {
      const { body } = await stock();
      const last = body.last;
      return last && last.state === 'done' && !body.pending && Date.parse(last.finishedAt!) >= before - 1000 ? last : undefined;
    },
    60_000,
  );
}

describe('stock reconciliation', () => {
  let inFlight: { id: string; name: string | null };

  it('finds an unexplained difference first and explains another by the supply in flight', async () => {
    inFlight = (await stockScenario(sandbox, account)).inFlight;

    const last = await reconcile();
    expect(last.differences).toBe(1);
    expect(last.explained).toBe(1);
    expect(last.rowsTotal).toBe(last.rows.length);
    expect(last.moyskladCalls).toBeGreaterThan(0);
    expect(last.betaproCalls).toBeGreaterThan(0);
    // Differences first.
    expect(last.rows[0]).toMatchObject({ goodId: 'MUG-300', status: 'difference', moysklad: 5, expected: 3, difference: 2, inFlight: [] });
    expect(last.rows[0].betapro).toEqual({ useful: 3, defective: 0, quarantine: 0 });
    expect(last.rows[1]).toMatchObject({ goodId: 'NB-A5', status: 'explained', moysklad: 0, expected: 4, difference: -4 });
    expect(last.rows[1].inFlight).toEqual([
      { entity: 'supply', msId: inFlight.id, name: inFlight.name, state: 'sent', direction: 'inbound', quantity: 4 },
    ]);
    expect(row(last.rows, 'PEN-BLUE')).toMatchObject({ status: 'match', moysklad: 3, expected: 3, difference: 0 });
    expect(last.rows.slice(2).every((r) => r.status === 'match')).toBe(true);
    expect(last.rows[0].byStore).toEqual({ [account.seed.stores.betapro]: 5 });
    const { body } = await stock();
    expect(body.stores).toEqual([{ id: account.seed.stores.betapro, name: 'BetaPRO Фулфилмент' }]);
  }, 180_000);

  it('exports the result as CSV with a BOM, a file name and the user’s language', async () => {
    const ru = await fetch(`${sandbox.app.url}/api/stock/csv`, { headers: { authorization: `Bearer ${account.adminSession}` } });
    expect(ru.status).toBe(200);
    expect(ru.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(ru.headers.get('content-disposition')).toMatch(/^attachment; filename="stock-reconciliation-\d{4}-\d{2}-\d{2}\.csv"/);
    const bytes = new Uint8Array(await ru.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = new TextDecoder('utf-8', { ignoreBOM: true })
      .decode(bytes)
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n');
    expect(lines[0]).toBe(
      'Код на складе;Товар;Статус;МойСклад;БетаПРО годный;БетаПРО брак;БетаПРО карантин;Ожидается в МойСклад;Разница;Документы в пути',
    );
    expect(lines[1]).toBe('MUG-300;Кружка керамическая 300 мл;Расхождение;5;3;0;0;3;2;');
    expect(lines[2]).toBe(`NB-A5;Блокнот А5 в клетку;Документы в пути;0;4;0;0;4;-4;Приёмка ${inFlight.name}: 4`);

    const enSession = await sessionFor(sandbox, account.accountId, 'admin', 'en_US');
    const en = await fetch(`${sandbox.app.url}/api/stock/csv`, { headers: { authorization: `Bearer ${enSession}` } });
    const enText = (await en.text()).replace(/^\uFEFF/, '');
    expect(enText.split('\r\n')[0]).toBe(
      'Warehouse code;Product;Status;MoySklad;BetaPRO good;BetaPRO defective;BetaPRO quarantine;Expected in MoySklad;Difference;Documents in flight',
    );
    expect(enText.split('\r\n')[1]).toBe('MUG-300;Кружка керамическая 300 мл;Difference;5;3;0;0;3;2;');
  });

  it('is open to «Просмотр остатков» and refused to an employee without it', async () => {
    const clerk = await sessionFor(sandbox, account.accountId, 'clerk');
    expect((await stock(clerk)).status).toBe(200);
    const reader = await sessionFor(sandbox, account.accountId, 'clerk-readonly');
    const refused = await stock(reader);
    expect(refused.status).toBe(403);
    expect(JSON.stringify(refused.body)).toMatch(/Просмотр остатков/);
    expect((await api(sandbox.app.url, '/api/stock/run', { token: reader, body: {} })).status).toBe(403);
    expect((await api(sandbox.app.url, '/api/stock/csv', { token: reader })).status).toBe(403);
    expect((await api(sandbox.app.url, '/api/stock')).status).toBe(401);
  });

  it('the recurring check writes its summary into the settings health panel', async () => {
    const daily = await waitFor(
      'a daily run',
      async () => {
        const { body } = await stock();
        return body.last?.trigger === 'daily' && body.last.state === 'done' ? body.last : undefined;
      },
      (CHECK_INTERVAL_SEC + 60) * 1000,
    );
    expect(daily.differences).toBe(1);
    const settings = await api<SettingsResponse>(sandbox.app.url, '/api/settings', { token: account.adminSession });
    expect(settings.body.health.stockCheck).toMatchObject({ state: 'done', differences: 1 });
  }, 120_000);
});

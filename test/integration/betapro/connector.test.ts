/**
 * The connector against the BetaPRO simulator. Every request the client sends and every response it
 * gets is checked against BetaPRO's own spec (test/specs), through an interceptor on the client's
 * axios instance; violations are collected and asserted after each test, so that a spec problem is
 * reported as such rather than turning into a transport error the client would retry.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { TransferPlan, WarehouseGood } from '@/lib/core/domain';
import { AppError } from '@/lib/core/errors';
import {
  buildIndocId,
  createBetaproClient,
  InMemoryGoodsRegistryStore,
  isTaskContentsConflict,
  registerGoods,
  REMOTE_AUTH_MESSAGE,
  type BetaproClient,
  type BetaproClientOptions,
} from '@/lib/betapro';
import { requestErrors, responseErrors } from '@/test/support/openapi';
import { startBetaproSimulator, type BetaproSimulator } from '@/test/sandbox/betapro';

const PARTNER = { partnerId: '7001', password: 'sim-pass-7001' };
const specOperations = Object.keys(
  (
    JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../specs/betapro.schemas.json'), 'utf8')) as {
      operations: Record<string, unknown>;
    }
  ).operations,
);

/** "GET /indocs/MSS…/json" → "GET /indocs/{indoc_id}/json", for the operations the connector uses. */
const CONNECTOR_OPERATIONS = [
  'GET /settings',
  'POST /settings',
  'POST /goods',
  'POST /goods/list',
  'POST /indocs',
  'DELETE /indocs/{indoc_id}',
  'GET /indocs/{indoc_id}/json',
  'GET /indocs/{indoc_id}/attributes',
  'POST /indocs/{indoc_id}/attributes',
  'POST /outdocs/list',
  'GET /outdocs/{outdoc_id}',
  'GET /outdocs/{outdoc_id}/goods',
  'POST /outdocs/lock',
  'POST /outdocs/check',
];
function operationOf(method: string, url: string): string | undefined {
  const pathname = new URL(url, 'http://x').pathname.replace(/^.*\/grh\/api/, '');
  return CONNECTOR_OPERATIONS.find((op) => {
    const [m, template] = op.split(' ');
    if (m !== method.toUpperCase()) return false;
    const pattern = new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`);
    return pattern.test(pathname);
  });
}

let sim: BetaproSimulator;
const violations: string[] = [];
const usedOperations = new Set<string>();

function checked(client: BetaproClient): BetaproClient {
  client.http.interceptors.request.use((config) => {
    const op = operationOf(config.method ?? 'get', `${config.baseURL}${config.url}`);
    if (!op) violations.push(`request to an unexpected operation: ${config.method} ${config.url}`);
    else {
      usedOperations.add(op);
      if (specOperations.includes(op) && config.data !== undefined) {
        for (const e of requestErrors('betapro', op, config.data)) violations.push(`${op} request ${e.path}: ${e.message}`);
      }
    }
    return config;
  });
  client.http.interceptors.response.use((response) => {
    const op = operationOf(response.config.method ?? 'get', `${response.config.baseURL}${response.config.url}`);
    if (op && specOperations.includes(op) && typeof response.data === 'object') {
      // Business errors come with HTTP 200 (as BetaPRO's portal observes; the simulator's default) while
      // the spec files every error envelope under `default`: check those bodies against the error schema.
      const isErrorEnvelope = (response.data as { success?: unknown }).success === false;
      const status = isErrorEnvelope && response.status < 400 ? 400 : response.status;
      for (const e of responseErrors('betapro', op, status, response.data)) {
        violations.push(`${op} ${response.status} response ${e.path}: ${e.message}`);
      }
    }
    return response;
  });
  return client;
}

function makeClient(options: Partial<BetaproClientOptions> = {}): BetaproClient {
  return checked(
    createBetaproClient({
      baseUrl: sim.apiUrl,
      ...PARTNER,
      allowPrivateHosts: true,
      timeoutMs: 500,
      maxRetries: 3,
      retry: { baseDelayMs: 20, maxDelayMs: 200 },
      ...options,
    }),
  );
}

async function control(pathname: string, body: unknown = {}): Promise<Record<string, unknown>> {
  const response = await fetch(`${sim.controlUrl}${pathname}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`control ${pathname}: ${JSON.stringify(json)}`);
  return json;
}

let documentCounter = 0;
function newPlan(lines: Array<[string, number]>, overrides: Partial<TransferPlan> = {}): TransferPlan {
  documentCounter += 1;
  const documentId = `00000000-0000-4000-8000-${String(documentCounter).padStart(12, '0')}`;
  return {
    accountId: 'acc-1',
    entity: 'supply',
    documentId,
    documentName: `0004${documentCounter}`,
    indocId: buildIndocId({ entity: 'supply', documentId }),
    note: `Приёмка 0004${documentCounter}, поставщик ООО Ромашка`,
    plannedArrival: new Date('2025-03-10T07:00:00Z'),
    lines: lines.map(([goodId, quantity]) => ({
      goodId,
      quantity,
      assortment: { href: `https://api.moysklad.ru/entity/product/${goodId}`, type: 'product' },
      name: goodId,
      price: 10000,
      positionIds: [`pos-${goodId}`],
    })),
    goods: lines.map(([goodId]) => catalogue[goodId]),
    ...overrides,
  };
}

const catalogue: Record<string, WarehouseGood> = {
  'ART-001': {
    goodId: 'ART-001',
    name: 'Чайник ASFRW123 2л (Синий)',
    barcodes: ['4601234567890'],
    dimensionsMm: { length: 250, width: 200, height: 220 },
    weightG: 900,
  },
  'ART-002': { goodId: 'ART-002', name: 'Кружка керамическая 300 мл', barcodes: ['46012345', 'CODE128-XY'] },
  'ART-003': { goodId: 'ART-003', name: 'Футболка хлопковая (XL, Чёрный)', barcodes: ['012345678905'] },
};

async function failureOf(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error('expected a failure');
}

async function registerCatalogue(client: BetaproClient) {
  return registerGoods({
    client,
    accountId: 'acc-1',
    goods: Object.values(catalogue),
    store: new InMemoryGoodsRegistryStore(),
  });
}

beforeAll(async () => {
  sim = await startBetaproSimulator({ port: 0, partners: [PARTNER] });
});
afterAll(async () => {
  await sim?.close();
});
beforeEach(async () => {
  violations.length = 0;
  await control('/faults', { mode: 'none' });
});
afterEach(() => {
  expect(violations).toEqual([]);
});

describe('connection test', () => {
  it('shows the account’s rate limits', async () => {
    const settings = await makeClient().getSettings();
    expect(settings.rateLimits.concurrentRequests).toBeGreaterThanOrEqual(1);
    expect(settings.rateLimits.quotas).toHaveLength(6);
    for (const quota of settings.rateLimits.quotas) {
      expect(quota.perDay).toBeGreaterThan(0);
      expect(quota.perMinute).toBeGreaterThan(0);
      expect(quota.label).toMatch(/[А-Яа-я]/);
    }
  });

  it('gives the clear Russian message for wrong credentials', async () => {
    const error = await failureOf(makeClient({ password: 'wrong' }).getSettings());
    expect(error.code).toBe('REMOTE_AUTH');
    expect(error.userMessage).toBe(REMOTE_AUTH_MESSAGE);
    const unknownPartner = await failureOf(makeClient({ partnerId: '999999' }).getSettings());
    expect(unknownPartner.userMessage).toBe(REMOTE_AUTH_MESSAGE);
  });

  it('switches optional documents on', async () => {
    const client = makeClient();
    await client.updateSettings({ goods_supply_start: true });
    expect((await client.getSettings()).receivingStartReported).toBe(true);
    await client.updateSettings({ goods_supply_start: false });
    expect((await client.getSettings()).receivingStartReported).toBe(false);
  });
});

describe('catalogue', () => {
  it('registers goods, skips unchanged ones and lists them page by page', async () => {
    const client = makeClient();
    const store = new InMemoryGoodsRegistryStore();
    const first = await registerGoods({ client, accountId: 'acc-cat', goods: Object.values(catalogue), store });
    expect(first.sent).toEqual(['ART-001', 'ART-002', 'ART-003']);
    const again = await registerGoods({ client, accountId: 'acc-cat', goods: Object.values(catalogue), store });
    expect(again.sent).toEqual([]);

    const listed = await client.listGoods({ pageSize: 1 });
    const byId = new Map(listed.map((g) => [g.goodId, g]));
    expect(byId.get('ART-001')).toMatchObject({
      name: 'Чайник ASFRW123 2л (Синий)',
      dimensionsMm: { length: 250, width: 200, height: 220 },
      weightG: 900,
    });
    expect(byId.get('ART-003')?.name).toBe('Футболка хлопковая (XL, Чёрный)');
    expect((await client.listGoods({ goodIds: ['ART-002'] })).map((g) => g.goodId)).toEqual(['ART-002']);
  });
});

describe('receipt task and receipts', () => {
  it('creates a task, reads it back, and follows a partial then a final receipt', async () => {
    const client = makeClient();
    await registerCatalogue(client);
    const plan = newPlan([
      ['ART-001', 10],
      ['ART-002', 5],
    ]);
    expect(await client.createSupplyTask(plan)).toEqual({
      indocId: plan.indocId,
      created: true,
      alreadyExisted: false,
    });

    const stored = await client.getIndoc(plan.indocId);
    expect([...stored.items]).toEqual([
      ['ART-001', 10],
      ['ART-002', 5],
    ]);
    const attributes = await client.getIndocAttributes(plan.indocId);
    expect(attributes.find((a) => a.attributeId === 526)?.value).toBe('2025-03-10T10:00:00');
    await client.setIndocAttributes(plan.indocId, [{ attributeId: 646, value: 'Машина задерживается' }]);
    expect((await client.getIndocAttributes(plan.indocId)).find((a) => a.attributeId === 646)?.value).toBe('Машина задерживается');

    await control(`/indocs/${plan.indocId}/arrive`);
    await control(`/indocs/${plan.indocId}/receive`, { items: [{ good_id: 'ART-001', useful_qnt: 4 }], final: false });
    await control(`/indocs/${plan.indocId}/receive`, {
      items: [
        { good_id: 'ART-001', useful_qnt: 5, defective_qnt: 1 },
        { good_id: 'ART-002', useful_qnt: 3 },
      ],
      final: true,
    });

    const outdocs = await client.listOutdocs({
      indocId: plan.indocId,
      type: 'goods_supply',
      locked: false,
      pageSize: 1,
    });
    expect(outdocs).toHaveLength(2);
    const [partial, final] = await Promise.all(outdocs.map((o) => client.getOutdoc(o.outdocId)));
    expect(partial.receipt).toMatchObject({
      kind: 'goods_supply',
      indocId: plan.indocId,
      partNumber: 1,
      nonArrival: false,
    });
    expect(partial.receipt?.lines.find((l) => l.goodId === 'ART-001')).toMatchObject({ planned: 10, useful: 4 });
    expect(final.receipt?.partNumber).toBeUndefined();
    expect(final.receipt?.lines.find((l) => l.goodId === 'ART-001')).toMatchObject({ useful: 5, defective: 1 });
    expect(final.receipt?.createdAt).toBeInstanceOf(Date);
    expect(final.raw).toMatchObject({ success: true, outdoc_type: 'goods_supply' });

    const movements = await client.getOutdocGoods(final.outdocId);
    expect(movements).toEqual(expect.arrayContaining([expect.objectContaining({ goodId: 'ART-001', quality: 'defective', quantity: 1 })]));

    await client.lockOutdocs(outdocs.map((o) => ({ outdocId: o.outdocId, lock: true })));
    expect(await client.listOutdocs({ indocId: plan.indocId, locked: false })).toEqual([]);
    expect(await client.checkOutdocs([...outdocs.map((o) => o.outdocId), 99_999_999])).toEqual([99_999_999]);
  });

  it('reports receiving start and non-arrival', async () => {
    const client = makeClient();
    await registerCatalogue(client);
    await client.updateSettings({ goods_supply_start: true });
    const plan = newPlan([['ART-003', 2]]);
    await client.createSupplyTask(plan);
    await control(`/indocs/${plan.indocId}/arrive`);
    const [start] = await client.listOutdocs({ indocId: plan.indocId, type: 'goods_supply_start' });
    expect((await client.getOutdoc(start.outdocId)).receipt).toMatchObject({ kind: 'goods_supply_start', lines: [] });
    await client.updateSettings({ goods_supply_start: false });

    const late = newPlan([['ART-003', 1]]);
    await client.createSupplyTask(late);
    await control(`/indocs/${late.indocId}/expire`);
    const [expired] = await client.listOutdocs({ indocId: late.indocId, type: 'goods_supply' });
    const receipt = (await client.getOutdoc(expired.outdocId)).receipt!;
    expect(receipt.nonArrival).toBe(true);
    expect(receipt.lines.every((l) => l.useful === 0 && l.defective === 0)).toBe(true);
  });

  it('cancels a task before arrival, and refuses after it', async () => {
    const client = makeClient();
    await registerCatalogue(client);
    const plan = newPlan([['ART-002', 1]]);
    await client.createSupplyTask(plan);
    await client.deleteIndoc(plan.indocId);
    expect((await failureOf(client.getIndoc(plan.indocId))).code).toBe('NOT_FOUND');

    const arrived = newPlan([['ART-002', 1]]);
    await client.createSupplyTask(arrived);
    await control(`/indocs/${arrived.indocId}/arrive`);
    const error = await failureOf(client.deleteIndoc(arrived.indocId));
    expect(error.code).toBe('REMOTE_REJECTED');
    expect(error.userMessage).toMatch(/^БетаПРО отклонил запрос: .+/);
  });

  it('rejects a task with an unregistered good, with BetaPRO’s explanation', async () => {
    const client = makeClient();
    const error = await failureOf(client.createSupplyTask(newPlan([['NEVER-REGISTERED', 1]])));
    expect(error.code).toBe('REMOTE_REJECTED');
    expect(error.retryable).toBe(false);
  });
});

describe('idempotent task creation', () => {
  it('recognises accept-then-drop as success after comparing contents', async () => {
    const client = makeClient();
    await registerCatalogue(client);
    const plan = newPlan([
      ['ART-001', 3],
      ['ART-003', 1],
    ]);
    await control('/faults', { mode: 'acceptThenDrop', count: 1, operations: ['POST /indocs'] });
    expect(await client.createSupplyTask(plan)).toEqual({
      indocId: plan.indocId,
      created: false,
      alreadyExisted: true,
    });
    expect([...(await client.getIndoc(plan.indocId)).items]).toEqual([
      ['ART-001', 3],
      ['ART-003', 1],
    ]);
  });

  it('reports a conflict when the number holds different contents', async () => {
    const client = makeClient();
    await registerCatalogue(client);
    const plan = newPlan([['ART-001', 3]]);
    await client.createSupplyTask(plan);
    const error = await failureOf(client.createSupplyTask({ ...plan, lines: newPlan([['ART-001', 4]]).lines }));
    expect(error.code).toBe('CONFLICT');
    expect(isTaskContentsConflict(error)).toBe(true);
    expect(error.userMessage).toContain('ART-001: в БетаПРО 3, в документе 4');
  });
});

describe('transient failures', () => {
  it('retries 5xx', async () => {
    const client = makeClient();
    await control('/faults', { mode: 'error500', count: 2, operations: ['GET /settings'] });
    await expect(client.getSettings()).resolves.toBeDefined();
  });

  it('retries a timeout', async () => {
    const client = makeClient({ timeoutMs: 300 });
    await control('/faults', { mode: 'timeout', count: 1, operations: ['GET /settings'] });
    const started = Date.now();
    await expect(client.getSettings()).resolves.toBeDefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
  });

  it('waits out a 429 as advised, then retries', async () => {
    const client = makeClient();
    await control('/faults', { mode: 'rate429', count: 1, operations: ['GET /settings'] });
    const started = Date.now();
    await expect(client.getSettings()).resolves.toBeDefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
  });

  it('gives up with a retryable error when BetaPRO stays down', async () => {
    const client = makeClient({ maxRetries: 1 });
    await control('/faults', { mode: 'error500', operations: ['GET /settings'] });
    expect(await failureOf(client.getSettings())).toMatchObject({ code: 'REMOTE_UNAVAILABLE', retryable: true });
  });
});

describe('spec coverage', () => {
  it('validated every operation the connector used against the spec', () => {
    expect([...usedOperations].sort()).toEqual([...CONNECTOR_OPERATIONS].sort());
    expect(CONNECTOR_OPERATIONS.filter((op) => !specOperations.includes(op))).toEqual([]);
  });
});

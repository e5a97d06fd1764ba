import { afterEach, describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import pino from 'pino';
import type { TransferPlan, WarehouseGood } from '@/lib/core/domain';
import { AppError } from '@/lib/core/errors';
import { InProcessRateGate } from '@/lib/core/rate-gate';
import { createBetaproClient, collectPages, isTaskContentsConflict, REMOTE_AUTH_MESSAGE, type BetaproClientOptions } from '@/lib/betapro';
import { startFakeFbox, type FakeFbox, type Reply, type SeenRequest } from './fake-fbox';

const PASSWORD = 'S3cr3t-pa55';
let server: FakeFbox | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function setup(
  handler: (request: SeenRequest, index: number) => Reply | Promise<Reply>,
  options: Partial<BetaproClientOptions> = {},
) {
  server = await startFakeFbox(handler);
  const client = createBetaproClient({
    baseUrl: server.url,
    partnerId: '1001',
    password: PASSWORD,
    allowPrivateHosts: true,
    timeoutMs: 300,
    maxRetries: 3,
    retry: { baseDelayMs: 10, maxDelayMs: 50 },
    ...options,
  });
  return { client, server };
}

const envelope = (code: number, message = '') => ({ success: false, error_code: code, error_message: message });

async function failureOf(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error('expected a failure');
}

const settingsBody = {
  success: true,
  outdoc_types: {
    goods_supply_start: true,
    goods_shipment_start: false,
    goods_shipment_ready: false,
    orders_receiving: false,
    orders_deficit: false,
    orders_production_start: false,
    orders_pallet: false,
  },
  goods_expir_enabled: false,
  goods_surplus_enabled: true,
  rate_limits: {
    concurrent_qnt: 1,
    req_qnt: { day: 50000, minute: 300 },
    req_mb: { day: 500, minute: 10 },
    resp_mb: { day: 2000, minute: 40 },
    err_qnt: { day: 1000, minute: 30 },
    err_mb: { day: 50, minute: 2 },
    duration_minutes: { day: 120, minute: 1 },
  },
  deliveries: [],
};

describe('BetaPRO client: protocol', () => {
  it('authenticates with Basic partner_id:password and reads settings in product terms', async () => {
    const { client, server } = await setup(() => ({ body: settingsBody }));
    const settings = await client.getSettings();
    expect(server.requests[0]).toMatchObject({ method: 'GET', url: '/grh/api/settings' });
    expect(server.requests[0].headers.authorization).toBe(`Basic ${Buffer.from(`1001:${PASSWORD}`).toString('base64')}`);
    expect(settings.receivingStartReported).toBe(true);
    expect(settings.surplusAcceptedInDocument).toBe(true);
    expect(settings.rateLimits.concurrentRequests).toBe(1);
    expect(settings.rateLimits.quotas[0]).toEqual({
      kind: 'requests',
      label: 'Запросов',
      perDay: 50000,
      perMinute: 300,
    });
    expect(settings.rateLimits.quotas.map((q) => q.kind)).toEqual([
      'requests',
      'requestMegabytes',
      'responseMegabytes',
      'failedRequests',
      'failedRequestMegabytes',
      'processingMinutes',
    ]);
  });

  it('treats success:false as an error even with HTTP 200', async () => {
    const { client, server } = await setup(() => ({ status: 200, body: envelope(1000, 'Неизвестный товар ART-9') }));
    const error = await failureOf(client.createIndoc({ indoc_type: 'goods_supply_task', indoc_id: 'X', items: [] }));
    expect(error.code).toBe('REMOTE_REJECTED');
    expect(error.userMessage).toContain('Неизвестный товар ART-9');
    expect(server.requests).toHaveLength(1);
  });

  it('gives the clear Russian message for wrong credentials and does not retry', async () => {
    const { client, server } = await setup(() => ({ status: 403, body: envelope(403, 'Forbidden') }));
    const error = await failureOf(client.getSettings());
    expect(error.code).toBe('REMOTE_AUTH');
    expect(error.userMessage).toBe(REMOTE_AUTH_MESSAGE);
    expect(server.requests).toHaveLength(1);
  });

  it('maps 404 to NOT_FOUND with a message naming the object', async () => {
    const { client } = await setup(() => ({ status: 404, body: envelope(404, 'not found') }));
    const error = await failureOf(client.getIndoc('MSS1'));
    expect(error.code).toBe('NOT_FOUND');
    expect(error.userMessage).toContain('MSS1');
  });

  it('rejects a 2xx body it cannot read, without retrying', async () => {
    const { client, server } = await setup(() => ({ rawBody: '<html>portal</html>' }));
    const error = await failureOf(client.getSettings());
    expect(error.code).toBe('REMOTE_REJECTED');
    expect(server.requests).toHaveLength(1);
  });

  it('encodes indoc ids in paths', async () => {
    const { client, server } = await setup(() => ({ body: { success: true } }));
    await client.deleteIndoc('MS/1 2');
    expect(server.requests[0]).toMatchObject({ method: 'DELETE', url: '/grh/api/indocs/MS%2F1%202' });
  });
});

describe('BetaPRO client: retries', () => {
  it('retries 5xx and then succeeds', async () => {
    const { client, server } = await setup((_, i) => (i < 2 ? { status: 503, rawBody: 'busy' } : { body: settingsBody }));
    await client.getSettings();
    expect(server.requests).toHaveLength(3);
  });

  it('gives up on persistent 5xx after maxRetries with a retryable REMOTE_UNAVAILABLE', async () => {
    const { client, server } = await setup(() => ({ status: 500, body: envelope(500, 'boom') }), { maxRetries: 2 });
    const error = await failureOf(client.getSettings());
    expect(error).toMatchObject({ code: 'REMOTE_UNAVAILABLE', retryable: true });
    expect(server.requests).toHaveLength(3);
  });

  it('retries a timeout and a dropped connection', async () => {
    const { client, server } = await setup((_, i) => (i === 0 ? { hang: true } : i === 1 ? { drop: true } : { body: settingsBody }));
    await client.getSettings();
    expect(server.requests).toHaveLength(3);
  });

  it('reports REMOTE_TIMEOUT when BetaPRO never answers', async () => {
    const { client, server } = await setup(() => ({ hang: true }), { maxRetries: 1, timeoutMs: 100 });
    const error = await failureOf(client.getSettings());
    expect(error).toMatchObject({ code: 'REMOTE_TIMEOUT', retryable: true });
    expect(server.requests).toHaveLength(2);
  });

  it('waits out a 429 as long as Retry-After says, then retries', async () => {
    const { client, server } = await setup((_, i) =>
      i === 0
        ? {
            status: 429,
            body: envelope(429, 'Превышен лимит req_qnt. Выполните запрос через 1 секунд'),
            headers: { 'retry-after': '1', 'x-ratelimit-reset': '1', 'x-ratelimit-remaining': '0' },
          }
        : { body: settingsBody },
    );
    await client.getSettings();
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1].startedAt - server.requests[0].startedAt).toBeGreaterThanOrEqual(950);
  });

  it('hands a long 429 back to the caller instead of holding the worker', async () => {
    const { client, server } = await setup(() => ({
      status: 429,
      body: envelope(429),
      headers: { 'retry-after': '600', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '600' },
    }));
    const error = await failureOf(client.getSettings());
    // An advised pause is believed for at most a minute (a remote cannot stall the account for hours).
    expect(error).toMatchObject({ code: 'RATE_LIMITED', retryable: true, retryAfterMs: 60_000 });
    expect(server.requests).toHaveLength(1);
    // The partner stays paused: the next call fails fast without reaching BetaPRO.
    const next = await failureOf(client.getSettings());
    expect(next.code).toBe('RATE_LIMITED');
    expect(server.requests).toHaveLength(1);
  });

  it('never retries 400, 401, 1000 or 1001', async () => {
    for (const reply of [
      { status: 400, body: envelope(400, 'bad') },
      { status: 401, body: envelope(401) },
      { status: 200, body: envelope(1000, 'x') },
      { status: 200, body: envelope(1001, 'dup') },
    ]) {
      const { client, server } = await setup(() => reply);
      await failureOf(client.createIndoc({ indoc_type: 'goods_supply_task', indoc_id: 'X', items: [] }));
      expect(server.requests).toHaveLength(1);
      await server.close();
    }
  });
});

describe('BetaPRO client: pacing', () => {
  it('runs one request at a time per partner', async () => {
    const { client, server } = await setup(() => ({ body: settingsBody, delayMs: 30 }));
    await Promise.all([client.getSettings(), client.getSettings(), client.getSettings()]);
    expect(server.requests).toHaveLength(3);
    expect(server.maxInFlight).toBe(1);
  });

  it('slows down when a response says the quota is used up, for every client of the partner', async () => {
    const gate = new InProcessRateGate();
    const { client, server } = await setup(
      (_, i): Reply => ({
        body: settingsBody,
        headers: i === 0 ? { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1' } : {},
      }),
      { gate },
    );
    const sibling = createBetaproClient({
      baseUrl: server.url,
      partnerId: '1001',
      password: PASSWORD,
      allowPrivateHosts: true,
      gate,
    });
    await client.getSettings();
    await sibling.getSettings();
    expect(server.requests[1].startedAt - server.requests[0].startedAt).toBeGreaterThanOrEqual(950);
  });
});

describe('BetaPRO client: lists and batches', () => {
  it('reads every page of outdocs and parses Moscow dates', async () => {
    const page = (ids: number[], next?: string) => ({
      success: true,
      items: ids.map((id) => ({
        outdoc_id: id,
        outdoc_type: 'goods_supply',
        outdoc_type_descrip: 'Товары оприходованы',
        outdoc_date: '2025-03-11',
        created_at: '2025-03-11T17:42:10',
        locked: false,
        unlock_request: false,
        indoc_id: 'MSS1',
      })),
      ...(next ? { page_next_token: next } : {}),
    });
    const { client, server } = await setup((req) => {
      const token = (req.body as { page_token?: string }).page_token;
      return { body: token === undefined ? page([1, 2], 't2') : token === 't2' ? page([3], 't3') : page([4]) };
    });
    const outdocs = await client.listOutdocs({
      type: 'goods_supply',
      locked: false,
      unlockRequest: false,
      createdFrom: new Date('2025-03-10T21:00:00Z'),
    });
    expect(outdocs.map((o) => o.outdocId)).toEqual([1, 2, 3, 4]);
    expect(outdocs[0].createdAt.toISOString()).toBe('2025-03-11T14:42:10.000Z');
    expect(server.requests.map((r) => r.body)).toEqual([
      { outdoc_type: 'goods_supply', locked: false, unlock_request: false, from_date: '2025-03-11T00:00:00' },
      {
        outdoc_type: 'goods_supply',
        locked: false,
        unlock_request: false,
        from_date: '2025-03-11T00:00:00',
        page_token: 't2',
      },
      {
        outdoc_type: 'goods_supply',
        locked: false,
        unlock_request: false,
        from_date: '2025-03-11T00:00:00',
        page_token: 't3',
      },
    ]);
  });

  it('refuses a paging loop', async () => {
    await expect(collectPages(async () => ({ items: [1], page_next_token: 'same' }))).rejects.toThrow(/repeated/);
  });

  it('upserts goods in batches', async () => {
    const { client, server } = await setup(() => ({ body: { success: true } }));
    const goods: WarehouseGood[] = Array.from({ length: 2400 }, (_, i) => ({
      goodId: `G${i}`,
      name: `Товар ${i}`,
      barcodes: [],
    }));
    const confirmed: number[] = [];
    await client.upsertGoods(goods, { onBatchConfirmed: (batch) => void confirmed.push(batch.length) });
    expect(server.requests.map((r) => (r.body as { goods: unknown[] }).goods.length)).toEqual([1000, 1000, 400]);
    expect(confirmed).toEqual([1000, 1000, 400]);
  });

  it('locks and checks outdocs', async () => {
    const { client, server } = await setup((req) =>
      req.url.endsWith('/check') ? { body: { success: true, missing_outdoc_ids: [2] } } : { body: { success: true } },
    );
    await client.lockOutdocs([{ outdocId: 1, lock: true }]);
    expect(await client.checkOutdocs([1, 2])).toEqual([2]);
    expect(server.requests.map((r) => r.body)).toEqual([{ outdocs: [{ outdoc_id: 1, lock: true }] }, { outdoc_ids: [1, 2] }]);
  });
});

describe('createSupplyTask', () => {
  const plan: TransferPlan = {
    accountId: 'acc',
    entity: 'supply',
    documentId: '0b7c1d2e-3f40-5162-7384-9a5b6c7d8e9f',
    documentName: '00042',
    indocId: 'MSS0b7c1d2e3f40516273849a5b6c7d8e9f',
    note: 'Приёмка 00042',
    plannedArrival: undefined,
    lines: [
      {
        goodId: 'A',
        quantity: 2,
        assortment: { href: 'h', type: 'product' },
        name: 'A',
        price: 0,
        positionIds: ['p1'],
      },
      {
        goodId: 'B',
        quantity: 3,
        assortment: { href: 'h', type: 'product' },
        name: 'B',
        price: 0,
        positionIds: ['p2'],
      },
    ],
    goods: [],
  };
  const stored = (items: Array<[string, number]>) => ({
    success: true,
    indoc: {
      indoc_type: 'goods_supply_task',
      indoc_id: plan.indocId,
      items: items.map(([good_id, plan_qnt]) => ({ good_id, plan_qnt })),
    },
  });

  it('creates the task', async () => {
    const { client } = await setup(() => ({ body: { success: true } }));
    expect(await client.createSupplyTask(plan)).toEqual({
      indocId: plan.indocId,
      created: true,
      alreadyExisted: false,
    });
  });

  it('treats 1001 with identical contents as success (the earlier answer was lost)', async () => {
    const { client, server } = await setup((req) =>
      req.method === 'POST'
        ? { body: envelope(1001, 'уже зарегистрирован') }
        : {
            body: stored([
              ['B', 3],
              ['A', 1],
              ['A', 1],
            ]),
          },
    );
    expect(await client.createSupplyTask(plan)).toEqual({
      indocId: plan.indocId,
      created: false,
      alreadyExisted: true,
    });
    expect(server.requests[1]).toMatchObject({ method: 'GET', url: `/grh/api/indocs/${plan.indocId}/json` });
  });

  it('recognises accept-then-drop: the first POST was done but its answer lost', async () => {
    let created = false;
    const { client } = await setup((req) => {
      if (req.method === 'GET')
        return {
          body: stored([
            ['A', 2],
            ['B', 3],
          ]),
        };
      if (!created) {
        created = true;
        return { drop: true };
      }
      return { body: envelope(1001, 'уже зарегистрирован') };
    });
    expect(await client.createSupplyTask(plan)).toMatchObject({ created: false, alreadyExisted: true });
  });

  it('reports a conflict when BetaPRO holds different contents under the number', async () => {
    const { client } = await setup((req) =>
      req.method === 'POST'
        ? { body: envelope(1001, 'уже зарегистрирован') }
        : {
            body: stored([
              ['A', 2],
              ['C', 1],
            ]),
          },
    );
    const error = await failureOf(client.createSupplyTask(plan));
    expect(error.code).toBe('CONFLICT');
    expect(isTaskContentsConflict(error)).toBe(true);
    expect(error.userMessage).toContain('уже есть задание');
    expect(error.userMessage).toContain('B: в БетаПРО 0, в документе 3');
    expect(error.userMessage).toContain('C: в БетаПРО 1, в документе 0');
  });
});

describe('secrets', () => {
  it('never writes the password or the Basic header into logs or errors', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const log = pino({ level: 'trace' }, sink);
    const { client } = await setup((_, i) => (i % 2 ? { status: 403, body: envelope(403) } : { status: 500, body: envelope(500) }), {
      log,
      maxRetries: 1,
    });
    const error = await failureOf(client.getSettings());
    const basic = Buffer.from(`1001:${PASSWORD}`).toString('base64');
    const everything =
      lines.join('\n') + JSON.stringify({ m: error.message, u: error.userMessage, d: error.details, c: String(error.cause) });
    expect(lines.length).toBeGreaterThan(0);
    expect(everything).not.toContain(PASSWORD);
    expect(everything).not.toContain(basic);
  });
});

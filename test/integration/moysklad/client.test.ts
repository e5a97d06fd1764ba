/**
 * lib/moysklad against the MoySklad simulator: reading a document with more positions than one page,
 * writes of positions, lookup by product key, webhooks and statuses converging, the per-account
 * budget under a burst, and the Vendor API context exchange. Every request body the client sends is
 * checked against MoySklad's OpenAPI spec.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MoyskladSimulator } from '@/test/sandbox/moysklad';
import { AppError } from '@/lib/core/errors';
import { InProcessRateGate, type RateGate, type RatePolicy } from '@/lib/core/rate-gate';
import { idFilterChunks } from '@/lib/moysklad/positions';
import { createMoyskladClient, type MoyskladClient } from '@/lib/moysklad/json-api';
import { ensureWebhooks, removeWebhooks, checkWebhooks } from '@/lib/moysklad/webhooks';
import { ensureStatuses, OPTIONAL_STATUS_ROLES, STATUS_ROLES } from '@/lib/moysklad/statuses';
import { createVendorApiClient, CONTEXT_EXPIRED_MESSAGE } from '@/lib/moysklad/vendor-api';
import { employeeToSessionClaims } from '@/lib/moysklad/app-session';
import { toTransferLines } from '@/lib/moysklad/mappers/to-transfer-lines';
import { stateRefBody } from '@/lib/moysklad/refs';
import {
  recordRequests,
  requestBodyErrors,
  specProblems,
  startSimulatorFor,
  startStubApp,
  SOLUTION,
  type SentRequest,
  type StubApp,
} from './support';

let stub: StubApp;
let sim: MoyskladSimulator;
let accountId: string;
let token: string;
let client: MoyskladClient;
let seed: ReturnType<MoyskladSimulator['seed']>;

function newClient(gate?: RateGate): MoyskladClient {
  const c = createMoyskladClient({
    baseUrl: sim.apiUrl,
    token,
    accountId,
    gate,
    webhookDisablePrefix: stub.url,
    retry: { baseDelayMs: 50 },
  });
  recordedLists.push(recordRequests(c.http, sim.apiUrl));
  return c;
}
const recordedLists: SentRequest[][] = [];
const allSent = () => recordedLists.flat();

beforeAll(async () => {
  stub = await startStubApp();
  sim = await startSimulatorFor(stub);
  const installed = await sim.installedAccount('shop');
  accountId = installed.accountId;
  token = installed.token;
  seed = sim.seed(accountId, { states: false });
  client = newClient();
});

afterAll(async () => {
  await sim?.close();
  await stub?.close();
});

describe('installation (simulator → our JWT check)', () => {
  it('the activation call carried a JWT that verifyVendorJwt accepted', () => {
    const activation = stub.calls.find((c) => c.method === 'PUT');
    expect(activation?.verified).toBe(true);
    expect(activation?.body).toMatchObject({
      cause: 'Install',
      access: [expect.objectContaining({ access_token: token })],
    });
  });
});

describe('documents and positions', () => {
  it('reads a supply with more positions than one page, every assortment expanded', async () => {
    const productIds = Array.from({ length: 1150 }, (_, i) =>
      sim.createEntity(accountId, 'product', {
        name: `Товар ${i}`,
        article: `ART-${i}`,
        code: `C-${i}`,
        buyPrice: { value: 100 + i },
      }),
    );
    const doc = sim.createDocument(accountId, 'supply', {
      organization: sim.meta(
        'organization',
        (sim.getDocument(accountId, 'supply', seed.supplies[0]).organization as { meta: { href: string } }).meta.href.split('/').pop()!,
      ),
      agent: sim.meta('counterparty', seed.counterpartyId),
      store: sim.meta('store', seed.stores.betapro),
      positions: productIds.slice(0, 1000).map((id, i) => ({ quantity: i + 1, price: 1000, assortment: sim.meta('product', id) })),
    }) as { id: string };
    // The rest through our client: positions POSTed to the sub-resource (batches of ≤ 1000).
    const added = await client.addPositions(
      'supply',
      doc.id,
      productIds.slice(1000).map((id) => ({
        quantity: 2,
        price: 500,
        assortment: sim.meta('product', id),
      })),
    );
    expect(added).toHaveLength(150);

    const result = await client.getDocumentWithPositions('supply', doc.id);
    expect(result.positions).toHaveLength(1150);
    expect(new Set(result.positions.map((p) => p.id)).size).toBe(1150);
    for (const p of result.positions) expect('name' in p.assortment && p.assortment.name).toBeTruthy();
    // The document (1000 embedded, expanded), the other 150 positions in one page of ≤ 1000 without
    // expand, and their 150 goods by id lists (lib/moysklad/positions.ts).
    const goodsCalls = idFilterChunks(productIds.slice(1000)).length;
    expect(goodsCalls).toBeLessThanOrEqual(2);
    expect(result.calls).toBe(1 + 1 + goodsCalls);

    const mapped = toTransferLines(result.positions, 'article');
    expect(mapped.problems).toEqual([]);
    expect(mapped.lines).toHaveLength(1150);
    expect(mapped.lines[999]).toMatchObject({ goodId: 'ART-999', quantity: 1000 });
  });

  it('updates a document (state and comment), edits and deletes positions', async () => {
    const supplyId = seed.supplies[0];
    const { positions } = await client.getDocumentWithPositions('supply', supplyId);
    const states = await ensureStatuses(client, 'supply');
    const updated = await client.updateDocument('supply', supplyId, {
      description: 'Комментарий\n— БетаПРО —\nпередано',
      state: stateRefBody(sim.apiUrl, 'supply', states.states.sent!.id),
    });
    expect(updated.description).toContain('передано');
    expect(updated.state?.meta.href).toContain(states.states.sent!.id);

    const changed = await client.updatePosition('supply', supplyId, positions[0].id, { quantity: 7 });
    expect(changed.quantity).toBe(7);
    await client.deletePositions('supply', supplyId, [positions[1].id]);
    const after = await client.getDocumentWithPositions('supply', supplyId);
    expect(after.positions.map((p) => p.id)).not.toContain(positions[1].id);
    expect(after.positions).toHaveLength(positions.length - 1);

    // Our writes carry the disable-by-prefix header: the app's own webhooks did not fire.
    await sim.idle();
    const hooks = sim.deliveries({ accountId, kind: 'webhook' }).filter((d) => d.url.startsWith(stub.url));
    expect(hooks).toEqual([]);
  });

  it('lists documents by state name, page after page', async () => {
    const states = await ensureStatuses(client, 'move');
    for (const id of seed.moves) sim.userUpdate(accountId, 'move', id, { state: sim.stateMeta('move', states.states.transfer!.id) });
    const found: string[] = [];
    for await (const page of client.iterateDocuments('move', {
      filter: [['state.name', '=', 'Передать']],
      pageSize: 1,
    })) {
      found.push(...page.map((d) => d.id));
    }
    expect(found.sort()).toEqual([...seed.moves].sort());
  });

  it('a missing document is NOT_FOUND', async () => {
    await expect(client.getDocument('supply', '00000000-0000-0000-0000-000000000000')).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });
});

describe('assortment lookup by key', () => {
  it('finds products and variants by article and code, with their buy price', async () => {
    const byArticle = await client.findAssortmentByKey('article', ['TS-WHITE', 'MUG-300', 'NO-SUCH']);
    expect(byArticle.map((m) => [m.value, m.type, m.buyPrice]).sort()).toEqual([
      ['MUG-300', 'product', 18000],
      ['TS-WHITE', 'product', 45000],
    ]);
    const byCode = await client.findAssortmentByKey('code', ['00105-M', '00101']);
    expect(byCode.map((m) => [m.value, m.type]).sort()).toEqual([
      ['00101', 'product'],
      ['00105-M', 'variant'],
    ]);
    expect(byCode.find((m) => m.type === 'variant')?.buyPrice).toBe(120000);
  });

  it('many values take few calls', async () => {
    const before = allSent().length;
    const values = Array.from({ length: 600 }, (_, i) => `ART-${i}`);
    const matches = await client.findAssortmentByKey('article', values);
    expect(matches).toHaveLength(600);
    const calls = allSent().length - before;
    // 2 endpoints × a handful of URL-sized chunks (× pages of 100 for the product rows).
    expect(calls).toBeLessThan(30);
  });
});

describe('webhooks', () => {
  const url = () => `${stub.url}/api/moysklad/webhook/${accountId}/secret-1`;

  it('ensure ×3 → one set of six, nothing changed on the second and third run', async () => {
    const first = await ensureWebhooks(client, url());
    expect(first.changes.filter((c) => c.change === 'created')).toHaveLength(6);
    for (let i = 0; i < 2; i += 1) {
      const again = await ensureWebhooks(client, url());
      expect(again.changes.every((c) => c.change === 'unchanged')).toBe(true);
    }
    const hooks = (await client.listWebhooks()).filter((h) => h.url.startsWith(stub.url));
    expect(hooks.map((h) => `${h.entityType}:${h.action}:${h.diffType ?? 'NONE'}`).sort()).toEqual([
      'move:CREATE:NONE',
      'move:UPDATE:FIELDS',
      'purchasereturn:CREATE:NONE',
      'purchasereturn:UPDATE:FIELDS',
      'supply:CREATE:NONE',
      'supply:UPDATE:FIELDS',
    ]);
  });

  it('repairs a disabled one and a wrong diffType, moves them to a new URL', async () => {
    const hooks = (await client.listWebhooks()).filter((h) => h.url === url());
    const update = hooks.find((h) => h.entityType === 'supply' && h.action === 'UPDATE')!;
    const create = hooks.find((h) => h.entityType === 'move' && h.action === 'CREATE')!;
    await client.updateWebhook(update.id, { diffType: 'NONE' });
    await client.updateWebhook(create.id, { enabled: false });
    expect((await checkWebhooks(client, url())).disabled).toHaveLength(2);
    const repaired = await ensureWebhooks(client, url());
    expect(repaired.changes.filter((c) => c.change === 'repaired')).toHaveLength(2);
    expect((await checkWebhooks(client, url())).installed).toHaveLength(6);

    const rotated = `${stub.url}/api/moysklad/webhook/${accountId}/secret-2`;
    const moved = await ensureWebhooks(client, rotated);
    expect(moved.changes.filter((c) => c.change === 'moved')).toHaveLength(6);
    const ours = (await client.listWebhooks()).filter((h) => h.url.startsWith(stub.url));
    expect(ours).toHaveLength(6);
    expect(ours.every((h) => h.url === rotated && h.enabled !== false)).toBe(true);
  });

  it('removeWebhooks deletes ours only', async () => {
    const foreign = await client.createWebhook({
      url: 'https://someone-else.example.com/hook',
      action: 'CREATE',
      entityType: 'product',
    });
    expect(await removeWebhooks(client, `${stub.url}/`)).toBe(6);
    const left = await client.listWebhooks();
    expect(left.map((h) => h.id)).toEqual([foreign.id]);
    await client.deleteWebhook(foreign.id);
  });
});

describe('statuses', () => {
  it('creates the four statuses and the optional «Расхождения» once per entity, finds them afterwards', async () => {
    const other = await sim.installedAccount('statuses');
    const c = createMoyskladClient({ baseUrl: sim.apiUrl, token: other.token, accountId: other.accountId });
    recordedLists.push(recordRequests(c.http, sim.apiUrl));
    for (const entity of ['supply', 'move'] as const) {
      const first = await ensureStatuses(c, entity);
      expect(first.created).toEqual([...STATUS_ROLES, ...OPTIONAL_STATUS_ROLES]);
      expect(first.missing).toEqual([]);
      const second = await ensureStatuses(c, entity);
      expect(second.created).toEqual([]);
      expect(Object.keys(second.states).sort()).toEqual([...STATUS_ROLES, ...OPTIONAL_STATUS_ROLES].sort());
      expect(second.states.posted?.stateType).toBe('Successful');
    }
  });

  it('finds statuses an admin created by hand (names compared without ё/case)', async () => {
    const other = await sim.installedAccount('manual');
    for (const name of ['передать', 'Передан', 'ОШИБКА ПЕРЕДАЧИ', 'Проведен']) sim.createState(other.accountId, 'supply', name);
    const c = createMoyskladClient({ baseUrl: sim.apiUrl, token: other.token, accountId: other.accountId });
    const result = await ensureStatuses(c, 'supply', { create: false });
    expect(result.missing).toEqual([]);
    expect(result.created).toEqual([]);
  });
});

describe('per-account budget', () => {
  /** A client whose gate records pauses, and a timeline of what it sent and what came back. */
  function instrumentedClient() {
    const pauses: Array<{ at: number; until: number }> = [];
    const inner = new InProcessRateGate();
    const gate: RateGate = {
      run: <T>(key: string, policy: RatePolicy, fn: () => Promise<T>) => inner.run(key, policy, fn),
      pause: async (key, until) => {
        pauses.push({ at: Date.now(), until });
        await inner.pause(key, until);
      },
    };
    const c = newClient(gate);
    const sends: number[] = [];
    const rejected: Array<{ at: number; retryAfter: number }> = [];
    c.http.interceptors.request.use((config) => {
      sends.push(Date.now());
      return config;
    });
    c.http.interceptors.response.use((response) => {
      if (response.status === 429) rejected.push({ at: Date.now(), retryAfter: Number(response.headers['x-lognex-retry-after'] ?? 0) });
      return response;
    });
    return { c, pauses, sends, rejected };
  }

  function expectWaitedOut(run: ReturnType<typeof instrumentedClient>) {
    for (const r of run.rejected) {
      // The gate was paused for at least what MoySklad advised…
      expect(run.pauses.some((p) => p.until >= r.at + r.retryAfter - 5)).toBe(true);
      // …and nothing was sent for the account during that interval (calls already in flight aside).
      expect(run.sends.filter((at) => at > r.at + 5 && at < r.at + r.retryAfter - 20)).toEqual([]);
    }
  }

  it('a burst of 200 calls in a quiet window completes with (almost) no 429', async () => {
    await new Promise((r) => setTimeout(r, 3200));
    const run = instrumentedClient();
    const started = Date.now();
    const results = await Promise.all(Array.from({ length: 200 }, () => run.c.getStore(seed.stores.betapro)));
    expect(results.every((s) => s.id === seed.stores.betapro)).toBe(true);
    expect(run.sends.length).toBe(200 + run.rejected.length);
    expect(run.rejected.length).toBeLessThanOrEqual(3);
    expectWaitedOut(run);
    // 45 per 3 s: 200 calls need at least four windows.
    expect(Date.now() - started).toBeGreaterThan(4 * 3000 - 500);
  });

  it('when another process already used the window: a few 429s, each waited out, no call lost', async () => {
    await new Promise((r) => setTimeout(r, 3200));
    // Another worker (its own gate) spends 30 of the 45 calls just before.
    const other = newClient(new InProcessRateGate());
    await Promise.all(Array.from({ length: 30 }, () => other.getStore(seed.stores.main)));
    const run = instrumentedClient();
    const results = await Promise.all(Array.from({ length: 200 }, () => run.c.getStore(seed.stores.betapro)));
    expect(results).toHaveLength(200);
    expect(results.every((s) => s.id === seed.stores.betapro)).toBe(true);
    expect(run.rejected.length).toBeGreaterThan(0);
    expect(run.rejected.length).toBeLessThanOrEqual(15);
    expect(run.sends.length).toBe(200 + run.rejected.length);
    expectWaitedOut(run);
  });
});

describe('Vendor API', () => {
  const vendor = () => createVendorApiClient({ baseUrl: sim.vendorApiUrl, ...SOLUTION });

  it('exchanges a context key for the admin and for a clerk', async () => {
    const admin = await vendor().exchangeContext(sim.contextKey(accountId, 'admin'));
    expect(admin.accountId).toBe(accountId);
    const adminClaims = employeeToSessionClaims(admin, 'ru_RU');
    expect(adminClaims.isAdmin).toBe(true);
    expect(adminClaims.rights.supply).toEqual({ view: true, update: true, viewScope: 'ALL', updateScope: 'ALL' });

    const clerk = employeeToSessionClaims(await vendor().exchangeContext(sim.contextKey(accountId, 'clerk')), 'en_US');
    expect(clerk.isAdmin).toBe(false);
    expect(clerk.locale).toBe('en');
    expect(clerk.rights.supply.view).toBe(true);

    const nosupply = employeeToSessionClaims(await vendor().exchangeContext(sim.contextKey(accountId, 'clerk-nosupply')));
    expect(nosupply.rights.supply.update).toBe(false);
  });

  it('an expired or unknown key is UNAUTHORIZED with a clear message', async () => {
    sim.setConfig({ contextKeyTtlMs: 1 });
    try {
      const key = sim.contextKey(accountId, 'admin');
      await new Promise((r) => setTimeout(r, 20));
      const error = await vendor()
        .exchangeContext(key)
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(error).toBeInstanceOf(AppError);
      expect(error).toMatchObject({ code: 'UNAUTHORIZED', userMessage: CONTEXT_EXPIRED_MESSAGE });
    } finally {
      sim.setConfig({ contextKeyTtlMs: 5 * 60_000 });
    }
    await expect(vendor().exchangeContext('0123456789abcdef')).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('reports and reads the installation status', async () => {
    stub.activationStatus = 'SettingsRequired';
    const other = await sim.installedAccount('settings-required');
    expect(other.result.appStatus).toBe('SettingsRequired');
    await vendor().reportStatus(other.accountId, 'Activated');
    await expect(vendor().getStatus(other.accountId)).resolves.toMatchObject({ status: 'Activated' });
    stub.activationStatus = 'Activated';
  });

  it('a wrong secret is refused', async () => {
    const bad = createVendorApiClient({
      baseUrl: sim.vendorApiUrl,
      ...SOLUTION,
      secretKey: 'not-the-secret-key-at-all-000',
    });
    await expect(bad.getStatus(accountId)).rejects.toBeInstanceOf(AppError);
  });
});

describe('spec conformance', () => {
  it("every request body the client sent conforms to MoySklad's OpenAPI spec", () => {
    const { problems, missingOps } = specProblems(allSent());
    expect(problems).toEqual([]);
    // Operations the spec extraction lacks are reported, not silently skipped.
    expect(missingOps).toEqual([]);
    expect(allSent().filter((s) => s.body !== undefined).length).toBeGreaterThan(10);
    // The check itself bites.
    expect(requestBodyErrors('PUT /entity/supply/{id}', { description: 5 })).not.toEqual([]);
  });
});

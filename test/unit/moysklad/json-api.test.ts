/**
 * The JSON API client against a scriptable local node:http server: headers, error mapping, retry
 * policy (429 honoured through the gate, 5xx, never another 4xx, POSTs not repeated blindly),
 * redirects, and the paging strategies of getDocumentWithPositions and findAssortmentByKey.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '@/lib/core/errors';
import { InProcessRateGate } from '@/lib/core/rate-gate';
import { createMoyskladClient, type MoyskladClientOptions } from '@/lib/moysklad/json-api';
import { MS_MAX_ID_FILTER_CHARS, idFilterChunks } from '@/lib/moysklad/positions';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  at: number;
}
type Handler = (req: Seen, res: ServerResponse) => void;

let server: Server;
let base = '';
let handler: Handler;
let seen: Seen[] = [];

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}, gzip = true) {
  const raw = Buffer.from(JSON.stringify(body));
  res.writeHead(status, {
    'Content-Type': 'application/json;charset=utf-8',
    ...(gzip ? { 'Content-Encoding': 'gzip' } : {}),
    ...headers,
  });
  res.end(gzip ? gzipSync(raw) : raw);
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const s: Seen = {
        method: req.method!,
        url: req.url!,
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
        at: Date.now(),
      };
      seen.push(s);
      handler(s, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/remap/1.2`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  seen = [];
});

const client = (extra: Partial<MoyskladClientOptions> = {}) =>
  createMoyskladClient({
    baseUrl: base,
    token: 'secret-token',
    accountId: 'acc-1',
    webhookDisablePrefix: 'https://bridge.example.com',
    retry: { baseDelayMs: 10, maxDelayMs: 40 },
    ...extra,
  });
const API = 'https://api.moysklad.ru/api/remap/1.2';
const store = { meta: { href: `${API}/entity/store/s1`, type: 'store' }, id: 's1', name: 'БетаПРО' };

describe('JSON API client: requests', () => {
  it('sends Bearer, exactly gzip, JSON; the prefix header on writes only; reads gzip answers', async () => {
    handler = (req, res) => json(res, 200, req.method === 'GET' ? store : { ...store, name: 'new' });
    const c = client();
    await expect(c.getStore('s1')).resolves.toMatchObject({ name: 'БетаПРО' });
    await c.request({
      method: 'PUT',
      path: '/entity/store/s1',
      body: { name: 'new' },
      schema: (await import('@/lib/moysklad/schemas')).msStoreSchema,
    });
    const [get, put] = seen;
    expect(get.headers.authorization).toBe('Bearer secret-token');
    expect(get.headers['accept-encoding']).toBe('gzip');
    expect(get.headers['x-lognex-webhook-disablebyprefix']).toBeUndefined();
    expect(put.headers['x-lognex-webhook-disablebyprefix']).toBe('https://bridge.example.com');
    expect(put.headers['content-type']).toContain('application/json');
    expect(JSON.parse(put.body)).toEqual({ name: 'new' });
  });

  it('encodes filters (OR by repetition, escaped ;) into the query', async () => {
    handler = (_req, res) => json(res, 200, { meta: { href: 'x', size: 0, limit: 100, offset: 0 }, rows: [] });
    await client().listDocuments('supply', {
      filter: [
        ['state.name', '=', 'Передать'],
        ['name', '=', 'a;b'],
      ],
      limit: 10,
    });
    const url = new URL(seen[0].url, 'http://x');
    expect(url.searchParams.get('filter')).toBe('state.name=Передать;name=a\\;b');
    expect(url.searchParams.get('limit')).toBe('10');
  });

  it('follows redirects (MoySklad answers 308 for some ids)', async () => {
    handler = (req, res) => {
      if (req.url.includes('/old')) {
        res.writeHead(308, { Location: `${base}/entity/store/s1` });
        res.end();
        return;
      }
      json(res, 200, store);
    };
    await expect(
      client().request({
        method: 'GET',
        path: '/entity/store/old',
        schema: (await import('@/lib/moysklad/schemas')).msStoreSchema,
      }),
    ).resolves.toMatchObject({ id: 's1' });
    expect(seen.map((s) => s.url)).toEqual(['/api/remap/1.2/entity/store/old', '/api/remap/1.2/entity/store/s1']);
  });

  it('refuses to send the token to another host', async () => {
    handler = (_req, res) => json(res, 200, store);
    await expect(
      client().request({
        method: 'GET',
        path: 'https://evil.example.com/x',
        schema: (await import('zod')).z.unknown(),
      }),
    ).rejects.toMatchObject({ code: 'INTERNAL' });
    expect(seen).toHaveLength(0);
  });
});

describe('JSON API client: errors and retries', () => {
  it('maps {errors} and never retries a 4xx', async () => {
    for (const [status, code] of [
      [400, 'REMOTE_REJECTED'],
      [401, 'REMOTE_AUTH'],
      [403, 'REMOTE_AUTH'],
      [404, 'NOT_FOUND'],
      [412, 'REMOTE_REJECTED'],
      [413, 'PAYLOAD_TOO_LARGE'],
    ] as const) {
      seen = [];
      handler = (_req, res) => json(res, status, { errors: [{ error: `ошибка ${status}`, code: 3000 }] });
      const error = await client()
        .getStore('s1')
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe(code);
      expect(seen).toHaveLength(1);
    }
  });

  it('retries 5xx until success', async () => {
    let n = 0;
    handler = (_req, res) => (++n < 3 ? json(res, 502, { errors: [{ error: 'bad gateway' }] }) : json(res, 200, store));
    await expect(client().getStore('s1')).resolves.toMatchObject({ id: 's1' });
    expect(seen).toHaveLength(3);
  });

  it('gives up on 5xx after maxRetries', async () => {
    handler = (_req, res) => json(res, 500, { errors: [{ error: 'boom' }] });
    await expect(client({ maxRetries: 2 }).getStore('s1')).rejects.toMatchObject({ code: 'REMOTE_UNAVAILABLE' });
    expect(seen).toHaveLength(3);
  });

  it('does not repeat a POST after a 500 (it may have been applied), but does after a 429', async () => {
    handler = (_req, res) => json(res, 500, { errors: [{ error: 'boom' }] });
    await expect(client().addPositions('supply', 'd1', [{ quantity: 1 }])).rejects.toMatchObject({
      code: 'REMOTE_UNAVAILABLE',
    });
    expect(seen).toHaveLength(1);
    seen = [];
    let n = 0;
    handler = (_req, res) =>
      ++n === 1
        ? json(res, 429, { errors: [{ error: 'limit', code: 1049 }] }, { 'X-Lognex-Retry-After': '50' })
        : json(res, 200, [{ id: 'p1', quantity: 1, assortment: { meta: { href: `${API}/entity/product/x`, type: 'product' } } }]);
    await expect(client().addPositions('supply', 'd1', [{ quantity: 1 }])).resolves.toHaveLength(1);
    expect(seen).toHaveLength(2);
  });

  it('on 429 pauses the whole account for the advised interval', async () => {
    let first = true;
    handler = (_req, res) => {
      if (first) {
        first = false;
        json(res, 429, { errors: [{ error: 'limit', code: 1049 }] }, { 'X-Lognex-Retry-After': '300' });
        return;
      }
      json(res, 200, store);
    };
    const gate = new InProcessRateGate();
    // The second call is made once the client has paused the account, not after a fixed wait: on a
    // busy machine the 429 can take longer than any such wait to arrive.
    let pausedUntil = 0;
    let pauseSeen!: () => void;
    const paused = new Promise<void>((resolve) => (pauseSeen = resolve));
    const pause = gate.pause.bind(gate);
    gate.pause = async (key, untilMs) => {
      pausedUntil = untilMs;
      await pause(key, untilMs);
      pauseSeen();
    };
    const c = client({ gate });
    const started = Date.now();
    const a = c.getStore('s1');
    await paused;
    const b = c.getStore('s1');
    await Promise.all([a, b]);
    // The pause is the advised 300 ms, and both later calls (the retry and the other call) wait for it.
    expect(pausedUntil - started).toBeGreaterThanOrEqual(290);
    const later = seen.slice(1).map((s) => s.at);
    expect(later).toHaveLength(2);
    for (const at of later) expect(at).toBeGreaterThanOrEqual(pausedUntil - 2);
  });

  it('fails a 2xx it cannot read as REMOTE_REJECTED, not retried', async () => {
    handler = (_req, res) => json(res, 200, { nothing: true });
    await expect(client().getStore('s1')).rejects.toMatchObject({ code: 'REMOTE_REJECTED' });
    expect(seen).toHaveLength(1);
  });

  it('maps an unreachable host to REMOTE_UNAVAILABLE after retrying', async () => {
    const c = createMoyskladClient({
      baseUrl: 'http://127.0.0.1:1/api/remap/1.2',
      token: 't',
      accountId: 'a',
      retry: { baseDelayMs: 1 },
      maxRetries: 1,
    });
    await expect(c.getStore('s')).rejects.toMatchObject({ code: 'REMOTE_UNAVAILABLE' });
  });
});

function positionRow(i: number, expanded: boolean) {
  const href = `${API}/entity/product/p${i}`;
  return {
    id: `pos-${i}`,
    quantity: 1,
    price: 100,
    assortment: expanded
      ? { meta: { href, type: 'product' }, id: `p${i}`, name: `Товар ${i}`, article: `A${i}` }
      : { meta: { href, type: 'product' } },
  };
}

/** A catalogue of `catalogue` products p0…; `/entity/product` serves id-list filters and plain pages. */
function productList(url: URL, catalogue: number) {
  const limit = Number(url.searchParams.get('limit') ?? 1000);
  const offset = Number(url.searchParams.get('offset') ?? 0);
  const filter = url.searchParams.get('filter');
  const filtered = filter
    ?.split(';')
    .map((c) => c.replace(/^id=/, ''))
    .filter((id) => Number(id.slice(1)) < catalogue);
  const size = filtered ? filtered.length : catalogue;
  const ids = filtered
    ? filtered.slice(offset, offset + limit)
    : Array.from({ length: Math.max(0, Math.min(limit, catalogue - offset)) }, (_, k) => `p${offset + k}`);
  const rows = ids.map((id) => ({
    meta: { href: `${API}/entity/product/${id}`, type: 'product' },
    id,
    name: `Товар ${id.slice(1)}`,
    article: `A${id.slice(1)}`,
  }));
  return { meta: { href: 'x', size, limit, offset }, rows };
}

function documentServer(total: number, embedded: number, embeddedExpanded: boolean, catalogue = total): Handler {
  return (req, res) => {
    const url = new URL(req.url, 'http://x');
    if (url.pathname.endsWith('/entity/product')) {
      json(res, 200, productList(url, catalogue));
      return;
    }
    if (url.pathname.endsWith('/positions')) {
      const limit = Number(url.searchParams.get('limit'));
      const offset = Number(url.searchParams.get('offset'));
      const expanded = limit <= 100 && (url.searchParams.get('expand') ?? '').startsWith('assortment');
      const rows = Array.from({ length: Math.max(0, Math.min(limit, total - offset)) }, (_, k) => positionRow(offset + k, expanded));
      json(res, 200, { meta: { href: 'x', size: total, limit, offset }, rows });
      return;
    }
    json(res, 200, {
      meta: { href: `${API}/entity/supply/d1`, type: 'supply' },
      id: 'd1',
      name: '0001',
      positions: {
        meta: {
          href: `${API}/entity/supply/d1/positions`,
          type: 'supplyposition',
          size: total,
          limit: 1000,
          offset: 0,
        },
        rows: Array.from({ length: Math.min(embedded, total) }, (_, i) => positionRow(i, embeddedExpanded)),
      },
    });
  };
}

const paths = () => seen.map((s) => new URL(s.url, 'http://x'));

describe('getDocumentWithPositions', () => {
  it('reads a small document in one call', async () => {
    handler = documentServer(40, 1000, true);
    const r = await client().getDocumentWithPositions('supply', 'd1');
    expect(r.calls).toBe(1);
    expect(r.positions).toHaveLength(40);
    expect(new URL(seen[0].url, 'http://x').searchParams.get('expand')).toBe('state,positions.assortment.product');
  });

  it('only the first 100 came expanded: the rest of the goods by one id-list filter, 2 calls', async () => {
    handler = documentServer(250, 250, false);
    handler = ((inner) =>
      ((req, res) => {
        const url = new URL(req.url, 'http://x');
        if (url.pathname.endsWith('/d1')) {
          json(res, 200, {
            meta: { href: `${API}/entity/supply/d1`, type: 'supply' },
            id: 'd1',
            name: '0001',
            positions: {
              meta: {
                href: `${API}/entity/supply/d1/positions`,
                type: 'supplyposition',
                size: 250,
                limit: 1000,
                offset: 0,
              },
              rows: Array.from({ length: 250 }, (_, i) => positionRow(i, i < 100)),
            },
          });
          return;
        }
        inner(req, res);
      }) as Handler)(handler);
    const r = await client().getDocumentWithPositions('supply', 'd1');
    expect(r.positions.map((p) => p.id)).toEqual(Array.from({ length: 250 }, (_, i) => `pos-${i}`));
    expect(r.positions.map((p) => 'name' in p.assortment && p.assortment.name)).toEqual(
      Array.from({ length: 250 }, (_, i) => `Товар ${i}`),
    );
    expect(r.calls).toBe(2);
    const filter = paths()[1].searchParams.get('filter')!;
    expect(filter.split(';')).toEqual(Array.from({ length: 150 }, (_, i) => `id=p${100 + i}`));
  });

  it('positions beyond the embedded 1000 are read 1000 a page without expand', async () => {
    handler = documentServer(2500, 1000, true);
    const r = await client().getDocumentWithPositions('supply', 'd1');
    expect(r.positions.map((p) => p.id)).toEqual(Array.from({ length: 2500 }, (_, i) => `pos-${i}`));
    expect(r.positions.every((p) => 'name' in p.assortment)).toBe(true);
    const pages = paths().filter((u) => u.pathname.endsWith('/positions'));
    expect(pages.map((u) => [u.searchParams.get('limit'), u.searchParams.get('offset'), u.searchParams.get('expand')])).toEqual([
      ['1000', '1000', null],
      ['1000', '2000', null],
    ]);
    // 1500 goods to read: ~12 id-list calls, or the catalogue of 2500 in 3 pages (the first one a probe).
    expect(
      paths()
        .filter((u) => u.pathname.endsWith('/entity/product'))
        .every((u) => !u.searchParams.get('filter')),
    ).toBe(true);
    expect(r.calls).toBe(1 + 2 + 3);
  });

  it('a large catalogue: the probe page, then id lists for the goods it did not hold', async () => {
    handler = documentServer(4000, 1000, true, 1_000_000);
    const r = await client().getDocumentWithPositions('supply', 'd1');
    expect(r.positions.every((p) => 'name' in p.assortment)).toBe(true);
    const products = paths().filter((u) => u.pathname.endsWith('/entity/product'));
    expect(products[0].searchParams.get('filter')).toBeNull();
    // The probe held p0…p999 (all embedded expanded anyway), so the 3000 others go by id lists.
    expect(products.slice(1).every((u) => u.searchParams.get('filter')!.startsWith('id='))).toBe(true);
    expect(products.slice(1).every((u) => u.search.length < MS_MAX_ID_FILTER_CHARS + 100)).toBe(true);
    const idCalls = idFilterChunks(Array.from({ length: 3000 }, (_, i) => `p${1000 + i}`)).length;
    expect(idCalls).toBeGreaterThanOrEqual(3);
    expect(products).toHaveLength(1 + idCalls);
    expect(r.calls).toBe(1 + 3 + 1 + idCalls);
  });

  it('a good deleted in the meantime is a clear error, not a position silently dropped', async () => {
    handler = documentServer(1200, 1000, true, 1100);
    await expect(client().getDocumentWithPositions('supply', 'd1')).rejects.toMatchObject({
      code: 'DOCUMENT_INVALID',
      userMessage: expect.stringContaining('100 позиций'),
    });
  });
});

describe('findAssortmentByKey', () => {
  it('ORs values in one filter per type, splits long lists, matches exactly', async () => {
    handler = (req, res) => {
      const url = new URL(req.url, 'http://x');
      const type = url.pathname.split('/').pop();
      const values = (url.searchParams.get('filter') ?? '').split(/(?<!\\);/).map((c) => c.replace(/^article=/, '').replace(/\\;/g, ';'));
      const rows = values
        .filter((v) => v.startsWith(type === 'product' ? 'P' : 'V'))
        .map((v) => ({
          meta: { href: `${API}/entity/${type}/${v}`, type },
          id: v,
          name: v,
          article: v,
          buyPrice: { value: 500 },
        }));
      // MoySklad may also return a near match: it must be dropped.
      rows.push({
        meta: { href: `${API}/entity/${type}/zz`, type },
        id: 'zz',
        name: 'zz',
        article: 'p-0',
        buyPrice: { value: 1 },
      });
      json(res, 200, { meta: { href: 'x', size: rows.length, limit: 100, offset: 0 }, rows });
    };
    const values = [...Array.from({ length: 300 }, (_, i) => `P-${i}-${'x'.repeat(20)}`), 'V;1', 'V;1', ''];
    const matches = await client().findAssortmentByKey('article', values);
    expect(matches).toHaveLength(301);
    expect(matches.find((m) => m.value === 'V;1')).toMatchObject({ type: 'variant', buyPrice: 500 });
    const chunks = seen.length / 2;
    expect(chunks).toBeGreaterThan(1);
    for (const s of seen) expect(s.url.length).toBeLessThan(3500);
  });
});

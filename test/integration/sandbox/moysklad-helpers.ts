/**
 * Shared helpers of the MoySklad simulator tests: a gzip-speaking client, a tiny node:http receiver
 * playing the app (webhooks, scenario, lifecycle), and spec checks with the one known spec defect
 * (Assortment's `oneOf`) handled explicitly.
 */
import { createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { expectRequestConforms, expectResponseConforms, responseErrors } from '@/test/support/openapi';

export interface MsResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export interface MsRequest {
  method?: string;
  token?: string;
  body?: unknown;
  gzip?: boolean;
  headers?: Record<string, string | string[]>;
}

/** JSON API / Vendor API call as a well-behaved client would make it (gzip, bearer, JSON). */
export async function ms<T = any>(url: string, opts: MsRequest = {}): Promise<MsResponse<T>> {
  const headers = new Headers();
  if (opts.gzip !== false) headers.set('Accept-Encoding', 'gzip');
  if (opts.token) headers.set('Authorization', `Bearer ${opts.token}`);
  if (opts.body !== undefined) headers.set('Content-Type', 'application/json');
  for (const [k, v] of Object.entries(opts.headers ?? {})) {
    for (const one of Array.isArray(v) ? v : [v]) headers.append(k, one);
  }
  const res = await fetch(url, {
    method: opts.method ?? 'GET',
    headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

/** Raw request without automatic decompression, to see what is on the wire. */
export function rawGet(
  url: string,
  headers: Record<string, string | string[]>,
): Promise<{ status: number; headers: IncomingHttpHeaders; raw: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'GET', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, raw: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** POST with raw node:http so that a header given as an array goes out as repeated header lines. */
export function rawPost(url: string, headers: Record<string, string | string[]>, body: unknown): Promise<{ status: number; raw: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, raw: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

export function gunzipJson(raw: Buffer): unknown {
  return JSON.parse(gunzipSync(raw).toString('utf8'));
}

/**
 * Spec defect: `Assortment` (the type of every position's `assortment` and of assortment rows) is a
 * `oneOf` of Product/Service/Variant/Bundle/Consignment, all with only optional properties and open
 * objects, so any object matches several branches and `oneOf` can never pass. We drop exactly that
 * error and validate each assortment object against its own type's schema instead.
 */
function isAssortmentOneOf(e: { path: string; message: string }): boolean {
  return /oneOf/.test(e.message) && (/assortment$/.test(e.path) || /^(rows\/\d+|\d+|)$/.test(e.path) || /rows\/\d+$/.test(e.path));
}

function collectAssortments(body: unknown, out: Map<string, Record<string, any>> = new Map(), key = ''): Map<string, Record<string, any>> {
  if (Array.isArray(body)) body.forEach((b) => collectAssortments(b, out, key));
  else if (body && typeof body === 'object') {
    // One check per distinct assortment object (documents repeat the same goods many times).
    if (key === 'assortment') out.set(JSON.stringify(body), body as Record<string, any>);
    for (const [k, v] of Object.entries(body)) collectAssortments(v, out, k);
  }
  return out;
}

export function expectMs(op: string, status: number, body: unknown, opts: { assortmentRows?: boolean } = {}): void {
  const errors = responseErrors('moysklad', op, status, body).filter((e) => !isAssortmentOneOf(e));
  if (errors.length) {
    throw new Error(
      `moysklad ${op} ${status} does not match the spec:\n${errors.map((e) => `  ${e.path}: ${e.message}`).join('\n')}\n${JSON.stringify(body).slice(0, 2000)}`,
    );
  }
  const assortments = [...collectAssortments(body).values()];
  if (opts.assortmentRows) assortments.push(...((body as { rows: Array<Record<string, any>> }).rows ?? []));
  for (const a of assortments) {
    const type = a.meta?.type;
    if (['product', 'variant', 'service', 'bundle'].includes(type)) {
      // Expanded or not, each assortment must be a valid object of its own type.
      const { stock: _s, reserve: _r, inTransit: _i, quantity: _q, ...rest } = a;
      expectResponseConforms('moysklad', `GET /entity/${type}/{id}`, 200, rest);
    }
  }
}

/**
 * Request-body check. openapi-request-validator overflows its stack on MoySklad's recursive schemas
 * (Supply → Organization → … → Supply); when that happens the body is validated against the same
 * component through the response validator instead (`sameAs`: an operation whose 200 response has the
 * request's schema, applied to each item for array bodies).
 */
export function expectMsRequest(op: string, body: unknown, sameAs: string = op): void {
  // Spec defect: Supply/Move declare `positions` as the list object of responses (SupplyPositionList),
  // while MoySklad documents (and accepts) an array of positions in create/update bodies. Check the
  // document without them, then each position against the position schema.
  const docMatch = /^(POST|PUT) \/entity\/(supply|move)(\/\{id\})?$/.exec(op);
  if (docMatch && body && typeof body === 'object' && Array.isArray((body as { positions?: unknown }).positions)) {
    const { positions, ...doc } = body as { positions: unknown[] };
    expectMsRequest(op, doc, sameAs);
    for (const p of positions) expectMs(`POST /entity/${docMatch[2]}/{id}/positions`, 200, p);
    return;
  }
  try {
    expectRequestConforms('moysklad', op, body);
    return;
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
  }
  for (const item of Array.isArray(body) ? body : [body]) expectMs(sameAs, 200, item);
}

export interface Received {
  method: string;
  url: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: any;
  at: number;
}

export interface Receiver {
  url: string;
  requests: Received[];
  /** Reply function; default 200 {"status":"Activated"} for lifecycle PUTs and 200 {} otherwise. */
  reply: (
    r: Received,
  ) => { status: number; body?: unknown; delayMs?: number } | Promise<{ status: number; body?: unknown; delayMs?: number }>;
  close(): Promise<void>;
}

/** Lifecycle PUTs answer Activated, everything else 200 {}. */
export const defaultReply: Receiver['reply'] = (r) =>
  r.method === 'PUT' && /\/api\/moysklad\/vendor\/1\.0\/apps\/[^/]+\/[^/]+$/.test(r.path)
    ? { status: 200, body: { status: 'Activated' } }
    : { status: 200, body: {} };

export async function startReceiver(): Promise<Receiver> {
  const receiver: Receiver = {
    url: '',
    requests: [],
    reply: defaultReply,
    close: async () => undefined,
  };
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const u = new URL(req.url ?? '/', 'http://x');
    const rec: Received = {
      method: req.method ?? '',
      url: req.url ?? '',
      path: u.pathname,
      query: u.searchParams,
      headers: req.headers,
      body: text ? JSON.parse(text) : undefined,
      at: Date.now(),
    };
    receiver.requests.push(rec);
    let r: { status: number; body?: unknown; delayMs?: number };
    try {
      r = await receiver.reply(rec);
    } catch (e) {
      r = { status: 500, body: { error: String(e) } };
    }
    if (r.delayMs) await new Promise((ok) => setTimeout(ok, r.delayMs));
    if (res.destroyed) return;
    res.statusCode = r.status;
    if (r.body !== undefined) {
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify(r.body));
    } else res.end();
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  receiver.close = async () => {
    server.closeAllConnections();
    await new Promise<void>((ok) => server.close(() => ok()));
  };
  return receiver;
}

export const SOLUTION = {
  appId: '5f3c5489-6a17-48b7-9fe5-b2000eb807fe',
  appUid: 'betapro-bridge.testvendor',
  secretKey: 'test-secret-key-0123456789abcdef0123456789abcdef',
};

/**
 * Test helpers for the BetaPRO simulator suites: an FBox caller that checks every request body the test
 * sends and every response body the simulator returns against BetaPRO's own OpenAPI schemas.
 */
import { expectRequestConforms, expectResponseConforms } from '@/test/support/openapi';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { startBetaproSimulator, type BetaproSimulator } from '@/test/sandbox/betapro';

export interface FboxResponse {
  status: number;
  headers: Headers;

  body: any;
}

export interface CallOptions {
  params?: Record<string, string | number>;
  body?: unknown;
  /** Override the Authorization header; null sends none. */
  authorization?: string | null;
  /** false for bodies that are wrong on purpose. */
  checkRequest?: boolean;
  signal?: AbortSignal;
}

export const basic = (partnerId: string, password: string) => `Basic ${Buffer.from(`${partnerId}:${password}`).toString('base64')}`;

/**
 * `op` is the spec's operation name, e.g. "GET /outdocs/{outdoc_id}". A business error travels with HTTP
 * 200 and success:false, which the spec's 200 schema (success: true) cannot describe, so such bodies are
 * checked against the operation's `default` (Error) response instead.
 */
export function fboxClient(sim: BetaproSimulator, partnerId: string, password: string) {
  return async function call(op: string, options: CallOptions = {}): Promise<FboxResponse> {
    const [method, template] = op.split(' ');
    const path = template.replace(/\{(\w+)\}/g, (_, key: string) => encodeURIComponent(String(options.params?.[key])));
    if (options.body !== undefined && options.checkRequest !== false) expectRequestConforms('betapro', op, options.body);
    const headers: Record<string, string> = {};
    const auth = options.authorization === undefined ? basic(partnerId, password) : options.authorization;
    if (auth !== null) headers.authorization = auth;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${sim.apiUrl}${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
    const body = await res.json();
    const asStatus = res.status === 200 && body?.success === false ? 599 : res.status;
    expectResponseConforms('betapro', op, asStatus, body);
    return { status: res.status, headers: res.headers, body };
  };
}

/** Control API call: GET without a body, POST with one (pass {} for an empty POST). */

export async function control(sim: BetaproSimulator, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(
    `${sim.controlUrl}${path}`,
    body === undefined
      ? {}
      : {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        },
  );
  return { status: res.status, body: await res.json() };
}

/** A clock the test moves by hand, so created_at values and date filters are predictable. */
export function manualClock(startIso: string) {
  let at = new Date(startIso).getTime();
  return {
    now: () => new Date(at),
    reset() {
      at = new Date(startIso).getTime();
    },
    advance(seconds: number) {
      at += seconds * 1000;
    },
  };
}

/**
 * One simulator for the whole file on a manual clock, with the first partner's FBox client; before each
 * test the clock and the simulator start over (a file's own beforeEach runs after this one).
 */
export function simulatorSuite(
  clock: ReturnType<typeof manualClock>,
  partners: Array<{ partnerId: string; password: string }>,
  ready: (sim: BetaproSimulator, api: ReturnType<typeof fboxClient>) => void,
): void {
  let sim: BetaproSimulator | undefined;
  beforeAll(async () => {
    const started = await startBetaproSimulator({ now: clock.now, partners });
    sim = started;
    ready(started, fboxClient(started, partners[0].partnerId, partners[0].password));
  });
  afterAll(async () => {
    await sim?.close();
  });
  beforeEach(async () => {
    clock.reset();
    await control(sim!, '/reset', {});
  });
}

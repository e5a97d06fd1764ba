/**
 * Issue 18 (items 5, 7, 9, 11, 12): attacks on the real app on loopback, each now refused or contained.
 * - a chunked 400 MB body is refused while streaming: the app's memory stays flat;
 * - API answers are `no-store`; pages carry a script-src CSP with a per-response nonce;
 * - /api/session is rate-limited per client address and contextKey; «Проверить приёмку» once per 15 s;
 * - a scenario request id of another account is not mistaken for a retry of ours;
 * - the webhook secret never reaches the log and is rotated on reinstall (old URL dead, webhooks moved).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { api, createSupply, installAndConfigure, startSandbox, waitFor, type ConfiguredAccount } from '../../support/sandbox';
import { TEST_APP_ID } from '../../support/app-server';
import { vendorJwt } from '../../support/vendor-jwt';

type Sandbox = Awaited<ReturnType<typeof startSandbox>>;
let sandbox: Sandbox;
let account: ConfiguredAccount;

beforeAll(async () => {
  // The production limit of «Проверить приёмку» (the harness turns it off for suites that poll in loops).
  sandbox = await startSandbox({ appEnv: { RECEIPT_CHECK_MIN_INTERVAL_SEC: '15', LOG_LEVEL: 'info' } });
  account = await installAndConfigure(sandbox, 'hardening-shop');
}, 120_000);
afterAll(async () => {
  await sandbox?.stop();
});

/** Resident memory of the app process (kB), from /proc. */
function rssKb(): number {
  const status = readFileSync(`/proc/${sandbox.app.process.pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]);
}

/** A body of `totalBytes` streamed in 64 kB chunks without Content-Length (chunked encoding). */
function chunkedBody(totalBytes: number, onChunk?: () => void): ReadableStream<Uint8Array> {
  const chunk = new Uint8Array(64 * 1024).fill(0x20);
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= totalBytes) return controller.close();
      sent += chunk.byteLength;
      onChunk?.();
      controller.enqueue(chunk);
    },
  });
}

async function postStream(path: string, totalBytes: number): Promise<{ status: number; streamedBytes: number; ms: number }> {
  let streamedBytes = 0;
  const started = Date.now();
  let status = 0;
  try {
    const res = await fetch(`${sandbox.app.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: chunkedBody(totalBytes, () => void (streamedBytes += 64 * 1024)),
      duplex: 'half',
      signal: AbortSignal.timeout(60_000),
    } as RequestInit);
    status = res.status;
    await res.text();
  } catch (error) {
    // The server may close the connection while we are still sending: that is the refusal too.
    status = -1;
    void error;
  }
  return { status, streamedBytes, ms: Date.now() - started };
}

describe('request bodies are limited while streaming (item 5)', () => {
  it('a chunked 400 MB body to /api/session is refused early and memory stays flat', async () => {
    const before = rssKb();
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, rssKb());
    }, 20);
    const result = await postStream('/api/session', 400 * 1024 * 1024);
    clearInterval(sampler);
    expect([413, -1]).toContain(result.status);
    // Refused after the first few hundred kB, not after reading 400 MB.
    expect(result.streamedBytes).toBeLessThan(64 * 1024 * 1024);
    expect(peak - before).toBeLessThan(60 * 1024);
    // The app still serves.
    expect((await api(sandbox.app.url, '/api/health')).status).toBe(200);
  }, 90_000);

  it('the same on the webhook intake, the vendor endpoints and a route that reads no body', async () => {
    const hook = sandbox.moysklad.sim.accountSummary(account.accountId).webhooks[0] as { url: string };
    const before = rssKb();
    for (const path of [
      new URL(hook.url).pathname,
      `/api/moysklad/vendor/1.0/apps/${TEST_APP_ID}/${account.accountId}/scenario`,
      '/api/settings/reinstall-webhooks',
    ]) {
      const result = await postStream(path, 200 * 1024 * 1024);
      expect(result.status === -1 || (result.status >= 400 && result.status < 500), path).toBe(true);
      expect(result.streamedBytes, path).toBeLessThan(64 * 1024 * 1024);
    }
    expect(rssKb() - before).toBeLessThan(60 * 1024);
  }, 120_000);
});

describe('headers (item 9)', () => {
  it('every API answer is no-store: success, error, unknown route', async () => {
    for (const [path, init] of [
      ['/api/health', {}],
      ['/api/settings', { headers: { authorization: `Bearer ${account.adminSession}` } }],
      ['/api/settings', {}],
      ['/api/no-such-route', {}],
      ['/api/session', { method: 'POST', body: '{' }],
    ] as Array<[string, RequestInit]>) {
      const res = await fetch(`${sandbox.app.url}${path}`, init);
      await res.text();
      expect(res.headers.get('cache-control') ?? '', path).toMatch(/(^|,\s*)no-store(,|$)/);
    }
  });

  it("pages carry a CSP that allows scripts only from self or with this response's nonce, on every inline script", async () => {
    for (const path of ['/', '/settings?contextKey=x', '/widget/supply?contextKey=x']) {
      const res = await fetch(`${sandbox.app.url}${path}`);
      const html = await res.text();
      const csp = res.headers.get('content-security-policy') ?? '';
      const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
      expect(nonce, path).toBeTruthy();
      expect(csp).toMatch(/script-src 'self' 'nonce-[^']+' 'strict-dynamic'/);
      expect(csp).toMatch(/frame-ancestors 'self' /);
      expect(csp).toContain("object-src 'none'");
      expect(csp).toContain("base-uri 'none'");
      const scripts = [...html.matchAll(/<script\b([^>]*)>/g)].map((m) => m[1]);
      expect(scripts.length, path).toBeGreaterThan(0);
      for (const attrs of scripts) expect(attrs, `${path}: ${attrs}`).toContain(`nonce="${nonce}"`);
      // A new nonce per response.
      const again = (await fetch(`${sandbox.app.url}${path}`)).headers.get('content-security-policy');
      expect(again).not.toBe(csp);
    }
  });
});

describe('rate limits (item 11)', () => {
  it('«Проверить приёмку» runs at most once per 15 s per account', async () => {
    const product = account.seed.products.find((p) => p.article)!;
    const id = createSupply(sandbox, account, { positions: [{ productId: product.id, quantity: 1 }] });
    await api(sandbox.app.url, `/api/widget/documents/supply/${id}/actions`, {
      token: account.adminSession,
      body: { action: 'send' },
    });
    const check = () =>
      api<{ error?: { code: string; message: string } }>(sandbox.app.url, `/api/widget/documents/supply/${id}/actions`, {
        token: account.adminSession,
        body: { action: 'check' },
      });
    const first = await check();
    // Sending may still be under way: "check" is available in sent/error; wait for it if needed.
    if (first.status === 409) {
      await new Promise((r) => setTimeout(r, 3000));
      expect((await check()).status).toBe(202);
    } else {
      expect(first.status).toBe(202);
    }
    const second = await check();
    expect(second.status).toBe(429);
    expect(second.body.error?.message).toMatch(/Повторите через \d+ с/);
  }, 60_000);

  it('/api/session: at most 3 exchanges per contextKey and 60 per client address a minute', async () => {
    const key = `guess-${randomUUID()}`;
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await api(sandbox.app.url, '/api/session', { body: { contextKey: key } })).status);
    expect(statuses.slice(0, 3).every((s) => s !== 429)).toBe(true);
    expect(statuses[3]).toBe(429);
    // Another address (as the proxy reports it) is not affected by this one's flood.
    const from = (address: string, contextKey: string) =>
      fetch(`${sandbox.app.url}/api/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
        body: JSON.stringify({ contextKey }),
      });
    const flood: number[] = [];
    for (let i = 0; i < 62; i++) flood.push((await from('198.51.100.7', `k-${i}-${randomUUID()}`)).status);
    expect(flood.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect(flood.slice(0, 60).every((s) => s !== 429)).toBe(true);
    const other = await from('198.51.100.8', sandbox.moysklad.contextKey(account.accountId, 'admin'));
    expect(other.status).toBe(200);
    const limited = await from('198.51.100.7', sandbox.moysklad.contextKey(account.accountId, 'admin'));
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  }, 60_000);
});

describe('vendor calls (item 12)', () => {
  it('a vendor JWT living over 10 minutes is refused; a scenario request id is de-duplicated per account only', async () => {
    const now = Math.floor(Date.now() / 1000);
    const status = (accountId: string, token: string) =>
      fetch(`${sandbox.app.url}/api/moysklad/vendor/1.0/apps/${TEST_APP_ID}/${accountId}`, {
        headers: { authorization: `Bearer ${token}` },
      }).then((r) => r.status);
    expect(await status(account.accountId, await vendorJwt({ iat: now, exp: now + 3600 }))).toBe(401);
    expect(await status(account.accountId, await vendorJwt({ iat: now, exp: now + 600 }))).toBe(200);

    const other = await installAndConfigure(sandbox, 'hardening-other');
    const product = (acc: ConfiguredAccount) => acc.seed.products.find((p) => p.article)!.id;
    const docA = createSupply(sandbox, account, { positions: [{ productId: product(account), quantity: 2 }] });
    const docB = createSupply(sandbox, other, { positions: [{ productId: product(other), quantity: 2 }] });
    const requestId = randomUUID();
    const scenario = async (acc: ConfiguredAccount, objectId: string) => {
      const res = await fetch(`${sandbox.app.url}/api/moysklad/vendor/1.0/apps/${TEST_APP_ID}/${acc.accountId}/scenario`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${await vendorJwt()}`,
          'content-type': 'application/json',
          'x-lognex-requestid': requestId,
        },
        body: JSON.stringify({ actionName: 'Передать в БетаПРО', objectType: 'supply', objectId }),
      });
      return { status: res.status, body: (await res.json()) as { status?: string } };
    };
    expect((await scenario(account, docA)).status).toBe(200);
    // Account B's call carries the same request id: it is its own call, and its document is queued.
    const fromB = await scenario(other, docB);
    expect(fromB.status).toBe(200);
    const viewB = await api<{ state: string; events: Array<{ kind: string }> }>(sandbox.app.url, `/api/widget/documents/supply/${docB}`, {
      token: other.adminSession,
    });
    expect(viewB.body.state).not.toBe('not_sent');
    expect(viewB.body.events.some((e) => e.kind === 'requested')).toBe(true);
  }, 90_000);
});

describe('webhook secret (item 7)', () => {
  it('never reaches the log, and a reinstall rotates it: the old URL is dead, the webhooks moved', async () => {
    const ms = sandbox.moysklad;
    const own = await installAndConfigure(sandbox, 'hardening-hooks');
    const urlsOf = () => (ms.sim.accountSummary(own.accountId).webhooks as Array<{ url: string }>).map((w) => w.url);
    const before = urlsOf();
    // CREATE and UPDATE for supplies, moves and purchase returns.
    expect(before.length).toBe(6);
    const oldUrl = before[0];
    const oldSecret = oldUrl.split('/').pop()!;
    // A refused delivery (malformed body) is logged with its path: the secret must not be in it.
    const refused = await fetch(oldUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"events": 5}',
    });
    expect(refused.status).toBe(400);
    expect((await ms.lifecycle(own.accountId, 'uninstall')).httpStatus).toBe(200);
    expect((await ms.install(own.accountId)).httpStatus).toBe(200);
    const after = urlsOf();
    expect(after.length).toBe(6);
    expect(new Set(after).size).toBe(1);
    expect(after[0]).not.toBe(oldUrl);
    const delivery = JSON.stringify({ events: [] });
    expect((await fetch(oldUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: delivery })).status).toBe(404);
    expect(
      (await fetch(after[0], { method: 'POST', headers: { 'content-type': 'application/json' }, body: delivery })).status,
    ).toBeLessThan(300);
    await new Promise((r) => setTimeout(r, 300));
    const logs = sandbox.app.logs();
    expect(logs).toContain('/api/moysklad/webhooks/[secret]');
    expect(logs).not.toContain(oldSecret);
    expect(logs).not.toContain(after[0].split('/').pop()!);
  }, 120_000);
});

describe('webhook actor (item 10)', () => {
  it("the timeline names the user from MoySklad's audit, not the one a forged delivery claims", async () => {
    const ms = sandbox.moysklad;
    const own = await installAndConfigure(sandbox, 'hardening-actor');
    const summary = ms.sim.accountSummary(own.accountId);
    const clerk = summary.employees.find((e) => e.kind === 'clerk')!;
    const hookUrl = (summary.webhooks[0] as { url: string }).url;
    ms.setConfig({ webhooksEnabled: false } as never);
    const id = createSupply(sandbox, own, {
      positions: [{ productId: own.seed.products.find((p) => p.article)!.id, quantity: 1 }],
    });
    ms.userUpdate(own.accountId, 'supply', id, { state: ms.stateMeta('supply', own.seed.states.supply['Передать']) }, 'clerk');
    ms.setConfig({ webhooksEnabled: true } as never);
    const forged = {
      auditContext: {
        meta: { type: 'audit', href: `${ms.apiUrl}/audit/${randomUUID()}` },
        uid: 'director@forged',
        moment: '2026-11-30 12:00:00',
      },
      events: [
        {
          meta: { type: 'supply', href: `${ms.apiUrl}/entity/supply/${id}` },
          action: 'UPDATE',
          accountId: own.accountId,
          updatedFields: ['state'],
        },
      ],
    };
    const res = await fetch(`${hookUrl}?requestId=${randomUUID()}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(forged),
    });
    expect(res.status).toBe(204);
    type Events = {
      events: Array<{ kind: string; actor: string | null; trigger: string | null; message: string }>;
      lastActor: string | null;
    };
    const viewOf = async () => (await api<Events>(sandbox.app.url, `/api/widget/documents/supply/${id}`, { token: own.adminSession })).body;
    // Recorded at once with the claimed name marked as the webhook's word, then confirmed from the audit.
    // The audit names the clerk by login; the timeline shows the clerk's short name (one name per user).
    const [lastName, firstName] = clerk.name.split(' ');
    const clerkName = `${lastName} ${firstName[0]}.`;
    const confirmed = await waitFor('actor confirmed from the audit', async () => {
      const view = await viewOf();
      const requested = view.events?.find((e) => e.kind === 'requested');
      if (requested && requested.actor !== clerkName) expect(requested.actor).toBe('director@forged (по данным вебхука)');
      return requested?.actor === clerkName ? view : undefined;
    });
    const requested = confirmed.events.find((e) => e.kind === 'requested')!;
    expect(requested.trigger).toBe('webhook');
    expect(requested.message).toContain(clerkName);
    expect(confirmed.lastActor).toBe(clerkName);
    expect(JSON.stringify(confirmed)).not.toContain('director@forged');
  }, 90_000);
});

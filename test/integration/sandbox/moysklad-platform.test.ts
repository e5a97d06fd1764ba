/**
 * MoySklad simulator, platform side: solution lifecycle calls to the app (with JWTs), Vendor API
 * (context exchange, status), webhook delivery (async, retries, requestId, DisableByPrefix),
 * scenario calls, user edits from the UI path, and persistence of the state file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startMoyskladSimulator, type MoyskladSimulator, type SeedResult } from '@/test/sandbox/moysklad';
import { defaultReply, expectMs, ms, rawGet, rawPost, SOLUTION, startReceiver, type Received, type Receiver } from './moysklad-helpers';

let sim: MoyskladSimulator;
let app: Receiver;
const secret = new TextEncoder().encode(SOLUTION.secretKey);

async function vendorJwt(claims: { sub?: string; iat?: number; exp?: number; jti?: string | null } = {}, key = secret): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(claims.sub ?? SOLUTION.appUid)
    .setIssuedAt(claims.iat ?? now);
  if (claims.exp !== undefined) jwt.setExpirationTime(claims.exp);
  if (claims.jti !== null) jwt.setJti(claims.jti ?? randomBytes(16).toString('hex'));
  return jwt.sign(key);
}

async function expectMoyskladJwt(r: Received): Promise<void> {
  const auth = String(r.headers.authorization ?? '');
  expect(auth).toMatch(/^Bearer /);
  const { payload, protectedHeader } = await jwtVerify(auth.slice(7), secret, { algorithms: ['HS256'] });
  expect(protectedHeader.alg).toBe('HS256');
  expect(typeof payload.iat).toBe('number');
  expect(typeof payload.exp).toBe('number');
  expect(typeof payload.jti).toBe('string');
  expect(r.headers['x_lognex_requestid']).toMatch(/^[0-9a-f-]{36}$/);
}

const appPath = (accountId: string) => `/api/moysklad/vendor/1.0/apps/${SOLUTION.appId}/${accountId}`;

beforeAll(async () => {
  app = await startReceiver();
  sim = await startMoyskladSimulator({
    port: 0,
    solution: { ...SOLUTION, appBaseUrl: app.url },
    config: { scenarioRetry: { retries: 3, delayMs: 20 } },
  });
});

afterAll(async () => {
  await sim?.close();
  await app?.close();
});

beforeEach(() => {
  app.requests.length = 0;
  app.reply = defaultReply;
});
afterEach(() => {
  app.reply = defaultReply;
});

describe('lifecycle', () => {
  it('install: token issued before the call, PUT with access/subscription, JWT and request id; answer becomes the status', async () => {
    const created = await (
      await fetch(`${sim.controlUrl}/accounts`, { method: 'POST', body: JSON.stringify({ accountName: 'lifecycle' }) })
    ).json();
    const accountId = created.accountId as string;
    let tokenWorkedDuringCall = false;
    app.reply = async (r) => {
      if (r.method === 'PUT' && r.body.access) {
        const t = r.body.access[0].access_token;
        tokenWorkedDuringCall = (await ms(`${sim.apiUrl}/entity/supply`, { token: t })).status === 200;
        return { status: 200, body: { status: 'SettingsRequired' } };
      }
      return defaultReply(r);
    };
    const res = await (await fetch(`${sim.controlUrl}/accounts/${accountId}/install`, { method: 'POST' })).json();
    expect(res).toMatchObject({ appStatus: 'SettingsRequired', httpStatus: 200, body: { status: 'SettingsRequired' } });
    expect(tokenWorkedDuringCall).toBe(true);
    const call = app.requests.find((r) => r.method === 'PUT')!;
    expect(call.path).toBe(appPath(accountId));
    await expectMoyskladJwt(call);
    expect(call.body).toMatchObject({
      appUid: SOLUTION.appUid,
      accountName: 'lifecycle',
      cause: 'Install',
      access: [{ resource: sim.apiUrl, scope: ['admin'], access_token: expect.stringMatching(/^[0-9a-f]{40}$/) }],
      subscription: { tariffId: expect.any(String), trial: true, notForResale: false, partner: false },
    });
    const summary = await (await fetch(`${sim.controlUrl}/accounts/${accountId}`)).json();
    expect(summary.installation.status).toBe('SettingsRequired');
    expect(summary.token).toBe(call.body.access[0].access_token);

    // The app reports Activated after its settings are saved.
    const status = `${sim.vendorApiUrl}/apps/${SOLUTION.appId}/${accountId}/status`;
    const before = await ms(status, { token: await vendorJwt() });
    expect(before.body).toMatchObject({ status: 'SettingsRequired', subscription: { trial: true } });
    const put = await ms(status, { method: 'PUT', token: await vendorJwt(), body: { status: 'Activated' } });
    expect(put.status).toBe(200);
    expect((await ms(status, { token: await vendorJwt() })).body.status).toBe('Activated');
    expect((await ms(status, { method: 'PUT', token: await vendorJwt(), body: { status: 'Activated' } })).status).toBe(200);
    const back = await ms(status, { method: 'PUT', token: await vendorJwt(), body: { status: 'SettingsRequired' } });
    expect(back.status).toBe(409);
    expect(back.body.errors[0].error).toBeTruthy();

    // Tariff change: same PUT, no access.
    app.requests.length = 0;
    const tariff = await sim.lifecycle(accountId, 'tariff');
    expect(tariff.appStatus).toBe('Activated');
    const tcall = app.requests[0];
    expect(tcall.body.cause).toBe('TariffChanged');
    expect(tcall.body.access).toBeUndefined();
    expect(tcall.body.subscription.tariffName).toBe('Профессиональный');
  });

  it('suspend revokes the token and disables webhooks; resume issues a new token; uninstall deletes webhooks', async () => {
    const { accountId, token } = await sim.installedAccount('suspendme');
    const wh = await ms(`${sim.apiUrl}/entity/webhook`, {
      method: 'POST',
      token,
      body: { url: `${app.url}/hooks/x`, action: 'CREATE', entityType: 'supply' },
    });
    expect(wh.status).toBe(200);
    app.requests.length = 0;
    const s = await sim.lifecycle(accountId, 'suspend');
    expect(s).toMatchObject({ appStatus: 'Suspended', httpStatus: 200 });
    expect(app.requests[0]).toMatchObject({
      method: 'DELETE',
      path: appPath(accountId),
      body: { appUid: SOLUTION.appUid, accountName: 'suspendme', cause: 'Suspend' },
    });
    await expectMoyskladJwt(app.requests[0]);
    expect((await ms(`${sim.apiUrl}/entity/supply`, { token })).status).toBe(401);
    expect(sim.sim.accountSummary(accountId).webhooks[0].enabled).toBe(false);

    app.requests.length = 0;
    const r = await sim.lifecycle(accountId, 'resume');
    expect(r.appStatus).toBe('Activated');
    expect(app.requests[0].body).toMatchObject({ cause: 'Resume', access: [{ access_token: expect.any(String) }] });
    const newToken = sim.token(accountId);
    expect(newToken).not.toBe(token);
    const hooks = await ms(`${sim.apiUrl}/entity/webhook`, { token: newToken });
    expect(hooks.body.rows[0].enabled).toBe(true);

    app.requests.length = 0;
    const u = await sim.lifecycle(accountId, 'uninstall');
    expect(u.appStatus).toBe('Uninstalled');
    expect(app.requests[0]).toMatchObject({ method: 'DELETE', body: { cause: 'Uninstall' } });
    expect((await ms(`${sim.apiUrl}/entity/supply`, { token: newToken })).status).toBe(401);
    expect(sim.sim.accountSummary(accountId).webhooks).toHaveLength(0);
    const st = await ms(`${sim.vendorApiUrl}/apps/${SOLUTION.appId}/${accountId}/status`, { token: await vendorJwt() });
    expect(st.status).toBe(404);
    expect(st.body.errors[0].code).toBe(2004);
    // Control API refuses impossible transitions.
    const again = await fetch(`${sim.controlUrl}/accounts/${accountId}/resume`, { method: 'POST' });
    expect(again.status).toBe(409);
  });

  it('a 4xx answer to activation means ActivationFailed and no token', async () => {
    const { accountId } = sim.createAccount('refused');
    app.reply = () => ({ status: 400, body: { error: 'no' } });
    const r = await sim.install(accountId);
    expect(r).toMatchObject({ appStatus: 'ActivationFailed', httpStatus: 400 });
    expect(sim.sim.accountSummary(accountId).token).toBeNull();
  });
});

describe('vendor API', () => {
  let accountId: string;
  beforeAll(async () => {
    ({ accountId } = await sim.installedAccount('vendor'));
  });

  it('requires gzip (415) and a valid single-use JWT (sub = appUid, iat, jti, ≤ 300 s)', async () => {
    const url = `${sim.vendorApiUrl}/apps/${SOLUTION.appId}/${accountId}/status`;
    const plain = await rawGet(url, { Authorization: `Bearer ${await vendorJwt()}` });
    expect(plain.status).toBe(415);
    expect(plain.raw.length).toBe(0);
    expect((await ms(url)).status).toBe(401);
    const bad = [
      await vendorJwt({}, new TextEncoder().encode('wrong-secret-wrong-secret-wrong!!')),
      await vendorJwt({ sub: 'someone.else' }),
      await vendorJwt({ jti: null }),
      await vendorJwt({ iat: Math.floor(Date.now() / 1000) - 400 }),
      await vendorJwt({ exp: Math.floor(Date.now() / 1000) - 100, iat: Math.floor(Date.now() / 1000) - 200 }),
    ];
    for (const t of bad) {
      const r = await ms(url, { token: t });
      expect(r.status).toBe(401);
      expect(r.body.errors[0].code).toBe(1056);
      expect(r.headers.get('x-lognex-auth-message')).toBeTruthy();
    }
    const once = await vendorJwt();
    expect((await ms(url, { token: once })).status).toBe(200);
    expect((await ms(url, { token: once })).status).toBe(401);
  });

  it('exchanges a context key for the employee (admin, clerk, clerk without supply rights); keys expire', async () => {
    const ctx = async (employee: string) => {
      const { contextKey } = await (
        await fetch(`${sim.controlUrl}/context`, { method: 'POST', body: JSON.stringify({ accountId, employee }) })
      ).json();
      return ms(`${sim.vendorApiUrl}/context/${contextKey}`, { method: 'POST', token: await vendorJwt() });
    };
    const admin = await ctx('admin');
    expect(admin.status).toBe(200);
    expect(admin.body).toMatchObject({
      accountId,
      uid: 'admin@vendor',
      meta: { type: 'employee' },
      permissions: { admin: { view: 'ALL' }, supply: { view: 'ALL', create: 'ALL', update: 'ALL', delete: 'ALL' } },
    });
    for (const f of ['id', 'email', 'name', 'fullName', 'shortFio']) expect(admin.body[f], f).toBeTruthy();
    const clerk = await ctx('clerk');
    expect(clerk.body.permissions.admin).toBeUndefined();
    expect(clerk.body.permissions.supply.update).toBe('ALL');
    expect(clerk.body.permissions.move.update).toBe('ALL');
    const viewer = await ctx('clerk-nosupply');
    expect(viewer.body.permissions.supply).toBeUndefined();
    expect(viewer.body.permissions.move.view).toBe('ALL');

    const unknown = await ms(`${sim.vendorApiUrl}/context/nope`, { method: 'POST', token: await vendorJwt() });
    expect(unknown.status).toBe(404);
    sim.setConfig({ contextKeyTtlMs: 30 });
    try {
      const key = sim.contextKey(accountId, 'clerk');
      await new Promise((r) => setTimeout(r, 60));
      const expired = await ms(`${sim.vendorApiUrl}/context/${key}`, { method: 'POST', token: await vendorJwt() });
      expect(expired.status).toBe(404);
    } finally {
      sim.setConfig({ contextKeyTtlMs: 300_000 });
    }
  });
});

describe('webhooks', () => {
  let accountId: string;
  let token: string;
  let seed: SeedResult;
  let hooks: string;
  const supply = (extra: Record<string, unknown> = {}) => ({
    organization: sim.meta('organization', seed.organizationId),
    agent: sim.meta('counterparty', seed.counterpartyId),
    store: sim.meta('store', seed.stores.betapro),
    ...extra,
  });

  beforeAll(async () => {
    ({ accountId, token } = await sim.installedAccount('hooks'));
    seed = sim.seed(accountId);
    hooks = `${app.url}/ms/hooks/secret1`;
    for (const [action, diffType] of [['CREATE'], ['UPDATE', 'FIELDS'], ['DELETE']] as const) {
      const r = await ms(`${sim.apiUrl}/entity/webhook`, {
        method: 'POST',
        token,
        body: { url: hooks, action, entityType: 'supply', ...(diffType ? { diffType } : {}) },
      });
      expect(r.status).toBe(200);
    }
  });

  const hookCalls = () => app.requests.filter((r) => r.path === '/ms/hooks/secret1');

  it('fires CREATE/UPDATE(FIELDS)/DELETE with the documented payload, asynchronously', async () => {
    app.reply = () => ({ status: 200, delayMs: 700 });
    const t0 = Date.now();
    const created = await ms(`${sim.apiUrl}/entity/supply`, { method: 'POST', token, body: supply() });
    expect(Date.now() - t0).toBeLessThan(500);
    await sim.idle();
    const [c] = hookCalls();
    expect(c.query.get('requestId')).toMatch(/^[0-9a-f-]{36}$/);
    expect(c.headers['user-agent']).toContain('MoySklad webhook');
    expect(c.body).toEqual({
      auditContext: {
        meta: { type: 'audit', href: expect.stringContaining(`${sim.apiUrl}/audit/`) },
        moment: expect.stringMatching(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/),
        uid: `${SOLUTION.appUid}@hooks`,
      },
      events: [
        {
          meta: { type: 'supply', href: `${sim.apiUrl}/entity/supply/${created.body.id}` },
          action: 'CREATE',
          accountId,
        },
      ],
    });
    // The audit context link leads to the change.
    const ev = await ms(`${c.body.auditContext.meta.href}/events`, { token });
    expect(ev.body.rows[0]).toMatchObject({
      eventType: 'create',
      entity: { meta: { href: `${sim.apiUrl}/entity/supply/${created.body.id}` } },
    });

    app.requests.length = 0;
    app.reply = () => ({ status: 204 });
    await ms(`${sim.apiUrl}/entity/supply/${created.body.id}`, {
      method: 'PUT',
      token,
      body: {
        state: sim.stateMeta('supply', seed.states.supply['Передать']),
        positions: [{ quantity: 1, assortment: sim.meta('product', seed.products[0].id) }],
      },
    });
    await sim.idle();
    const [u] = hookCalls();
    expect(u.body.events[0].action).toBe('UPDATE');
    expect(u.body.events[0].updatedFields).toEqual(expect.arrayContaining(['state', 'positions']));
    // A write that changes nothing is not an update.
    app.requests.length = 0;
    await ms(`${sim.apiUrl}/entity/supply/${created.body.id}`, {
      method: 'PUT',
      token,
      body: { state: sim.stateMeta('supply', seed.states.supply['Передать']) },
    });
    await sim.idle();
    expect(hookCalls()).toHaveLength(0);

    await ms(`${sim.apiUrl}/entity/supply/${created.body.id}`, { method: 'DELETE', token });
    await sim.idle();
    expect(hookCalls()[0].body.events[0]).toMatchObject({ action: 'DELETE' });
    expect(hookCalls()[0].body.events[0].updatedFields).toBeUndefined();
    const log = await (await fetch(`${sim.controlUrl}/webhook-deliveries?accountId=${accountId}&kind=webhook`)).json();
    expect(log.length).toBeGreaterThanOrEqual(3);
    expect(log.every((d: { outcome: string }) => d.outcome === 'delivered')).toBe(true);
  });

  it('retries a failing receiver immediately with the same requestId: fail ×2 then OK = 3 calls', async () => {
    let n = 0;
    app.reply = () => (++n <= 2 ? { status: 500 } : { status: 200 });
    await ms(`${sim.apiUrl}/entity/supply`, { method: 'POST', token, body: supply() });
    await sim.idle();
    const calls = hookCalls();
    expect(calls).toHaveLength(3);
    expect(new Set(calls.map((c) => c.query.get('requestId'))).size).toBe(1);
    const d = sim.deliveries({ accountId, kind: 'webhook' }).at(-1)!;
    expect(d.outcome).toBe('delivered');
    expect(d.attempts.map((a) => a.status)).toEqual([500, 500, 200]);
  });

  it('drops the notification after 4 failed attempts (1 + 3 retries); slow answers (> 1500 ms) count as failures', async () => {
    app.reply = () => ({ status: 503 });
    await ms(`${sim.apiUrl}/entity/supply`, { method: 'POST', token, body: supply() });
    await sim.idle();
    expect(hookCalls()).toHaveLength(4);
    expect(sim.deliveries({ accountId, kind: 'webhook' }).at(-1)!.outcome).toBe('dropped');

    app.requests.length = 0;
    sim.setConfig({ webhookTimeoutMs: 100 });
    try {
      let n = 0;
      app.reply = () => (++n === 1 ? { status: 200, delayMs: 300 } : { status: 200 });
      await ms(`${sim.apiUrl}/entity/supply`, { method: 'POST', token, body: supply() });
      await sim.idle();
      const d = sim.deliveries({ accountId, kind: 'webhook' }).at(-1)!;
      expect(d.attempts[0].error).toMatch(/timeout/);
      expect(d.outcome).toBe('delivered');
      expect(d.attempts).toHaveLength(2);
    } finally {
      sim.setConfig({ webhookTimeoutMs: 1500 });
    }
  });

  it('X-Lognex-WebHook-DisableByPrefix suppresses matching webhooks (header may repeat)', async () => {
    await ms(`${sim.apiUrl}/entity/supply`, {
      method: 'POST',
      token,
      body: supply(),
      headers: { 'X-Lognex-WebHook-DisableByPrefix': app.url },
    });
    await sim.idle();
    expect(hookCalls()).toHaveLength(0);
    // Repeated header lines (fetch would join them with ", ", which MoySklad does not split).
    const repeated = await rawPost(
      `${sim.apiUrl}/entity/supply`,
      {
        'Accept-Encoding': 'gzip',
        Authorization: `Bearer ${token}`,
        'X-Lognex-WebHook-DisableByPrefix': ['https://other.example', `${app.url}/ms/`],
      },
      supply(),
    );
    expect(repeated.status).toBe(200);
    await sim.idle();
    expect(hookCalls()).toHaveLength(0);
    await ms(`${sim.apiUrl}/entity/supply`, {
      method: 'POST',
      token,
      body: supply(),
      headers: { 'X-Lognex-WebHook-DisableByPrefix': `https://other.example, ${app.url}` },
    });
    await sim.idle();
    expect(hookCalls()).toHaveLength(1);
    app.requests.length = 0;
    await ms(`${sim.apiUrl}/entity/supply`, {
      method: 'POST',
      token,
      body: supply(),
      headers: { 'X-Lognex-WebHook-DisableByPrefix': 'https://other.example' },
    });
    await sim.idle();
    expect(hookCalls()).toHaveLength(1);
  });

  it('user edits from the UI fire webhooks with the employee uid; no rights → 403', async () => {
    const id = seed.supplies[0];
    const r = await fetch(`${sim.controlUrl}/accounts/${accountId}/supply/${id}?employee=clerk`, {
      method: 'PUT',
      body: JSON.stringify({ description: 'правка кладовщика' }),
    });
    expect(r.status).toBe(200);
    await sim.idle();
    const [u] = hookCalls();
    expect(u.body.auditContext.uid).toBe('clerk@hooks');
    expect(u.body.events[0].updatedFields).toEqual(['description']);
    const audit = await ms(`${sim.apiUrl}/entity/supply/${id}/audit`, { token });
    expect(audit.body.rows[0]).toMatchObject({
      source: 'app',
      uid: 'clerk@hooks',
      diff: { description: { newValue: 'правка кладовщика' } },
    });
    const denied = await fetch(`${sim.controlUrl}/accounts/${accountId}/supply/${id}?employee=clerk-nosupply`, {
      method: 'PUT',
      body: JSON.stringify({ description: 'x' }),
    });
    expect(denied.status).toBe(403);
  });
});

describe('scenarios', () => {
  it('calls the app when a document enters the configured state, with JWT and request id, retrying non-2xx', async () => {
    const { accountId, token } = await sim.installedAccount('scenarios');
    const seed = sim.seed(accountId);
    const cfg = await fetch(`${sim.controlUrl}/accounts/${accountId}/scenarios`, {
      method: 'POST',
      body: JSON.stringify({ entityType: 'supply', stateName: 'Передать', actionName: 'transfer-to-betapro' }),
    });
    expect(cfg.status).toBe(200);
    let n = 0;
    app.reply = (r) => (r.path.endsWith('/scenario') && ++n === 1 ? { status: 500 } : { status: 200, body: {} });
    const id = seed.supplies[0];
    sim.userUpdate(accountId, 'supply', id, { state: sim.stateMeta('supply', seed.states.supply['Передать']) }, 'clerk');
    await sim.idle();
    const calls = app.requests.filter((r) => r.path === `${appPath(accountId)}/scenario`);
    expect(calls).toHaveLength(2);
    expect(calls[0].method).toBe('POST');
    expect(calls[0].body).toEqual({
      actionName: 'transfer-to-betapro',
      actionType: 'CHANGE_STATUS',
      objectId: id,
      objectType: 'supply',
    });
    await expectMoyskladJwt(calls[0]);
    await expectMoyskladJwt(calls[1]);
    expect(calls[0].headers['x_lognex_requestid']).toBe(calls[1].headers['x_lognex_requestid']);
    expect(calls[0].headers.authorization).not.toBe(calls[1].headers.authorization);
    // Another state, or an API write to the same state again, does not trigger it.
    app.requests.length = 0;
    await ms(`${sim.apiUrl}/entity/supply/${id}`, {
      method: 'PUT',
      token,
      body: { state: sim.stateMeta('supply', seed.states.supply['Передан']) },
    });
    await sim.idle();
    expect(app.requests.filter((r) => r.path.endsWith('/scenario'))).toHaveLength(0);
    // API writes trigger scenarios too.
    await ms(`${sim.apiUrl}/entity/supply/${id}`, {
      method: 'PUT',
      token,
      body: { state: sim.stateMeta('supply', seed.states.supply['Передать']) },
    });
    await sim.idle();
    expect(app.requests.filter((r) => r.path.endsWith('/scenario'))).toHaveLength(1);
  });
});

describe('persistence', () => {
  it('keeps accounts, tokens, documents and webhooks across a restart with stateFile', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ms-sim-'));
    const stateFile = path.join(dir, 'state.json');
    try {
      const a = await startMoyskladSimulator({ port: 0, stateFile, solution: { ...SOLUTION, appBaseUrl: app.url } });
      const { accountId, token } = await a.installedAccount('persisted');
      const seed = a.seed(accountId);
      await ms(`${a.apiUrl}/entity/webhook`, {
        method: 'POST',
        token,
        body: { url: `${app.url}/h`, action: 'UPDATE', entityType: 'move', diffType: 'FIELDS' },
      });
      await a.close();

      const b = await startMoyskladSimulator({ port: 0, stateFile, solution: { ...SOLUTION, appBaseUrl: app.url } });
      try {
        expect(b.port).not.toBe(a.port);
        const doc = await ms(`${b.apiUrl}/entity/supply/${seed.supplies[0]}?expand=positions`, { token });
        expect(doc.status).toBe(200);
        expectMs('GET /entity/supply/{id}', 200, doc.body);
        expect(doc.body.meta.href.startsWith(b.apiUrl)).toBe(true);
        expect(doc.body.positions.rows).toHaveLength(3);
        const hooks = await ms(`${b.apiUrl}/entity/webhook`, { token });
        expect(hooks.body.rows).toHaveLength(1);
        expect(b.sim.accountSummary(accountId).installation.status).toBe('Activated');
      } finally {
        await b.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

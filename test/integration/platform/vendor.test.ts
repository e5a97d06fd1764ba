/**
 * The MoySklad platform contract over HTTP (docs/product.md §7): vendor endpoints with JWTs, idempotent
 * activation, lifecycle, context sessions, account scoping, webhook de-duplication.
 */
import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { api, createSupply, documentView, installAndConfigure, sessionFor, waitFor, type ConfiguredAccount } from '../../support/sandbox';
import { sandboxSuite, type SuiteSandbox } from '../../support/suite';
import { TEST_APP_ID } from '../../support/app-server';
import { vendorJwt } from '../../support/vendor-jwt';

let sandbox: SuiteSandbox;
let account: ConfiguredAccount;

sandboxSuite(['platform-shop'], (s, [a]) => {
  sandbox = s;
  account = a;
});

const vendorPath = (accountId: string, suffix = '') => `/api/moysklad/vendor/1.0/apps/${TEST_APP_ID}/${accountId}${suffix}`;
async function vendorCall(method: string, path: string, token: string | null, body?: unknown) {
  const res = await fetch(`${sandbox.app.url}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.text() };
}
const installBody = (token: string) => ({
  appUid: 'betapro-bridge.test',
  accountName: 'forged',
  cause: 'Install',
  access: [{ resource: 'x', scope: ['admin'], access_token: token }],
});

describe('vendor endpoints', () => {
  it('refuse forged, expired, wrong-algorithm, unsigned and replayed JWTs with 401 and write nothing', async () => {
    const victim = randomUUID();
    const now = Math.floor(Date.now() / 1000);
    const replayed = await vendorJwt();
    expect((await vendorCall('GET', vendorPath(account.accountId), replayed)).status).toBe(200);
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const payload = Buffer.from(JSON.stringify({ iat: now, exp: now + 60, jti: randomUUID() })).toString('base64url');
    const tokens = {
      forged: await vendorJwt({ secret: 'not-the-solution-secret-0123456789' }),
      expired: await vendorJwt({ iat: now - 600, exp: now - 300 }),
      wrongAlgorithm: await vendorJwt({ alg: 'HS512' }),
      unsigned: `${header}.${payload}.`,
      replayed,
    };
    for (const [kind, token] of Object.entries(tokens)) {
      const res = await vendorCall('PUT', vendorPath(victim), token, installBody('stolen-token'));
      expect(res.status, kind).toBe(401);
    }
    expect((await vendorCall('PUT', vendorPath(victim), null, installBody('x'))).status).toBe(401);
    // Nothing was written: the account is still unknown to the app.
    expect((await vendorCall('GET', vendorPath(victim), await vendorJwt())).status).toBe(404);
  });

  it('refuses an unknown appId', async () => {
    const res = await vendorCall('GET', `/api/moysklad/vendor/1.0/apps/${randomUUID()}/${account.accountId}`, await vendorJwt());
    expect(res.status).toBe(404);
  });

  it('activation three times in a row → same state, one set of webhooks; tariff event without access → 200', async () => {
    const { accountId } = sandbox.moysklad.createAccount('thrice');
    sandbox.moysklad.seed(accountId, { documents: false });
    const first = await sandbox.moysklad.install(accountId);
    expect(first.httpStatus).toBe(200);
    // MoySklad repeats the same activation (retries, or the same event twice): answer the same way.
    const token = sandbox.moysklad.token(accountId);
    const answers = [(first.body as { status?: string }).status];
    for (let i = 0; i < 2; i++) {
      const res = await vendorCall('PUT', vendorPath(accountId), await vendorJwt(), {
        ...installBody(token),
        accountName: 'thrice',
      });
      expect(res.status).toBe(200);
      answers.push((JSON.parse(res.body) as { status: string }).status);
    }
    expect(answers).toEqual(['SettingsRequired', 'SettingsRequired', 'SettingsRequired']);
    const hooks = sandbox.moysklad.sim.account(accountId).webhooks;
    expect(hooks.map((h) => `${h.entityType}:${h.action}`).sort()).toEqual([
      'move:CREATE',
      'move:UPDATE',
      'purchasereturn:CREATE',
      'purchasereturn:UPDATE',
      'supply:CREATE',
      'supply:UPDATE',
    ]);
    const tariff = await sandbox.moysklad.lifecycle(accountId, 'tariff');
    expect(tariff.httpStatus).toBe(200);
    expect(sandbox.moysklad.sim.account(accountId).webhooks).toHaveLength(6);
  });

  it('a configured account answers Activated; suspend pauses, resume restores; uninstall keeps settings', async () => {
    const again = await vendorCall(
      'PUT',
      vendorPath(account.accountId),
      await vendorJwt(),
      installBody(sandbox.moysklad.token(account.accountId)),
    );
    expect(JSON.parse(again.body)).toEqual({ status: 'Activated' });
    expect((await sandbox.moysklad.lifecycle(account.accountId, 'suspend')).httpStatus).toBe(200);
    expect((await vendorCall('GET', vendorPath(account.accountId), await vendorJwt())).body).toContain('Suspended');
    expect((await sandbox.moysklad.lifecycle(account.accountId, 'resume')).httpStatus).toBe(200);
    const { accountId } = sandbox.moysklad.createAccount('leaving');
    sandbox.moysklad.seed(accountId, { documents: false });
    await sandbox.moysklad.install(accountId);
    expect((await sandbox.moysklad.lifecycle(accountId, 'uninstall')).httpStatus).toBe(200);
    expect((await vendorCall('GET', vendorPath(accountId), await vendorJwt())).status).toBe(404);
    const reinstall = await sandbox.moysklad.install(accountId);
    expect(reinstall.httpStatus).toBe(200);
  });
});

describe('context sessions and account scoping', () => {
  it('exchanges a contextKey for admin and clerk; an expired key gives a clear error', async () => {
    const admin = await api<{ user: { isAdmin: boolean; rights: { supply: { update: boolean } } } }>(sandbox.app.url, '/api/session', {
      body: { contextKey: sandbox.moysklad.contextKey(account.accountId, 'admin') },
    });
    expect(admin.status).toBe(200);
    expect(admin.body.user.isAdmin).toBe(true);
    const clerk = await api<{ user: { isAdmin: boolean; rights: { supply: { update: boolean } } } }>(sandbox.app.url, '/api/session', {
      body: { contextKey: sandbox.moysklad.contextKey(account.accountId, 'clerk') },
    });
    expect(clerk.body.user).toMatchObject({ isAdmin: false, rights: { supply: { update: true } } });
    const expired = await api<{ error: { message: string } }>(sandbox.app.url, '/api/session', {
      body: { contextKey: 'no-such-key-0000' },
    });
    expect(expired.status).toBe(401);
    expect(expired.body.error.message).toMatch(/Ключ контекста истёк/);
  });

  it('a token of account A cannot act on account B documents, nor change its settings; no token → 401', async () => {
    const other = await installAndConfigure(sandbox, 'other-account');
    const ms = sandbox.moysklad;
    const doc = ms.createDocument(other.accountId, 'supply', {
      organization: ms.meta('organization', other.seed.organizationId),
      agent: ms.meta('counterparty', other.seed.counterpartyId),
      store: ms.meta('store', other.seed.stores.betapro),
      positions: [{ quantity: 1, price: 1, assortment: ms.meta('product', other.seed.products[0].id) }],
    });
    const id = String(doc.id);
    const send = await api(sandbox.app.url, `/api/widget/documents/supply/${id}/actions`, {
      token: account.adminSession,
      body: { action: 'send' },
    });
    expect(send.status).toBe(404);
    const preflight = await api(sandbox.app.url, `/api/widget/documents/supply/${id}/preflight`, {
      token: account.adminSession,
    });
    expect(preflight.status).toBe(404);
    expect((await documentView(sandbox, other.adminSession, 'supply', id)).state).toBe('not_sent');
    const clerk = await sessionFor(sandbox, account.accountId, 'clerk');
    expect((await api(sandbox.app.url, '/api/settings', { method: 'PUT', token: clerk, body: {} })).status).toBe(403);
    expect((await api(sandbox.app.url, `/api/widget/documents/supply/${id}`)).status).toBe(401);
  });
});

describe('webhook intake', () => {
  it('unknown secret → 404; the same requestId four times → one piece of work', async () => {
    expect((await api(sandbox.app.url, '/api/moysklad/webhooks/unknown-secret-123456', { body: { events: [] } })).status).toBe(404);
    const ms = sandbox.moysklad;
    ms.setConfig({ webhooksEnabled: false } as never);
    const id = createSupply(sandbox, account, {
      state: 'Передать',
      positions: [{ productId: account.seed.products[0].id, quantity: 2, price: 1 }],
    });
    ms.setConfig({ webhooksEnabled: true } as never);
    const hook = ms.sim.account(account.accountId).webhooks.find((h) => h.entityType === 'supply' && h.action === 'UPDATE')!;
    const requestId = randomUUID();
    const body = {
      events: [
        {
          meta: { type: 'supply', href: `${ms.apiUrl}/entity/supply/${id}` },
          action: 'UPDATE',
          accountId: account.accountId,
          updatedFields: ['state'],
        },
      ],
    };
    const started = Date.now();
    const answers = await Promise.all(
      Array.from({ length: 4 }, () =>
        fetch(`${hook.url}?requestId=${requestId}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual([204, 204, 204, 204]);
    expect(Date.now() - started).toBeLessThan(1500);
    const view = await waitFor('sent', async () => {
      const v = await documentView(sandbox, account.adminSession, 'supply', id);
      return v.state === 'sent' ? v : undefined;
    });
    expect(view.events.filter((e) => e.kind === 'requested')).toHaveLength(1);
    expect(view.events.filter((e) => e.kind === 'duplicate_ignored')).toHaveLength(0);
    expect((await api(sandbox.app.url, hook.url.replace(sandbox.app.url, ''), { body: { nonsense: true } })).status).toBe(400);
  });
});

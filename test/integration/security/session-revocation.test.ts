/**
 * Issue 18 item 6: an app session stops working when MoySklad withdraws what it stood on — the
 * installation (uninstall, suspension: checked on each request) and the employee's rights (re-read
 * through `GET /entity/employee/{id}/security` once older than APP_SESSION_RIGHTS_TTL_SEC, here 1 s;
 * 10 minutes in production).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, createSupply, installAndConfigure, sessionFor, startSandbox, type ConfiguredAccount } from '../../support/sandbox';
import { expectResponseConforms } from '../../support/openapi';

type Sandbox = Awaited<ReturnType<typeof startSandbox>>;
let sandbox: Sandbox;
let account: ConfiguredAccount;
let supplyId: string;

const RIGHTS_TTL_MS = 1000;

beforeAll(async () => {
  sandbox = await startSandbox({ appEnv: { APP_SESSION_RIGHTS_TTL_SEC: String(RIGHTS_TTL_MS / 1000) } });
  account = await installAndConfigure(sandbox, 'revocation-shop');
  supplyId = createSupply(sandbox, account, {
    positions: [{ productId: account.seed.products.find((p) => p.article)!.id, quantity: 1 }],
  });
}, 120_000);
afterAll(async () => {
  await sandbox?.stop();
});

const employees = () => sandbox.moysklad.sim.account(account.accountId).employees;
const view = (token: string) =>
  api<{ error?: { message: string } }>(sandbox.app.url, `/api/widget/documents/supply/${supplyId}`, { token });
const afterTtl = () => new Promise((r) => setTimeout(r, RIGHTS_TTL_MS + 200));

describe('app sessions follow MoySklad', () => {
  it('the simulator answers the employee security read as the official spec describes', async () => {
    for (const kind of ['admin', 'clerk'] as const) {
      const res = await fetch(`${sandbox.moysklad.apiUrl}/entity/employee/${employees()[kind].id}/security`, {
        headers: { authorization: `Bearer ${account.token}`, 'accept-encoding': 'gzip' },
      });
      const body = await res.json();
      expect(res.status).toBe(200);
      expectResponseConforms('moysklad', 'GET /entity/employee/{id}/security', 200, body);
      expect((body as { role: { meta: { href: string } } }).role.meta.href).toMatch(
        kind === 'admin' ? /\/role\/admin$/ : /\/role\/individual$/,
      );
    }
  });

  it('a clerk whose supply rights were removed loses them in the app once the rights are re-checked', async () => {
    const clerk = await sessionFor(sandbox, account.accountId, 'clerk');
    expect((await view(clerk)).status).toBe(200);
    const original = employees().clerk.permissions.supply;
    delete employees().clerk.permissions.supply;
    try {
      await afterTtl();
      const refused = await view(clerk);
      expect(refused.status).toBe(403);
      expect(refused.body.error?.message).toMatch(/нет прав/);
      const action = await api(sandbox.app.url, `/api/widget/documents/supply/${supplyId}/actions`, {
        token: clerk,
        body: { action: 'send' },
      });
      expect(action.status).toBe(403);
    } finally {
      employees().clerk.permissions.supply = original;
    }
    await afterTtl();
    expect((await view(clerk)).status).toBe(200);
  });

  it('an employee whose access to MoySklad was switched off is signed out', async () => {
    const reader = await sessionFor(sandbox, account.accountId, 'clerk-readonly');
    expect((await api(sandbox.app.url, '/api/settings', { token: reader })).status).toBe(200);
    employees()['clerk-readonly'].active = false;
    try {
      await afterTtl();
      const res = await api<{ error?: { message: string } }>(sandbox.app.url, '/api/settings', { token: reader });
      expect(res.status).toBe(401);
      expect(res.body.error?.message).toMatch(/доступ к МоемуСкладу отключён/);
    } finally {
      employees()['clerk-readonly'].active = true;
    }
  });

  it('suspension and uninstall end every session of the account at once; resuming restores them', async () => {
    const admin = await sessionFor(sandbox, account.accountId, 'admin');
    expect((await api(sandbox.app.url, '/api/settings', { token: admin })).status).toBe(200);
    expect((await sandbox.moysklad.lifecycle(account.accountId, 'suspend')).httpStatus).toBe(200);
    const suspended = await api<{ error?: { message: string } }>(sandbox.app.url, '/api/settings', { token: admin });
    expect(suspended.status).toBe(401);
    expect(suspended.body.error?.message).toMatch(/отключено или удалено/);
    expect((await view(admin)).status).toBe(401);
    expect((await sandbox.moysklad.lifecycle(account.accountId, 'resume')).httpStatus).toBe(200);
    expect((await api(sandbox.app.url, '/api/settings', { token: admin })).status).toBe(200);
    expect((await sandbox.moysklad.lifecycle(account.accountId, 'uninstall')).httpStatus).toBe(200);
    expect((await api(sandbox.app.url, '/api/settings', { token: admin })).status).toBe(401);
    expect(
      (
        await api(sandbox.app.url, `/api/widget/documents/supply/${supplyId}/actions`, {
          token: admin,
          body: { action: 'send' },
        })
      ).status,
    ).toBe(401);
  });
});

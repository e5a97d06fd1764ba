/**
 * One tenant against another and against the process (issue 18, items 2, 3 and 4), on the real app
 * with loopback remotes allowed (BETAPRO_ALLOW_PRIVATE_HOSTS=true, as in the demo): the attacker is
 * an account admin who may point the BetaPRO address at a server of their own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  createSupply,
  documentView,
  installAndConfigure,
  startSandbox,
  waitFor,
  BETAPRO_PARTNER,
  type ConfiguredAccount,
} from '../../support/sandbox';
import { HOSTILE_MARKER, startHostileRemote, type HostileRemote } from '../../support/hostile-remote';
import type { TestConnectionResponse } from '@/lib/api/contract';

type Sandbox = Awaited<ReturnType<typeof startSandbox>>;
let sandbox: Sandbox;
let victim: ConfiguredAccount;
const remotes: HostileRemote[] = [];

beforeAll(async () => {
  sandbox = await startSandbox();
  victim = await installAndConfigure(sandbox, 'victim-shop');
});
afterAll(async () => {
  await Promise.all(remotes.map((r) => r.close()));
  await sandbox?.stop();
});

async function hostile(mode: Parameters<typeof startHostileRemote>[0]): Promise<HostileRemote> {
  const remote = await startHostileRemote(mode);
  remotes.push(remote);
  return remote;
}

function testConnection(session: string, betaproBaseUrl: string, betaproPassword?: string) {
  return api<TestConnectionResponse & { message?: string }>(sandbox.app.url, '/api/settings/test-connection', {
    token: session,
    body: {
      betaproBaseUrl,
      betaproPartnerId: BETAPRO_PARTNER.partnerId,
      ...(betaproPassword ? { betaproPassword } : {}),
    },
  });
}

describe('the stored BetaPRO password goes only to the saved address', () => {
  it('a connection test to another address needs the password typed again; nothing is sent there', async () => {
    const elsewhere = await hostile('echo-text');
    const moved = await testConnection(victim.adminSession, `${elsewhere.url}/grh/api`);
    expect(moved.body).toMatchObject({ ok: false });
    expect(moved.body.message).toMatch(/введите пароль/i);
    expect(elsewhere.connections).toBe(0);
    // The saved address still works with the stored password.
    const same = await testConnection(victim.adminSession, `${sandbox.betapro.apiUrl}/`);
    expect(same.body).toMatchObject({ ok: true });
  });

  it('saving another address without the password is refused; the stored one stays', async () => {
    const elsewhere = await hostile('echo-text');
    const current = await api<{ settings: Record<string, unknown> }>(sandbox.app.url, '/api/settings', {
      token: victim.adminSession,
    });
    const { hasPassword: _h, complete: _c, missing: _m, ...input } = current.body.settings;
    const res = await api<{ error: { details: { fieldErrors: Record<string, string[]> } } }>(sandbox.app.url, '/api/settings', {
      method: 'PUT',
      token: victim.adminSession,
      body: { ...input, betaproBaseUrl: `${elsewhere.url}/grh/api` },
    });
    expect(res.status).toBe(422);
    expect(Object.keys(res.body.error.details.fieldErrors)).toContain('betaproPassword');
    const after = await api<{ settings: { betaproBaseUrl: string } }>(sandbox.app.url, '/api/settings', {
      token: victim.adminSession,
    });
    expect(after.body.settings.betaproBaseUrl).toBe(sandbox.betapro.apiUrl);
    await new Promise((r) => setTimeout(r, 500));
    expect(elsewhere.connections).toBe(0);
  });
});

describe('a hostile BetaPRO address cannot crash the process or leak its text', () => {
  it('huge, endless and compressed-bomb answers end in a clear refusal; the app stays healthy', async () => {
    for (const mode of ['huge', 'endless', 'gzip-bomb'] as const) {
      const remote = await hostile(mode);
      const started = Date.now();
      const res = await testConnection(victim.adminSession, `${remote.url}/grh/api`, 'typed-password');
      expect(res.status, mode).toBe(200);
      expect(res.body, mode).toMatchObject({ ok: false });
      expect(res.body.message, mode).toMatch(/слишком большой ответ/);
      expect(Date.now() - started, mode).toBeLessThan(15_000);
      expect((await fetch(`${sandbox.app.url}/api/health`)).status).toBe(200);
    }
  });
});

describe('one account cannot starve another', () => {
  it('an account pointing the same partner id at a server asking for a ten-day pause does not delay another account', async () => {
    const pauser = await hostile('pause-days');
    const attacker = await installAndConfigure(sandbox, 'attacker-shop', { betaproBaseUrl: `${pauser.url}/grh/api` });
    // The attacker's own poll and a connection test both meet the ten-day 429.
    const probe = await testConnection(attacker.adminSession, `${pauser.url}/grh/api`);
    expect(probe.body).toMatchObject({ ok: false });
    expect(JSON.stringify(probe.body)).not.toContain(HOSTILE_MARKER);
    await waitFor('the attacker remote to be called', async () => pauser.requests > 0, 10_000);

    const product = victim.seed.products.find((p) => p.article)!;
    const id = createSupply(sandbox, victim, {
      state: 'Передать',
      positions: [{ productId: product.id, quantity: 2 }],
    });
    const view = await waitFor(
      'the victim supply sent',
      async () => {
        const v = await documentView(sandbox, victim.adminSession, 'supply', id);
        if (v.state === 'error') throw new Error(JSON.stringify(v.errors));
        return v.state === 'sent' ? v : undefined;
      },
      20_000,
    );
    expect(view.indocId).toBeTruthy();
  });
});

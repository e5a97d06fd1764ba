/**
 * SSRF through the BetaPRO address (issue 18, item 1), against the real app as production runs it
 * (BETAPRO_ALLOW_PRIVATE_HOSTS unset → false). The "internal service" is a server on 127.0.0.1 that
 * counts connections: whatever an admin types, the app never connects to it and says what is wrong
 * without repeating anything a remote said.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, sessionFor, startSandbox, BETAPRO_PARTNER } from '../../support/sandbox';
import { startHostileRemote, type HostileRemote } from '../../support/hostile-remote';
import type { SettingsInput, TestConnectionResponse } from '@/lib/api/contract';

type Sandbox = Awaited<ReturnType<typeof startSandbox>>;
let sandbox: Sandbox;
let internal: HostileRemote;
let adminSession: string;
let accountId: string;
let seedStates: Record<'supply' | 'move', Record<string, string>>;
let betaproStore: string;

beforeAll(async () => {
  sandbox = await startSandbox({ appEnv: { BETAPRO_ALLOW_PRIVATE_HOSTS: 'false' } });
  internal = await startHostileRemote('echo-text');
  ({ accountId } = sandbox.moysklad.createAccount('ssrf-shop'));
  const seed = sandbox.moysklad.seed(accountId, { documents: false });
  seedStates = seed.states as never;
  betaproStore = seed.stores.betapro;
  const installed = await sandbox.moysklad.install(accountId);
  expect(installed.httpStatus).toBe(200);
  adminSession = await sessionFor(sandbox, accountId, 'admin');
});
afterAll(async () => {
  await internal?.close();
  await sandbox?.stop();
});

function testConnection(betaproBaseUrl: string) {
  return api<TestConnectionResponse>(sandbox.app.url, '/api/settings/test-connection', {
    token: adminSession,
    body: { betaproBaseUrl, betaproPartnerId: BETAPRO_PARTNER.partnerId, betaproPassword: 'typed-password' },
  });
}

function settingsWith(betaproBaseUrl: string): SettingsInput {
  const statuses = (entity: 'supply' | 'move') => ({
    transfer: seedStates[entity]['Передать'],
    sent: seedStates[entity]['Передан'],
    error: seedStates[entity]['Ошибка передачи'],
    posted: seedStates[entity]['Проведён'],
  });
  return {
    betaproBaseUrl,
    betaproPartnerId: BETAPRO_PARTNER.partnerId,
    betaproPassword: 'typed-password',
    storeIds: [betaproStore],
    enabledEntities: ['supply', 'move'],
    statuses: { supply: statuses('supply'), move: statuses('move') },
    productKey: 'article',
    partialPolicy: 'final',
    defectivePolicy: 'received',
    postingMode: 'auto',
    pollIntervalSec: 3600,
  };
}

describe('BetaPRO address: no way into the internal network', () => {
  it('the connection test refuses plain http, loopback literals in every spelling and names resolving to loopback', async () => {
    const port = internal.port;
    const cases: Array<[string, RegExp]> = [
      [`http://127.0.0.1:${port}/grh/api`, /https:\/\//],
      [`https://127.0.0.1:${port}/grh/api`, /внутреннюю сеть/],
      [`https://[::ffff:127.0.0.1]:${port}/grh/api`, /внутреннюю сеть/],
      [`https://[::ffff:7f00:1]:${port}/grh/api`, /внутреннюю сеть/],
      [`https://2130706433:${port}/grh/api`, /внутреннюю сеть/],
      [`https://0x7f.0.0.1:${port}/grh/api`, /внутреннюю сеть/],
      [`https://localhost:${port}/grh/api`, /внутреннюю сеть/],
    ];
    for (const [url, message] of cases) {
      const { status, body } = await testConnection(url);
      expect(status, url).toBe(200);
      expect(body, url).toMatchObject({ ok: false });
      expect((body as { message: string }).message, url).toMatch(message);
    }
    expect(internal.connections).toBe(0);
  });

  it('refuses user info, a query or a fragment in the address at the boundary', async () => {
    for (const url of [
      `https://user:pass@api.example.invalid/grh/api`,
      `https://api.example.invalid/grh/api?next=http://127.0.0.1:${internal.port}`,
      `https://api.example.invalid/grh/api#frag`,
    ]) {
      const { status } = await testConnection(url);
      expect(status, url).toBe(422);
    }
  });

  it('saving an internal address is refused with the reason on the address field', async () => {
    const res = await api<{ error: { message: string; details: { fieldErrors: Record<string, string[]> } } }>(
      sandbox.app.url,
      '/api/settings',
      { method: 'PUT', token: adminSession, body: settingsWith(`https://127.0.0.1:${internal.port}/grh/api`) },
    );
    expect(res.status).toBe(422);
    expect(res.body.error.details.fieldErrors.betaproBaseUrl[0]).toMatch(/внутреннюю сеть/);
    const plain = await api(sandbox.app.url, '/api/settings', {
      method: 'PUT',
      token: adminSession,
      body: settingsWith(sandbox.betapro.apiUrl),
    });
    expect(plain.status).toBe(422);
    expect(internal.connections).toBe(0);
  });

  it('saving a host name that resolves to loopback is refused too (each connection is checked again)', async () => {
    const res = await api<{ error: { details: { fieldErrors: Record<string, string[]> } } }>(sandbox.app.url, '/api/settings', {
      method: 'PUT',
      token: adminSession,
      body: settingsWith(`https://localhost:${internal.port}/grh/api`),
    });
    expect(res.status).toBe(422);
    expect(res.body.error.details.fieldErrors.betaproBaseUrl[0]).toMatch(/внутреннюю сеть/);
    expect(internal.connections).toBe(0);
  });
});

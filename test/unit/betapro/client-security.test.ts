/**
 * The BetaPRO address is typed by an account admin, an untrusted user: the client must not become a
 * way into our network (SSRF) nor let one account stall another's BetaPRO traffic. All "internal"
 * targets are servers on 127.0.0.1 that count connections.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createBetaproClient } from '@/lib/betapro';
import { MAX_ADVISED_PAUSE_MS } from '@/lib/betapro/client';
import { InProcessRateGate } from '@/lib/core/rate-gate';
import { startHostileRemote, HOSTILE_MARKER, type HostileRemote } from '@/test/support/hostile-remote';
import { startFakeFbox, type FakeFbox } from './fake-fbox';

const settingsBody = {
  success: true,
  outdoc_types: {
    goods_supply_start: true,
    goods_shipment_start: false,
    goods_shipment_ready: false,
    orders_receiving: false,
    orders_deficit: false,
    orders_production_start: false,
    orders_pallet: false,
  },
  goods_expir_enabled: false,
  goods_surplus_enabled: true,
  rate_limits: {
    concurrent_qnt: 1,
    req_qnt: { day: 50000, minute: 300 },
    req_mb: { day: 500, minute: 10 },
    resp_mb: { day: 2000, minute: 40 },
    err_qnt: { day: 1000, minute: 30 },
    err_mb: { day: 50, minute: 2 },
    duration_minutes: { day: 120, minute: 1 },
  },
  deliveries: [],
};

const closers: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c.close()));
});
async function internalTarget(): Promise<HostileRemote> {
  const remote = await startHostileRemote('garbage');
  closers.push(remote);
  return remote;
}

describe('BetaPRO client: the address cannot reach internal hosts', () => {
  it('refuses loopback targets in every spelling before sending anything', async () => {
    const target = await internalTarget();
    for (const baseUrl of [
      `http://127.0.0.1:${target.port}/grh/api`,
      `https://127.0.0.1:${target.port}/grh/api`,
      `https://[::ffff:127.0.0.1]:${target.port}/grh/api`,
      `https://2130706433:${target.port}/grh/api`,
      // A host name is resolved when connecting; every address it resolves to must be public.
      `https://localhost:${target.port}/grh/api`,
    ]) {
      const client = createBetaproClient({ baseUrl, partnerId: 'P', password: 'secret', maxRetries: 2 });
      const error = await client.getSettings().catch((e) => e);
      expect(error, baseUrl).toMatchObject({
        code: 'NOT_CONFIGURED',
        retryable: false,
        details: { reason: 'ERR_REMOTE_ADDRESS_REFUSED' },
      });
    }
    expect(target.connections).toBe(0);
  });

  it('never follows a redirect, so an allowed address cannot bounce the credentials elsewhere', async () => {
    const target = await internalTarget();
    const bouncer = await startHostileRemote('redirect', { redirectTo: `${target.url}/grh/api/settings` });
    closers.push(bouncer);
    const client = createBetaproClient({
      baseUrl: bouncer.url,
      partnerId: 'P',
      password: 'secret',
      allowPrivateHosts: true,
      maxRetries: 0,
    });
    await expect(client.getSettings()).rejects.toMatchObject({ code: 'REMOTE_REJECTED' });
    expect(bouncer.requests).toBe(1);
    expect(target.connections).toBe(0);
  });
});

describe('BetaPRO client: one account cannot stall another', () => {
  it('keys the gate by account and partner, and believes an advised pause for at most a minute', async () => {
    const gate = new InProcessRateGate();
    const hostile = await startHostileRemote('pause-days');
    closers.push(hostile);
    const honest: FakeFbox = await startFakeFbox(() => ({ body: settingsBody }));
    closers.push(honest);
    // Account B types account A's partner id and points it at a server asking for a ten-day pause.
    const attacker = createBetaproClient({
      baseUrl: hostile.url,
      partnerId: 'P-1',
      password: 'x',
      accountId: 'B',
      allowPrivateHosts: true,
      gate,
    });
    const error = await attacker.getSettings().catch((e) => e);
    expect(error).toMatchObject({ code: 'RATE_LIMITED' });
    expect(error.retryAfterMs).toBeLessThanOrEqual(MAX_ADVISED_PAUSE_MS);
    expect(JSON.stringify(error.userMessage)).not.toContain(HOSTILE_MARKER);

    // Account A, same partner id, is not paused at all.
    const victim = createBetaproClient({
      baseUrl: honest.url,
      partnerId: 'P-1',
      password: 'y',
      accountId: 'A',
      allowPrivateHosts: true,
      gate,
    });
    const started = Date.now();
    await victim.getSettings();
    expect(Date.now() - started).toBeLessThan(1000);

    // B itself is paused (capped): its next call is handed back at once instead of sleeping.
    const again = createBetaproClient({
      baseUrl: hostile.url,
      partnerId: 'P-1',
      password: 'x',
      accountId: 'B',
      allowPrivateHosts: true,
      gate,
    });
    const t = Date.now();
    await expect(again.getSettings()).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    expect(Date.now() - t).toBeLessThan(1000);
    expect(hostile.requests).toBe(1);
  });
});

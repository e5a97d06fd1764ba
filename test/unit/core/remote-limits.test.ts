/**
 * Every remote client reads at most its cap of an answer within its deadline (issue: a 400 MB answer
 * to the connection test killed the process). The remotes here are hostile servers on loopback.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createBetaproClient } from '@/lib/betapro';
import { createMoyskladClient } from '@/lib/moysklad/json-api';
import { createVendorApiClient } from '@/lib/moysklad/vendor-api';
import { startHostileRemote, type HostileMode, type HostileRemote } from '@/test/support/hostile-remote';

const remotes: HostileRemote[] = [];
afterEach(async () => {
  await Promise.all(remotes.splice(0).map((r) => r.close()));
});
async function hostile(mode: HostileMode): Promise<HostileRemote> {
  const remote = await startHostileRemote(mode);
  remotes.push(remote);
  return remote;
}

const LIMITS = { maxResponseBytes: 1024 * 1024, deadlineMs: 1500 };

function betapro(url: string) {
  return createBetaproClient({
    baseUrl: url,
    partnerId: 'P',
    password: 'pw',
    allowPrivateHosts: true,
    maxRetries: 2,
    retry: { baseDelayMs: 5, maxDelayMs: 10 },
    responseLimits: LIMITS,
  });
}

describe('remote clients: capped answers', () => {
  for (const mode of ['endless', 'huge', 'gzip-bomb'] as const) {
    it(`BetaPRO: a ${mode} answer stops at the cap with a clear error, not retried`, async () => {
      const remote = await hostile(mode);
      const heapBefore = process.memoryUsage().heapUsed;
      const error = await betapro(remote.url)
        .getSettings()
        .catch((e) => e);
      expect(error).toMatchObject({
        code: 'REMOTE_REJECTED',
        retryable: false,
        details: { transport: 'RESPONSE_TOO_LARGE' },
      });
      expect(error.userMessage).toMatch(/слишком большой ответ/);
      expect(remote.requests).toBe(1);
      expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(64 * 1024 * 1024);
    });
  }

  it('BetaPRO: a body trickling forever ends at the deadline as REMOTE_TIMEOUT', async () => {
    const remote = await hostile('trickle');
    const started = Date.now();
    const error = await createBetaproClient({
      baseUrl: remote.url,
      partnerId: 'P',
      password: 'pw',
      allowPrivateHosts: true,
      maxRetries: 0,
      timeoutMs: 1000,
      responseLimits: { deadlineMs: 800 },
    })
      .getSettings()
      .catch((e) => e);
    expect(error).toMatchObject({ code: 'REMOTE_TIMEOUT' });
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('MoySklad JSON API: an endless answer and a trickling one are cut off', async () => {
    const endless = await hostile('endless');
    const client = createMoyskladClient({
      baseUrl: `${endless.url}/api/remap/1.2`,
      token: 't',
      accountId: 'a',
      maxRetries: 0,
      responseLimits: LIMITS,
    });
    await expect(client.getStore('s')).rejects.toMatchObject({
      code: 'REMOTE_REJECTED',
      details: { transport: 'RESPONSE_TOO_LARGE' },
    });
    const trickle = await hostile('trickle');
    const slow = createMoyskladClient({
      baseUrl: `${trickle.url}/api/remap/1.2`,
      token: 't',
      accountId: 'a',
      maxRetries: 0,
      responseLimits: { deadlineMs: 800 },
    });
    const started = Date.now();
    await expect(slow.getStore('s')).rejects.toMatchObject({ code: 'REMOTE_TIMEOUT' });
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('Vendor API: a huge answer is cut off', async () => {
    const remote = await hostile('huge');
    const client = createVendorApiClient({
      baseUrl: `${remote.url}/api/vendor/1.0`,
      appId: 'app',
      appUid: 'app.uid',
      secretKey: 'k'.repeat(32),
      responseLimits: LIMITS,
      retry: { maxRetries: 0 },
    });
    await expect(client.getStatus('acc')).rejects.toMatchObject({
      code: 'REMOTE_REJECTED',
      details: { transport: 'RESPONSE_TOO_LARGE' },
    });
  });
});

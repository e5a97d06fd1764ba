/**
 * BetaPRO's rate limits (quotas from GET /settings, single-threaded access) and the simulator's fault
 * injection (5xx, 429, timeouts, accept-then-drop).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startBetaproSimulator, type BetaproSimulator } from '@/test/sandbox/betapro';
import { control, fboxClient } from './betapro-helpers';

let sim: BetaproSimulator;
let api: ReturnType<typeof fboxClient>;

const TASK = {
  indoc_type: 'goods_supply_task',
  indoc_id: 'F-1',
  goods: [{ good_id: 'G1', good_name: 'Товар 1' }],
  items: [{ good_id: 'G1', plan_qnt: 3 }],
};

beforeAll(async () => {
  sim = await startBetaproSimulator({
    partners: [
      { partnerId: 'lim', password: 'pw' },
      { partnerId: 'free', password: 'pw' },
    ],
  });
  api = fboxClient(sim, 'lim', 'pw');
});

afterAll(async () => {
  await sim?.close();
});

beforeEach(async () => {
  await control(sim, '/reset', {});
  await control(sim, '/config', {
    response_delay_ms: 0,
    timeout_hold_ms: 30_000,
    rate_limits: { concurrent_qnt: 1, req_qnt: { day: 100_000, minute: 600 }, err_qnt: { day: 10_000, minute: 300 } },
  });
});

describe('rate limits', () => {
  it('enforces the per-minute request quota GET /settings reports, with 429 and its headers', async () => {
    await control(sim, '/config', { partnerId: 'lim', rate_limits: { req_qnt: { minute: 3 } } });
    const settings = await api('GET /settings');
    expect(settings.body.rate_limits.req_qnt.minute).toBe(3);
    expect(settings.headers.get('x-ratelimit-reset')).toBe('0');
    expect(settings.headers.get('x-ratelimit-remaining')).toBe('1');
    await api('GET /settings');
    await api('GET /settings');
    // The fourth request still runs but drives the bucket below zero: the client is told to wait.
    const fourth = await api('GET /settings');
    expect(fourth.status).toBe(200);
    expect(Number(fourth.headers.get('x-ratelimit-reset'))).toBeGreaterThan(0);
    expect(fourth.headers.get('x-ratelimit-remaining')).toBe('0');
    const refused = await api('GET /settings');
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ success: false, error_code: 429 });
    expect(refused.body.error_message).toMatch(/Превышен лимит req_qnt .*Выполните запрос через \d+ секунд/);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(refused.headers.get('x-ratelimit-reset')).toBe(String(retryAfter));
    expect(refused.headers.get('x-ratelimit-remaining')).toBe('0');
    // Quotas are per partner_id.
    const other = await fboxClient(sim, 'free', 'pw')('GET /settings');
    expect(other.status).toBe(200);
  });

  it('counts 4xx answers against err_qnt', async () => {
    await control(sim, '/config', { partnerId: 'lim', rate_limits: { err_qnt: { minute: 1 } } });
    await api('GET /indocs/{indoc_id}/json', { params: { indoc_id: 'nope' } });
    await api('GET /indocs/{indoc_id}/json', { params: { indoc_id: 'nope' } });
    const refused = await api('GET /settings');
    expect(refused.status).toBe(429);
    expect(refused.body.error_message).toContain('err_qnt');
  });

  it('refuses a second concurrent request of the same partner with 429', async () => {
    await control(sim, '/config', { response_delay_ms: 300 });
    const [a, b] = await Promise.all([api('GET /settings'), api('POST /outdocs/list', { body: {} })]);
    const statuses = [a.status, b.status].sort();
    expect(statuses).toEqual([200, 429]);
    const refused = a.status === 429 ? a : b;
    expect(refused.body.error_message).toContain('concurrent_qnt');
    expect(refused.headers.get('retry-after')).toBe('1');
    // Another partner is not affected, and the slot is free again afterwards.
    const [mine, theirs] = await Promise.all([api('GET /settings'), fboxClient(sim, 'free', 'pw')('GET /settings')]);
    expect([mine.status, theirs.status]).toEqual([200, 200]);
  });
});

describe('fault injection', () => {
  it('error500 answers 500 with the error envelope, for `count` requests only', async () => {
    await control(sim, '/faults', { mode: 'error500', count: 1 });
    const failed = await api('GET /settings');
    expect(failed.status).toBe(500);
    expect(failed.body).toMatchObject({ success: false, error_code: 500 });
    expect((await api('GET /settings')).status).toBe(200);
    expect((await control(sim, '/faults')).body.mode).toBe('none');
  });

  it('rate429 answers like an exhausted quota', async () => {
    await control(sim, '/faults', { mode: 'rate429', operations: ['POST /outdocs/lock'] });
    expect((await api('GET /settings')).status).toBe(200); // other operations pass
    const res = await api('POST /outdocs/lock', { body: { outdocs: [] } });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBeTruthy();
    expect(res.headers.get('x-ratelimit-remaining')).toBe('0');
    await control(sim, '/faults', { mode: 'none' });
  });

  it('timeout holds the request without an answer (the client gives up), then serves normally', async () => {
    await control(sim, '/faults', { mode: 'timeout', count: 1 });
    const started = Date.now();
    await expect(api('GET /settings', { signal: AbortSignal.timeout(300) })).rejects.toThrow();
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect((await api('GET /settings')).status).toBe(200);
  });

  it('timeout eventually drops the connection when nobody aborts', async () => {
    await control(sim, '/config', { timeout_hold_ms: 200 });
    await control(sim, '/faults', { mode: 'timeout', count: 1 });
    await expect(api('GET /settings')).rejects.toThrow();
  });

  it('acceptThenDrop performs the request and closes the socket without an answer', async () => {
    await control(sim, '/faults', { mode: 'acceptThenDrop', count: 1, operations: ['POST /indocs'] });
    await expect(api('POST /indocs', { body: TASK })).rejects.toThrow();
    // The task exists: the retry meets 1001, as after a lost response on the real service.
    const retry = await api('POST /indocs', { body: TASK });
    expect(retry.body).toMatchObject({ success: false, error_code: 1001 });
    const stats = await control(sim, '/stats');
    expect(stats.body.partners.lim.outcomes).toMatchObject({ dropped: 1, 200: 1 });
  });

  it('applies a fault to a share of requests with rate < 1 and never to the control API', async () => {
    const seeded = await startBetaproSimulator({
      partners: [{ partnerId: 'r', password: 'pw' }],
      random: (() => {
        let i = 0;
        return () => [0.1, 0.9][i++ % 2];
      })(),
    });
    try {
      await control(seeded, '/faults', { mode: 'error500', rate: 0.5 });
      const call = fboxClient(seeded, 'r', 'pw');
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await call('GET /settings')).status);
      expect(statuses).toEqual([500, 200, 500, 200]);
      expect((await control(seeded, '/state')).status).toBe(200);
    } finally {
      await seeded.close();
    }
  });
});

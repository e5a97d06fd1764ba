import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openDatabase, type Database } from '@/lib/db';
import { PostgresRateGate } from '@/lib/db/rate-gate';
import { openTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '../../support/db';

describe.skipIf(!TEST_DATABASE_URL)('rate gate shared through PostgreSQL', () => {
  let db: TestDatabase;
  let second: Database;
  beforeAll(async () => {
    db = await openTestDatabase('postgres');
    second = await openDatabase({ databaseUrl: db.url!, poolSize: 5 });
  });
  afterAll(async () => {
    await second?.close();
    await db?.close();
  });

  it("keeps one window on the database clock when a process's own clock runs an hour ahead", async () => {
    // 3 calls per 2 s: a burst of one, then one call per second. A process whose clock runs ahead
    // must not see the window as refilled: it waits for the database's second like everyone else.
    const policy = { maxConcurrent: 5, maxPerWindow: 3, windowMs: 2_000 };
    const onTime = new PostgresRateGate(db.prisma);
    const ahead = new PostgresRateGate(second.prisma);
    const firstAt = await onTime.run('skewed', policy, async () => performance.now());
    const realNow = Date.now.bind(Date);
    const skew = vi.spyOn(Date, 'now').mockImplementation(() => realNow() + 3_600_000);
    let secondAt: number;
    try {
      secondAt = await ahead.run('skewed', policy, async () => performance.now());
    } finally {
      skew.mockRestore();
    }
    expect(secondAt - firstAt).toBeGreaterThanOrEqual(800);

    // A pause set by the skewed process lasts its length on the database clock, not an hour more or less.
    const skewAgain = vi.spyOn(Date, 'now').mockImplementation(() => realNow() + 3_600_000);
    try {
      await ahead.pause('paused', Date.now() + 300);
    } finally {
      skewAgain.mockRestore();
    }
    const t0 = performance.now();
    await onTime.run('paused', { maxConcurrent: 1, maxPauseWaitMs: 10_000 }, async () => undefined);
    const waited = performance.now() - t0;
    expect(waited).toBeGreaterThanOrEqual(200);
    expect(waited).toBeLessThan(2_000);
  });

  it('holds concurrency and rate across two processes', async () => {
    const gates = [new PostgresRateGate(db.prisma), new PostgresRateGate(second.prisma)];
    let active = 0;
    let peak = 0;
    const starts: number[] = [];
    const t0 = Date.now();
    await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        gates[i % 2].run('acct', { maxConcurrent: 3, maxPerWindow: 10, windowMs: 500 }, async () => {
          active++;
          peak = Math.max(peak, active);
          starts.push(Date.now() - t0);
          await new Promise((r) => setTimeout(r, 15));
          active--;
        }),
      ),
    );
    expect(peak).toBeLessThanOrEqual(3);
    starts.sort((a, b) => a - b);
    // Any 500 ms span holds at most 10 starts (the limit), plus one for timer slack.
    for (let i = 0; i < starts.length; i++) {
      const inWindow = starts.filter((t) => t >= starts[i] && t < starts[i] + 500).length;
      expect(inWindow).toBeLessThanOrEqual(11);
    }
    expect(starts[starts.length - 1]).toBeGreaterThan(500);
  });

  it("works with MoySklad's real policy (fractional refill rate)", async () => {
    const gate = new PostgresRateGate(db.prisma);
    let done = 0;
    await Promise.all(
      Array.from({ length: 20 }, () =>
        gate.run('real', { maxConcurrent: 5, maxPerWindow: 45, windowMs: 3100 }, async () => {
          done++;
        }),
      ),
    );
    expect(done).toBe(20);
  });

  it('makes every process wait out a pause the remote asked for', async () => {
    const a = new PostgresRateGate(db.prisma);
    const b = new PostgresRateGate(second.prisma);
    await a.pause('paused', Date.now() + 300);
    const t0 = Date.now();
    await b.run('paused', { maxConcurrent: 1, maxPerWindow: 5, windowMs: 1000 }, async () => undefined);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
  });
});

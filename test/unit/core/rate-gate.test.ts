import { describe, expect, it } from 'vitest';
import { InProcessRateGate } from '@/lib/core/rate-gate';

describe('in-process rate gate', () => {
  it('caps concurrency per key', async () => {
    const gate = new InProcessRateGate();
    let active = 0;
    let peak = 0;
    const work = () =>
      gate.run('k', { maxConcurrent: 2 }, async () => {
        active++;
        peak = Math.max(peak, active);
        await new Promise((r) => setTimeout(r, 10));
        active--;
      });
    await Promise.all(Array.from({ length: 8 }, work));
    expect(peak).toBe(2);
  });

  it('spreads calls over windows and honours pauses', async () => {
    const gate = new InProcessRateGate();
    const starts: number[] = [];
    const t0 = Date.now();
    await Promise.all(
      Array.from({ length: 6 }, () =>
        gate.run('w', { maxConcurrent: 10, maxPerWindow: 3, windowMs: 100 }, async () => {
          starts.push(Date.now() - t0);
        }),
      ),
    );
    expect(starts.filter((t) => t < 95)).toHaveLength(3);
    await gate.pause('p', Date.now() + 80);
    const before = Date.now();
    await gate.run('p', { maxConcurrent: 1 }, async () => undefined);
    expect(Date.now() - before).toBeGreaterThanOrEqual(70);
  });
});

import { describe, expect, it } from 'vitest';
import { clientAddress, FixedWindowLimiter } from '@/lib/api/request-limits';

describe('request limits', () => {
  it('a fixed window lets `limit` calls through per key, then says how long to wait', () => {
    let now = 1_000;
    const limiter = new FixedWindowLimiter(2, 60_000, () => now);
    expect([limiter.take('a'), limiter.take('a'), limiter.take('b')]).toEqual([0, 0, 0]);
    expect(limiter.take('a')).toBe(60_000);
    now += 59_000;
    expect(limiter.take('a')).toBe(1_000);
    now += 1_000;
    expect(limiter.take('a')).toBe(0);
  });

  it('the client address is the last X-Forwarded-For entry (what the nearest proxy saw)', () => {
    const req = (xff?: string) => new Request('http://x/api/session', { headers: xff ? { 'x-forwarded-for': xff } : {} });
    expect(clientAddress(req('203.0.113.9, 10.0.0.1'))).toBe('10.0.0.1');
    expect(clientAddress(req('127.0.0.1'))).toBe('127.0.0.1');
    expect(clientAddress(req())).toBe('unknown');
  });
});

import { describe, expect, it } from 'vitest';
import { AppError } from '@/lib/core/errors';
import {
  advisedPauseMs,
  isDuplicateIndocError,
  mapFailedResponse,
  mapTransportFailure,
  REMOTE_AUTH_MESSAGE,
  retryAfterMsFrom,
} from '@/lib/betapro/errors';
import { DEFAULT_RETRY_POLICY, retryDelayMs } from '@/lib/betapro/retry';

const fail = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  mapFailedResponse({ status, body, headers, operation: 'POST /indocs' });
const envelope = (code: number, message = '') => ({ success: false, error_code: code, error_message: message });

describe('mapFailedResponse', () => {
  it('401 and 403 mean wrong credentials, with the settings hint', () => {
    for (const error of [fail(401, envelope(401, 'no auth')), fail(403, envelope(403)), fail(403, undefined)]) {
      expect(error.code).toBe('REMOTE_AUTH');
      expect(error.userMessage).toBe(REMOTE_AUTH_MESSAGE);
      expect(error.retryable).toBe(false);
    }
  });

  it('1000 carries BetaPRO’s own explanation to the user, whatever the HTTP status', () => {
    for (const status of [200, 400]) {
      const error = fail(status, envelope(1000, 'Товар ART-9 не зарегистрирован'));
      expect(error.code).toBe('REMOTE_REJECTED');
      expect(error.userMessage).toBe('БетаПРО отклонил запрос: Товар ART-9 не зарегистрирован');
      expect(error.retryable).toBe(false);
      expect(error.details).toMatchObject({ betaproCode: 1000, httpStatus: status });
    }
  });

  it('1001 is a distinguishable duplicate-number conflict', () => {
    const error = fail(200, envelope(1001, 'Входящий документ с номером MSS1 уже зарегистрирован'));
    expect(error.code).toBe('CONFLICT');
    expect(error.details).toMatchObject({ betaproCode: 1001 });
    expect(isDuplicateIndocError(error)).toBe(true);
    expect(isDuplicateIndocError(fail(200, envelope(1000)))).toBe(false);
    expect(isDuplicateIndocError(new AppError('CONFLICT', 'other'))).toBe(false);
  });

  it('404 is NOT_FOUND', () => {
    expect(fail(404, envelope(404, 'not found')).code).toBe('NOT_FOUND');
    expect(mapFailedResponse({ status: 404, body: '', headers: {}, operation: 'x', notFoundMessage: 'Нет задания' }).userMessage).toBe(
      'Нет задания',
    );
  });

  it('429 is RATE_LIMITED with the advised wait', () => {
    const error = fail(429, envelope(429, 'Превышен лимит'), { 'Retry-After': '12', 'X-RateLimit-Reset': '12' });
    expect(error.code).toBe('RATE_LIMITED');
    expect(error.retryable).toBe(true);
    expect(error.retryAfterMs).toBe(12_000);
    expect(fail(429, envelope(429), { 'x-ratelimit-reset': '3' }).retryAfterMs).toBe(3000);
    expect(fail(429, envelope(429, 'Превышен лимит err_qnt. Выполните запрос через 7 секунд')).retryAfterMs).toBe(7000);
  });

  it('5xx is REMOTE_UNAVAILABLE and retryable, with or without a JSON body', () => {
    for (const error of [fail(500, envelope(500, 'oops')), fail(502, '<html>Bad gateway</html>'), fail(503, undefined)]) {
      expect(error.code).toBe('REMOTE_UNAVAILABLE');
      expect(error.retryable).toBe(true);
    }
  });

  it('400 and an unreadable 2xx are rejections, not retried', () => {
    expect(fail(400, envelope(400, 'bad field'))).toMatchObject({ code: 'REMOTE_REJECTED', retryable: false });
    expect(fail(400, envelope(400, 'bad field')).userMessage).toContain('bad field');
    expect(fail(200, '<html>')).toMatchObject({ code: 'REMOTE_REJECTED', retryable: false });
  });

  it('never mentions credentials in any text', () => {
    const error = fail(403, envelope(403, 'wrong'));
    expect(JSON.stringify({ m: error.message, u: error.userMessage, d: error.details })).not.toMatch(/password|Basic /i);
  });
});

describe('transport failures', () => {
  it('timeouts are REMOTE_TIMEOUT, other network failures REMOTE_UNAVAILABLE; both retryable', () => {
    expect(mapTransportFailure('GET /settings', 'ETIMEDOUT', 'timeout of 100ms exceeded')).toMatchObject({
      code: 'REMOTE_TIMEOUT',
      retryable: true,
    });
    expect(mapTransportFailure('GET /settings', 'ECONNABORTED', 'aborted')).toMatchObject({ code: 'REMOTE_TIMEOUT' });
    expect(mapTransportFailure('GET /settings', 'ECONNRESET', 'socket hang up')).toMatchObject({
      code: 'REMOTE_UNAVAILABLE',
      retryable: true,
    });
    expect(mapTransportFailure('GET /settings', undefined, '?')).toMatchObject({ code: 'REMOTE_UNAVAILABLE' });
  });
});

describe('rate-limit headers', () => {
  it('reads Retry-After before X-RateLimit-Reset, seconds or HTTP date', () => {
    const now = Date.parse('2025-03-10T10:00:00Z');
    expect(retryAfterMsFrom({ 'retry-after': '5', 'x-ratelimit-reset': '9' })).toBe(5000);
    expect(retryAfterMsFrom({ 'retry-after': 'Mon, 10 Mar 2025 10:00:30 GMT' }, undefined, now)).toBe(30_000);
    expect(retryAfterMsFrom({})).toBeUndefined();
  });

  it('advises a pause when a quota is used up or the reset is in the future', () => {
    expect(advisedPauseMs({ 'x-ratelimit-remaining': '1', 'x-ratelimit-reset': '0' })).toBeUndefined();
    expect(advisedPauseMs({})).toBeUndefined();
    expect(advisedPauseMs({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '4' })).toBe(4000);
    expect(advisedPauseMs({ 'x-ratelimit-remaining': '1', 'x-ratelimit-reset': '2' })).toBe(2000);
  });
});

describe('retry policy', () => {
  const policy = {
    ...DEFAULT_RETRY_POLICY,
    maxRetries: 3,
    baseDelayMs: 100,
    maxDelayMs: 1000,
    maxRateLimitWaitMs: 30_000,
  };
  const half = () => 0.5;

  it('retries 5xx and timeouts with growing, jittered, capped delays', () => {
    const error = fail(500, envelope(500));
    const delays = [1, 2, 3].map((n) => retryDelayMs(error, n, policy, half)!);
    expect(delays).toEqual([75, 150, 300]);
    expect(retryDelayMs(error, 1, policy, () => 0)).toBe(50);
    expect(retryDelayMs(error, 1, policy, () => 0.999)).toBeLessThanOrEqual(100);
    expect(retryDelayMs(error, 3, { ...policy, maxDelayMs: 200 }, half)).toBe(150);
    expect(retryDelayMs(mapTransportFailure('x', 'ETIMEDOUT', 't'), 1, policy, half)).toBe(75);
  });

  it('stops after maxRetries', () => {
    expect(retryDelayMs(fail(500, envelope(500)), 4, policy, half)).toBeUndefined();
  });

  it('waits at least what a 429 asked for, but hands long waits back to the caller', () => {
    const asked = fail(429, envelope(429), { 'Retry-After': '2' });
    expect(retryDelayMs(asked, 1, policy, half)).toBeGreaterThanOrEqual(2000);
    expect(retryDelayMs(asked, 1, policy, half)).toBeLessThan(2300);
    expect(retryDelayMs(fail(429, envelope(429), { 'Retry-After': '3600' }), 1, policy, half)).toBeUndefined();
    expect(retryDelayMs(fail(429, envelope(429)), 1, policy, half)).toBe(75);
  });

  it('never retries 400, 401, 403, 404, 1000 or 1001', () => {
    for (const error of [
      fail(400, envelope(400)),
      fail(401, envelope(401)),
      fail(403, envelope(403)),
      fail(404, envelope(404)),
      fail(200, envelope(1000, 'x')),
      fail(200, envelope(1001, 'x')),
    ]) {
      expect(retryDelayMs(error, 1, policy, half)).toBeUndefined();
    }
  });
});

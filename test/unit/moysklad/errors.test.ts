import { describe, expect, it } from 'vitest';
import { AppError } from '@/lib/core/errors';
import {
  advisedPauseMs,
  isMsPermissionError,
  mapMoyskladError,
  mapMsTransportFailure,
  MS_TOKEN_REJECTED_MESSAGE,
  retryAfterMsFrom,
} from '@/lib/moysklad/errors';
import { DEFAULT_MS_RETRY_POLICY, msRetryDelayMs } from '@/lib/moysklad/retry';

const op = 'PUT /entity/supply/{id}';
const map = (status: number, body: unknown = {}, headers: Record<string, unknown> = {}) =>
  mapMoyskladError({ status, body, headers, operation: op });

describe('mapMoyskladError', () => {
  it('401 and 403 are REMOTE_AUTH with the reinstall message', () => {
    const e = map(401, { errors: [{ error: 'Ошибка аутентификации', code: 1056 }] });
    expect(e.code).toBe('REMOTE_AUTH');
    expect(e.userMessage).toBe(MS_TOKEN_REJECTED_MESSAGE);
    expect(e.retryable).toBe(false);
    const f = map(403, { errors: [{ error: 'Нет прав на создание статусов', code: 1016 }] });
    expect(f.code).toBe('REMOTE_AUTH');
    expect(f.userMessage).toContain('Нет прав на создание статусов');
    expect(isMsPermissionError(f)).toBe(true);
    expect(isMsPermissionError(map(500))).toBe(false);
  });

  it('404 is NOT_FOUND', () => {
    expect(map(404, { errors: [{ error: 'Объект не найден', code: 1021 }] }).code).toBe('NOT_FOUND');
  });

  it("validation errors carry MoySklad's text for the user", () => {
    const e = map(412, {
      errors: [
        {
          error: "Ошибка сохранения объекта: поле 'quantity' не может быть отрицательным",
          code: 3000,
          parameter: 'quantity',
        },
      ],
    });
    expect(e.code).toBe('REMOTE_REJECTED');
    expect(e.userMessage).toBe("МойСклад отклонил изменение: Ошибка сохранения объекта: поле 'quantity' не может быть отрицательным");
    expect(e.details).toMatchObject({ httpStatus: 412, msCodes: [3000], parameters: ['quantity'] });
    expect(e.message).toContain(op);
    expect(map(400, { errors: [{ error: 'a' }, { error: 'b', error_message: 'подробно' }] }).userMessage).toBe(
      'МойСклад отклонил изменение: a; b (подробно)',
    );
    expect(map(400, 'not json').userMessage).toContain('HTTP 400');
  });

  it('413 is PAYLOAD_TOO_LARGE, 5xx REMOTE_UNAVAILABLE (retryable)', () => {
    expect(map(413).code).toBe('PAYLOAD_TOO_LARGE');
    const e = map(503);
    expect(e.code).toBe('REMOTE_UNAVAILABLE');
    expect(e.retryable).toBe(true);
  });

  it('429 is RATE_LIMITED with X-Lognex-Retry-After in ms', () => {
    const e = map(429, { errors: [{ error: 'Превышен лимит', code: 1049 }] }, { 'x-lognex-retry-after': '1234' });
    expect(e.code).toBe('RATE_LIMITED');
    expect(e.retryAfterMs).toBe(1234);
    // parallel-request limit also comes as 429 (code 1073), usually without headers
    expect(map(429, { errors: [{ error: 'parallel', code: 1073 }] }).retryAfterMs).toBeUndefined();
  });

  it('reads the wait from the right header', () => {
    expect(retryAfterMsFrom({ 'X-Lognex-Retry-After': '500' })).toBe(500);
    expect(retryAfterMsFrom({ 'x-lognex-reset': '700' })).toBe(700);
    expect(retryAfterMsFrom({ 'retry-after': '2' })).toBe(2000);
    expect(retryAfterMsFrom({})).toBeUndefined();
    expect(advisedPauseMs({ 'x-ratelimit-remaining': '0', 'x-lognex-reset': '800' })).toBe(800);
    expect(advisedPauseMs({ 'x-ratelimit-remaining': '10', 'x-lognex-reset': '800' })).toBeUndefined();
  });

  it('transport failures', () => {
    expect(mapMsTransportFailure(op, 'ECONNABORTED', 'timeout').code).toBe('REMOTE_TIMEOUT');
    expect(mapMsTransportFailure(op, 'ECONNRESET', 'reset').code).toBe('REMOTE_UNAVAILABLE');
  });
});

describe('msRetryDelayMs', () => {
  const policy = { ...DEFAULT_MS_RETRY_POLICY, baseDelayMs: 100 };
  const state = (t: number, r = 0) => ({ transientFailures: t, rateLimitFailures: r });
  const half = () => 0.5;

  it('never retries another 4xx', () => {
    for (const status of [400, 401, 403, 404, 409, 412, 413, 415]) {
      expect(msRetryDelayMs(map(status), state(1), policy, { idempotent: true })).toBeUndefined();
    }
  });

  it('retries 5xx and network errors with growing jittered delays, up to maxRetries', () => {
    const e = map(502);
    const delays = [1, 2, 3].map((n) => msRetryDelayMs(e, state(n), policy, { idempotent: true, random: half }));
    expect(delays).toEqual([75, 150, 300]);
    expect(msRetryDelayMs(e, state(4), policy, { idempotent: true })).toBeUndefined();
  });

  it('waits what a 429 advised (plus a little jitter); gives up on too long a wait', () => {
    const e = map(429, {}, { 'x-lognex-retry-after': '1500' });
    const d = msRetryDelayMs(e, state(0, 1), policy, { idempotent: false, random: half })!;
    expect(d).toBeGreaterThanOrEqual(1500);
    expect(d).toBeLessThan(1500 + 250);
    const long = map(429, {}, { 'x-lognex-retry-after': String(120_000) });
    expect(msRetryDelayMs(long, state(0, 1), policy, { idempotent: true })).toBeUndefined();
    expect(msRetryDelayMs(e, state(0, policy.maxRateLimitRetries + 1), policy, { idempotent: true })).toBeUndefined();
  });

  it('does not repeat a POST whose fate is unknown, but does when it surely was not applied', () => {
    expect(msRetryDelayMs(map(500), state(1), policy, { idempotent: false })).toBeUndefined();
    expect(msRetryDelayMs(mapMsTransportFailure(op, 'ECONNRESET', 'x'), state(1), policy, { idempotent: false })).toBeUndefined();
    expect(msRetryDelayMs(map(503), state(1), policy, { idempotent: false })).toBeDefined();
    expect(msRetryDelayMs(mapMsTransportFailure(op, 'ECONNREFUSED', 'x'), state(1), policy, { idempotent: false })).toBeDefined();
  });

  it('INTERNAL errors are not retried by the client', () => {
    expect(msRetryDelayMs(new AppError('INTERNAL', 'x'), state(1), policy, { idempotent: true })).toBeUndefined();
  });
});

/**
 * Per-process limits on how often one client may call an endpoint (fixed one-minute windows). They
 * keep one tenant or one address from flooding the session exchange, which costs a Vendor API call
 * each time; the per-account limit of «Проверить приёмку» lives in the database (lib/sync/widget/receipt-check-throttle.ts)
 * because it must hold across processes.
 */
import { AppError } from '@/lib/core/errors';

interface Window {
  startedAt: number;
  count: number;
}

export class FixedWindowLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one call of `key`; the milliseconds to wait when over the limit, else 0. */
  take(key: string): number {
    const now = this.now();
    let window = this.windows.get(key);
    if (!window || now - window.startedAt >= this.windowMs) {
      // Bounded memory under a flood of distinct keys: old windows go first.
      if (this.windows.size >= 50_000) this.sweep(now);
      window = { startedAt: now, count: 0 };
      this.windows.set(key, window);
    }
    window.count += 1;
    return window.count > this.limit ? window.startedAt + this.windowMs - now : 0;
  }

  private sweep(now: number): void {
    for (const [key, window] of this.windows) if (now - window.startedAt >= this.windowMs) this.windows.delete(key);
    if (this.windows.size >= 50_000) this.windows.clear();
  }
}

/**
 * The client's address as the nearest proxy saw it: the last X-Forwarded-For entry (Next sets the
 * header to the socket's address when no proxy did). Production runs behind an https proxy that appends it.
 */
export function clientAddress(request: Request): string {
  const forwarded = request.headers.get('x-forwarded-for') ?? '';
  const last = forwarded
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .pop();
  return (last ?? 'unknown').slice(0, 64);
}

const SESSION_PER_ADDRESS_PER_MINUTE = 60;
const SESSION_PER_CONTEXT_KEY_PER_MINUTE = 3;
const limiterKey = Symbol.for('betapro-bridge.session-limiters');
const sessionLimiters = ((globalThis as Record<symbol, { byAddress: FixedWindowLimiter; byContextKey: FixedWindowLimiter } | undefined>)[
  limiterKey
] ??= {
  byAddress: new FixedWindowLimiter(SESSION_PER_ADDRESS_PER_MINUTE, 60_000),
  byContextKey: new FixedWindowLimiter(SESSION_PER_CONTEXT_KEY_PER_MINUTE, 60_000),
});

function rateLimited(what: string, waitMs: number): AppError {
  return new AppError('RATE_LIMITED', `session exchange limited by ${what}`, {
    userMessage: `Слишком много попыток открыть страницу. Повторите через ${Math.ceil(waitMs / 1000)} с.`,
    retryAfterMs: waitMs,
  });
}

/** POST /api/session: at most 60 a minute per client address (checked before the body is read)… */
export function limitSessionByAddress(request: Request): void {
  const wait = sessionLimiters.byAddress.take(clientAddress(request));
  if (wait) throw rateLimited('client address', wait);
}

/** …and 3 a minute per contextKey (a key is single-use: more attempts are guessing or replaying). */
export function limitSessionByContextKey(contextKey: string): void {
  const wait = sessionLimiters.byContextKey.take(contextKey.slice(0, 200));
  if (wait) throw rateLimited('contextKey', wait);
}

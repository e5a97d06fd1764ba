/**
 * Options every remote client takes (pacing, logging, timeouts, answer caps, retries, test hooks) and
 * how they resolve against the client's own defaults. Each client adds what is specific to its
 * platform (credentials, base URL, webhook prefix, private-host policy).
 */
import type { Logger } from '@/lib/core/logger';
import { InProcessRateGate, type RateGate } from '@/lib/core/rate-gate';
import type { ResponseLimits } from '@/lib/core/transport-errors';

export interface RemoteClientOptions<P extends { maxRetries: number }> {
  /** Shared pacing; pass the cross-process gate in production. Defaults to a private in-process gate. */
  gate?: RateGate;
  log?: Logger;
  /** Per attempt. */
  timeoutMs?: number;
  /** Caps on one answer (default: the client's own). */
  responseLimits?: Partial<ResponseLimits>;
  /** Retries after the first attempt, for transient causes only. */
  maxRetries?: number;
  /** Fine-tuning of backoff (tests use short delays). */
  retry?: Partial<Omit<P, 'maxRetries'>>;
  /** Injected for tests. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export interface RemoteDefaults<P> {
  policy: P;
  limits: ResponseLimits;
  timeoutMs: number;
  /** Built only when the caller passed no logger. */
  log: () => Logger;
}

export interface RemoteSetup<P> {
  gate: RateGate;
  log: Logger;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  policy: P;
  limits: ResponseLimits;
  timeoutMs: number;
}

export const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function remoteSetup<P extends { maxRetries: number }>(
  options: RemoteClientOptions<P>,
  defaults: RemoteDefaults<P>,
): RemoteSetup<P> {
  return {
    gate: options.gate ?? new InProcessRateGate(),
    log: options.log ?? defaults.log(),
    sleep: options.sleep ?? defaultSleep,
    random: options.random ?? Math.random,
    policy: { ...defaults.policy, ...options.retry, maxRetries: options.maxRetries ?? defaults.policy.maxRetries },
    limits: { ...defaults.limits, ...options.responseLimits },
    timeoutMs: options.timeoutMs ?? defaults.timeoutMs,
  };
}

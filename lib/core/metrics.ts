/**
 * In-process metrics: calls to each remote (and how many it answered 429), and per job kind how long
 * runs take and how long a job waited from enqueue to done (for `transfer` that is trigger → «Передан»,
 * for `apply-receipt` outdoc stored → applied). Kept on globalThis so every Next bundle of a process
 * shares one registry. A worker copies its snapshot into its heartbeat row, so the /api/metrics of any
 * web process reports every process of the deployment (lib/metrics.ts renders the text format).
 */
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';

export type RemoteName = 'moysklad' | 'moysklad-vendor' | 'betapro';

/** Upper bounds (seconds) of the histogram buckets; the +Inf bucket is the count. */
export const LATENCY_BUCKETS_SEC = [0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900];

export interface HistogramData {
  /** Cumulative counts, one per LATENCY_BUCKETS_SEC entry. */
  buckets: number[];
  sum: number;
  count: number;
}

export interface RemoteCounters {
  calls: number;
  rateLimited: number;
  /** Answers that were not 2xx, plus transport failures (no answer at all). */
  failures: number;
}

export interface MetricsSnapshot {
  remotes: Partial<Record<RemoteName, RemoteCounters>>;
  jobDuration: Record<string, HistogramData>;
  jobLatency: Record<string, HistogramData>;
}

interface Registry extends MetricsSnapshot {
  processId: string;
}

const registryKey = Symbol.for('betapro-bridge.metrics');

function registry(): Registry {
  const g = globalThis as typeof globalThis & { [registryKey]?: Registry };
  g[registryKey] ??= {
    processId: `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
    remotes: {},
    jobDuration: {},
    jobLatency: {},
  };
  return g[registryKey]!;
}

/** This process's identity in metrics labels and in its heartbeat row. */
export function processId(): string {
  return registry().processId;
}

/** One HTTP exchange with a remote: its status, or 'error' when no answer came (timeout, refused). */
export function recordRemoteCall(remote: RemoteName, status: number | 'error'): void {
  const counters = (registry().remotes[remote] ??= { calls: 0, rateLimited: 0, failures: 0 });
  counters.calls += 1;
  if (status === 429) counters.rateLimited += 1;
  if (status === 'error' || status < 200 || status >= 300) counters.failures += 1;
}

function observe(histograms: Record<string, HistogramData>, key: string, seconds: number): void {
  const histogram = (histograms[key] ??= { buckets: LATENCY_BUCKETS_SEC.map(() => 0), sum: 0, count: 0 });
  LATENCY_BUCKETS_SEC.forEach((bound, i) => {
    if (seconds <= bound) histogram.buckets[i] += 1;
  });
  histogram.sum += seconds;
  histogram.count += 1;
}

/** A finished run of a job: its run time, and (when it completed) the time since it was enqueued. */
export function recordJobRun(kind: string, runSeconds: number, enqueuedToDoneSeconds?: number): void {
  observe(registry().jobDuration, kind, runSeconds);
  if (enqueuedToDoneSeconds !== undefined) observe(registry().jobLatency, kind, Math.max(0, enqueuedToDoneSeconds));
}

export function metricsSnapshot(): MetricsSnapshot {
  const { remotes, jobDuration, jobLatency } = registry();
  return structuredClone({ remotes, jobDuration, jobLatency });
}

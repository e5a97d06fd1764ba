/**
 * The shape of bench/results/latest.json (schema 1). Keys are stable; README.md "Benchmarks"
 * documents each of them. Durations are milliseconds unless the key says Sec; memory is MB.
 */
import type { CallCount } from './counters';
import type { Integrity } from './fixtures';
import type { PollingResult } from './polling';
import type { RetentionResult } from './retention';
import type { Distribution } from './stats';
import type { ThroughputResult } from './throughput';
import type { WebhookResult } from './webhook';

export interface CallsRow {
  database: 'pglite' | 'postgres';
  positions: number;
  /** `new`: goods not yet registered in BetaPRO for the account; `known`: registered by an earlier transfer. */
  goods: 'new' | 'known';
  transfer: { moysklad: CallCount; betapro: CallCount; latencyMs: number };
  receipt: { kind: 'exact' | 'differences'; moysklad: CallCount; betapro: CallCount; latencyMs: number };
}

export interface LatencySeries {
  database: 'pglite' | 'postgres';
  /** `embedded`: web + worker in one process; `workers`: web (RUN_WORKER=false) + separate worker processes. */
  deployment: 'embedded' | 'workers';
  workers: number;
  positions: number;
  triggerToSentMs: Distribution;
  /** Where trigger → «Передан» goes: trigger → `requested` event (intake), `requested` → `task_created`
   * (waiting for a worker to claim the job + reading the document + creating the BetaPRO task),
   * `task_created` → `sent` (status and comment written to MoySklad). */
  triggerToSentPhasesMs: {
    toRequested: Distribution;
    requestedToTaskCreated: Distribution;
    taskCreatedToSent: Distribution;
  };
  outdocToPostedMs: Distribution;
  /** Mean calls per transfer / receipt over the series (10-position documents, known goods). */
  meanCalls: { transferMoysklad: number; transferBetapro: number; receiptMoysklad: number; receiptBetapro: number };
  /** Every sample of trigger → «Передан» in order, with its phases, and its calls by route when it made more
   * than the usual 3 MoySklad + 1 BetaPRO (so a slow sample behind a percentile can be traced). */
  samples: Array<{
    ms: number;
    requested: number;
    taskCreated: number;
    calls?: { moysklad: Record<string, number>; betapro: Record<string, number> };
  }>;
}

export interface TargetCheck {
  id: string;
  target: string;
  measured: string;
  pass: boolean | null;
  note?: string;
}

export interface ProcessRss {
  /** Role of the process: bench (+ both simulators), app (embedded), web, worker-N. */
  role: string;
  database: 'pglite' | 'postgres' | '-';
  peakRssMb: number;
  /** Every process in the tree (e.g. the tsx launcher and the node process it runs). */
  processes: Array<{ pid: number; comm: string; peakRssMb: number }>;
  /** The largest document this process handled. */
  largestDocumentPositions: number;
}

export interface RssSample {
  /** After which step the sample was taken. */
  after: string;
  role: string;
  /** VmHWM so far (monotonic) and VmRSS now, MB. */
  peakRssMb: number;
  rssMb: number;
}

export interface BenchResults {
  schema: 1;
  mode: 'quick' | 'full';
  startedAt: string;
  durationSec: number;
  environment: {
    node: string;
    cpus: number;
    memoryMb: number;
    commit: string;
    buildId: string | null;
    nextDistDir: string;
    postgres: string | null;
    moyskladRateLimit: { requests: number; windowMs: number; parallel: number };
    workerConcurrency: number;
    logLevel: string;
    /** 1-minute load average at the start and at the end (other work on the machine skews timings). */
    loadAverage: { start: number; end: number };
  };
  calls: CallsRow[];
  latency: LatencySeries[];
  webhookIntake: WebhookResult[];
  throughput: Array<ThroughputResult & { bottleneck: string }>;
  /**
   * transfersPerSec with 3 PostgreSQL workers ÷ with 1, both simulators answering after
   * `remoteLatencyMs` (REMOTE_LATENCY_MS, like real remotes) — the target's figure (null when not measured).
   */
  postgresScaling3over1: number | null;
  /** The same with simulators answering at once: on a small machine this shows CPU contention, not the workers. */
  postgresScaling3over1NoLatency: number | null;
  rateLimited: {
    moysklad: { calls: number; rejected429: number; share: number };
    betapro: { calls: number; rejected429: number; share: number };
    total: { calls: number; rejected429: number; share: number };
  };
  rss: ProcessRss[];
  /** Peak and current RSS of each product process after each step: which step raised the peak. */
  rssTimeline: RssSample[];
  integrity: Integrity & { runs: Array<{ run: string } & Integrity> };
  /** What a clerk waits for in the widget, Chromium (bench/clerk-latency.ts); absent when not run. */
  clerkLatency?: import('../clerk-latency').ClerkLatencyResult;
  /** Section `polling` (bench/lib/sections.ts); absent in results written before it existed. */
  polling?: PollingResult[];
  /** Section `retention`. */
  retention?: RetentionResult[];
  /** The stock reconciliation of 10,000 goods (bench/lib/stock.ts). */
  stock?: import('./stock').StockBenchResult[];
  targets: TargetCheck[];
  /** Where the previous figures shown next to these came from (null: none committed). */
  previousSource?: string | null;
  notes: string[];
}

/**
 * GET /api/metrics in the Prometheus text format (version 0.0.4), written here rather than with a
 * client library: a handful of gauges from the database (jobs by state, the oldest due job, dead jobs,
 * live workers) and, per process (label `process`), the counters and histograms of lib/core/metrics.ts —
 * this process's live values and every other live worker's values from its heartbeat row.
 */
import type { Db } from '@/lib/db';
import { LATENCY_BUCKETS_SEC, metricsSnapshot, processId, type HistogramData, type MetricsSnapshot } from '@/lib/core/metrics';
import { liveWorkers } from '@/lib/jobs/heartbeat';
import { queueStats } from '@/lib/queue-stats';

type Labels = Record<string, string>;

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function series(name: string, labels: Labels, value: number): string {
  const pairs = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
  return `${name}${pairs.length ? `{${pairs.join(',')}}` : ''} ${Number.isFinite(value) ? value : 0}`;
}

class Exposition {
  private readonly lines: string[] = [];

  family(name: string, type: 'gauge' | 'counter' | 'histogram', help: string): this {
    this.lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    return this;
  }

  sample(name: string, labels: Labels, value: number): this {
    this.lines.push(series(name, labels, value));
    return this;
  }

  histogram(name: string, labels: Labels, data: HistogramData): this {
    LATENCY_BUCKETS_SEC.forEach((bound, i) => this.sample(`${name}_bucket`, { ...labels, le: String(bound) }, data.buckets[i] ?? 0));
    this.sample(`${name}_bucket`, { ...labels, le: '+Inf' }, data.count);
    this.sample(`${name}_sum`, labels, Math.round(data.sum * 1e6) / 1e6);
    return this.sample(`${name}_count`, labels, data.count);
  }

  text(): string {
    return `${this.lines.join('\n')}\n`;
  }
}

function perProcess(out: Exposition, processes: Array<{ id: string; metrics: MetricsSnapshot }>): void {
  const remotes = processes.flatMap(({ id, metrics }) =>
    Object.entries(metrics.remotes ?? {}).map(([remote, c]) => ({ id, remote, c: c! })),
  );
  out.family('bridge_remote_calls_total', 'counter', 'HTTP calls made to each remote, per process.');
  for (const { id, remote, c } of remotes) out.sample('bridge_remote_calls_total', { process: id, remote }, c.calls);
  out.family('bridge_remote_rate_limited_total', 'counter', 'Calls the remote answered 429 (too many requests).');
  for (const { id, remote, c } of remotes) out.sample('bridge_remote_rate_limited_total', { process: id, remote }, c.rateLimited);
  out.family('bridge_remote_failures_total', 'counter', 'Calls answered with a non-2xx status or not answered at all.');
  for (const { id, remote, c } of remotes) out.sample('bridge_remote_failures_total', { process: id, remote }, c.failures);
  out.family(
    'bridge_job_latency_seconds',
    'histogram',
    'Enqueue to done per job kind: kind="transfer" is trigger to «Передан», kind="apply-receipt" is receipt stored to applied.',
  );
  for (const { id, metrics } of processes) {
    for (const [kind, data] of Object.entries(metrics.jobLatency ?? {}))
      out.histogram('bridge_job_latency_seconds', { process: id, kind }, data);
  }
  out.family('bridge_job_run_seconds', 'histogram', 'Run time of one job attempt per kind.');
  for (const { id, metrics } of processes) {
    for (const [kind, data] of Object.entries(metrics.jobDuration ?? {}))
      out.histogram('bridge_job_run_seconds', { process: id, kind }, data);
  }
}

export async function renderMetrics(prisma: Db): Promise<string> {
  const [stats, workers] = await Promise.all([queueStats(prisma), liveWorkers(prisma)]);
  const self = processId();
  const processes = [
    { id: self, metrics: metricsSnapshot() },
    ...workers.filter((w) => w.workerId !== self).map((w) => ({ id: w.workerId, metrics: w.metrics })),
  ];
  const out = new Exposition();
  out.family('bridge_jobs', 'gauge', 'Jobs in the queue table by state.');
  for (const [state, n] of Object.entries(stats.byState)) out.sample('bridge_jobs', { state }, n);
  out.family('bridge_jobs_due', 'gauge', 'Queued jobs whose run time has come.').sample('bridge_jobs_due', {}, stats.due);
  out
    .family('bridge_job_oldest_due_age_seconds', 'gauge', 'Age of the oldest due job (queue lag); 0 when none waits.')
    .sample('bridge_job_oldest_due_age_seconds', {}, Math.round(stats.lagSeconds * 1000) / 1000);
  out
    .family('bridge_jobs_dead', 'gauge', 'Jobs that used up their attempts (kept for operators until retention).')
    .sample('bridge_jobs_dead', {}, stats.byState.dead ?? 0);
  out
    .family('bridge_workers_alive', 'gauge', 'Worker processes seen in the last minute.')
    .sample('bridge_workers_alive', {}, workers.length);
  perProcess(out, processes);
  return out.text();
}

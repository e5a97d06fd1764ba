/**
 * /api/metrics and /api/health over HTTP on the real app with both simulators: a supply is sent to
 * BetaPRO, then the scrape is parsed as Prometheus text (every line well-formed, families declared,
 * histograms cumulative) and must show the jobs, the remote calls and the transfer's latency.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DocumentView } from '@/lib/api/contract';
import { startApp, type AppServer } from '../../support/app-server';
import { api, createSupply, documentView, installAndConfigure, startSandbox, waitFor, type ConfiguredAccount } from '../../support/sandbox';

const TOKEN = 'metrics-scrape-token-0123456789';
type Sandbox = Awaited<ReturnType<typeof startSandbox>>;
let sandbox: Sandbox;
let account: ConfiguredAccount;
const others: AppServer[] = [];

beforeAll(async () => {
  sandbox = await startSandbox({ appEnv: { METRICS_TOKEN: TOKEN } });
  account = await installAndConfigure(sandbox, 'metrics-shop');
});
afterAll(async () => {
  await Promise.all(others.map((app) => app.stop()));
  await sandbox?.stop();
});

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses the Prometheus text format strictly enough to catch a malformed line or an undeclared family. */
function parsePrometheus(text: string): Sample[] {
  const declared = new Map<string, string>();
  const samples: Sample[] = [];
  const sampleLine = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*)\})? (-?[0-9.e+-]+|NaN|\+Inf|-Inf)$/;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (gauge|counter|histogram|summary|untyped)$/.exec(line);
    if (type) {
      expect(declared.has(type[1]), `family ${type[1]} declared twice`).toBe(false);
      declared.set(type[1], type[2]);
      continue;
    }
    if (line.startsWith('# HELP ')) continue;
    const match = sampleLine.exec(line);
    expect(match, `malformed line: ${line}`).not.toBeNull();
    const [, name, labelText, value] = match!;
    const family = name.replace(/_(bucket|sum|count)$/, '');
    expect(declared.has(name) || declared.get(family) === 'histogram', `sample before its # TYPE: ${line}`).toBe(true);
    const labels = Object.fromEntries(
      [...(labelText ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]),
    );
    samples.push({ name, labels, value: Number(value) });
  }
  return samples;
}

function sum(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((total, s) => total + s.value, 0);
}

describe('metrics and health', () => {
  it('scrapes jobs, remote calls and the transfer latency after a supply is sent', async () => {
    const product = account.seed.products[0];
    const id = createSupply(sandbox, account, { positions: [{ productId: product.id, quantity: 3 }] });
    const sent = await api(sandbox.app.url, `/api/widget/documents/supply/${id}/actions`, {
      token: account.adminSession,
      body: { action: 'send' },
    });
    expect(sent.status).toBe(202);
    await waitFor('supply sent', async () => {
      const view: DocumentView = await documentView(sandbox, account.adminSession, 'supply', id);
      return view.state === 'sent' ? view : undefined;
    });

    // The transfer job's latency is recorded when the job completes, just after the document shows «Передан».
    const samples = await waitFor('transfer latency in the scrape', async () => {
      const res = await fetch(`${sandbox.app.url}/api/metrics`, { headers: { Authorization: `Bearer ${TOKEN}` } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/plain; version=0.0.4');
      const parsed = parsePrometheus(await res.text());
      return sum(parsed, 'bridge_job_latency_seconds_count', { kind: 'transfer' }) >= 1 ? parsed : undefined;
    });

    for (const state of ['queued', 'running', 'done', 'dead']) {
      expect(
        samples.some((s) => s.name === 'bridge_jobs' && s.labels.state === state),
        `bridge_jobs{state="${state}"}`,
      ).toBe(true);
    }
    expect(sum(samples, 'bridge_jobs', { state: 'done' })).toBeGreaterThanOrEqual(1);
    expect(samples.find((s) => s.name === 'bridge_job_oldest_due_age_seconds')!.value).toBeGreaterThanOrEqual(0);
    expect(samples.find((s) => s.name === 'bridge_jobs_dead')!.value).toBe(0);
    expect(samples.find((s) => s.name === 'bridge_workers_alive')!.value).toBeGreaterThanOrEqual(1);
    expect(sum(samples, 'bridge_remote_calls_total', { remote: 'moysklad' })).toBeGreaterThan(0);
    expect(sum(samples, 'bridge_remote_calls_total', { remote: 'betapro' })).toBeGreaterThan(0);
    expect(samples.some((s) => s.name === 'bridge_remote_rate_limited_total' && s.labels.remote === 'betapro')).toBe(true);

    // The transfer histogram is cumulative and its +Inf bucket equals its count.
    const buckets = samples.filter((s) => s.name === 'bridge_job_latency_seconds_bucket' && s.labels.kind === 'transfer');
    const values = buckets.map((b) => b.value);
    expect(values).toEqual([...values].sort((a, b) => a - b));
    expect(buckets.at(-1)!.labels.le).toBe('+Inf');
    expect(buckets.at(-1)!.value).toBe(sum(samples, 'bridge_job_latency_seconds_count', { kind: 'transfer' }));
    expect(sum(samples, 'bridge_job_latency_seconds_sum', { kind: 'transfer' })).toBeGreaterThan(0);
  });

  it('asks for the token: 401 without it or with a wrong one', async () => {
    expect((await fetch(`${sandbox.app.url}/api/metrics`)).status).toBe(401);
    const wrong = await fetch(`${sandbox.app.url}/api/metrics`, {
      headers: { Authorization: 'Bearer wrong-token-wrong-token-xx' },
    });
    expect(wrong.status).toBe(401);
  });

  it('health reports the worker heartbeats and the queue lag', async () => {
    const res = await fetch(`${sandbox.app.url}/api/health`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      workers: { seen: number; ok: boolean; lastSeenSecondsAgo: number };
      queue: { due: number; lagSeconds: number };
    };
    expect(body.workers).toMatchObject({ ok: true });
    expect(body.workers.seen).toBeGreaterThanOrEqual(1);
    expect(body.workers.lastSeenSecondsAgo).toBeLessThan(60);
    expect(body.queue.lagSeconds).toBeGreaterThanOrEqual(0);
    expect(body.queue.due).toBeGreaterThanOrEqual(0);
  });

  it('answers 404 when no METRICS_TOKEN is configured', async () => {
    const app = await startApp({});
    others.push(app);
    const res = await fetch(`${app.url}/api/metrics`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(404);
  });
});

/**
 * Pieces of the fault suite: a seeded random source, worker processes that can be SIGKILLed, database
 * outages (a real PostgreSQL restart, or cutting only the suite's database off), and readers of the
 * simulators' and the database's state for the final invariants.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { TEST_DATABASE_URL } from '../support/db';
import { productNodeFlags, productProcessEnv } from '../../scripts/node-flags';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

// ------------------------------------------------------------------ randomness

/** mulberry32: small, seeded, good enough to pick faults reproducibly. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Rng {
  next(): number;
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
  shuffle<T>(items: T[]): T[];
}

export function rng(seed: number): Rng {
  const next = seededRandom(seed);
  const r: Rng = {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: (items) => items[Math.floor(next() * items.length)],
    chance: (p) => next() < p,
    shuffle(items) {
      for (let i = items.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [items[i], items[j]] = [items[j], items[i]];
      }
      return items;
    },
  };
  return r;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ------------------------------------------------------------------ worker processes

export interface WorkerProcess {
  child: ChildProcess;
  pid: number;
  /** Set when the suite killed it (any other exit is a crash). */
  killed: boolean;
  logs(): string;
}

/**
 * scripts/worker.ts as `npm run worker` runs it, but in one process: `node --import tsx`, not the `tsx`
 * CLI, which runs the script in a child process of its own — a SIGKILL to the CLI cannot be relayed
 * and would leave the real worker running as an orphan. Output is kept for diagnostics.
 */
export function startWorkerProcess(env: Record<string, string>): WorkerProcess {
  const child = spawn(process.execPath, [...productNodeFlags('worker'), '--import', 'tsx', 'scripts/worker.ts'], {
    cwd: ROOT,
    env: {
      ...productProcessEnv('worker'),
      ...env,
      RUN_WORKER: 'true',
      LOG_LEVEL: process.env.CHAOS_WORKER_LOG_LEVEL ?? 'warn',
    } as unknown as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output += chunk.toString();
    if (output.length > 200_000) output = output.slice(-100_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  return { child, pid: child.pid!, killed: false, logs: () => output };
}

export function kill(worker: WorkerProcess): void {
  worker.killed = true;
  if (alive(worker)) worker.child.kill('SIGKILL');
}

export function alive(worker: WorkerProcess): boolean {
  return worker.child.exitCode === null && worker.child.signalCode === null;
}

// ------------------------------------------------------------------ database outages

export type OutageMode = 'restart' | 'terminate';

function adminClient(): pg.Client {
  return new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 5_000 });
}

export function databaseName(url: string): string {
  return decodeURIComponent(new URL(url).pathname.slice(1));
}

function pgCluster(): string | undefined {
  if (!existsSync('/etc/postgresql')) return undefined;
  return readdirSync('/etc/postgresql').sort().pop();
}

/**
 * One outage of `ms` milliseconds.
 *  - `restart`: the PostgreSQL server itself is stopped and started again (pg_ctlcluster): every
 *    connection of every process breaks, new ones are refused until it is back. Disturbs anything else
 *    using the same server, so CI (where the suite runs alone) asks for it with CHAOS_PG_OUTAGE=restart.
 *  - `terminate`: only the suite's database goes away: new connections are refused
 *    (ALLOW_CONNECTIONS false) and existing ones are killed (pg_terminate_backend) for the whole window.
 *    From the app's side this is the same failure (connections drop, reconnects fail), without touching
 *    other test runs on a shared server.
 */
export async function databaseOutage(mode: OutageMode, databaseUrl: string, ms: number): Promise<void> {
  const name = databaseName(databaseUrl);
  if (mode === 'restart') {
    const cluster = pgCluster();
    if (!cluster) throw new Error('CHAOS_PG_OUTAGE=restart needs pg_ctlcluster (Debian PostgreSQL packages)');
    const run = (action: string) => {
      const result = spawnSync(
        'pg_ctlcluster',
        ['--skip-systemctl-redirect', cluster, 'main', action, ...(action === 'stop' ? ['-m', 'fast'] : [])],
        { encoding: 'utf8' },
      );
      if (result.status !== 0) throw new Error(`pg_ctlcluster ${action} failed: ${result.stderr}`);
    };
    run('stop');
    try {
      await sleep(ms);
    } finally {
      run('start');
      await waitForDatabase(30_000);
    }
    return;
  }
  const admin = adminClient();
  await admin.connect();
  try {
    await admin.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS false`);
    const until = Date.now() + ms;
    while (Date.now() < until) {
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
      await sleep(200);
    }
  } finally {
    await admin.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS true`).catch(() => undefined);
    await admin.end().catch(() => undefined);
  }
}

export async function waitForDatabase(timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const client = adminClient();
    try {
      await client.connect();
      await client.query('SELECT 1');
      await client.end();
      return;
    } catch (error) {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline) throw error;
      await sleep(250);
    }
  }
}

/** Runs `fn` with a short-lived client on the suite's database; retried while the database is away. */
export async function withDatabase<T>(url: string, fn: (client: pg.Client) => Promise<T>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
    try {
      await client.connect();
      const result = await fn(client);
      await client.end();
      return result;
    } catch (error) {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline) throw error;
      await sleep(300);
    }
  }
}

/**
 * A SIGKILLed worker's claims stay leased until the lease runs out (60 s, extended to 2–5 min by the
 * heartbeat of long jobs). The quick run cannot wait that long, so it fast-forwards the clock for the
 * dead worker's leases only — exactly what waiting would do, minus the wait.
 */
export async function expireLeasesOf(url: string, pid: number): Promise<number> {
  return withDatabase(
    url,
    async (client) => {
      const res = await client.query(
        `UPDATE "Job" SET "leaseUntil" = now() - interval '1 second'
      WHERE "state" = 'running' AND "lockedBy" LIKE $1`,
        [`%:${pid}:%`],
      );
      return res.rowCount ?? 0;
    },
    10_000,
  ).catch(() => 0);
}

// ------------------------------------------------------------------ simulator state

export interface BetaproIndoc {
  indoc_id: string;
  state: string;
  items: Array<{ good_id: string; plan_qnt: number }>;
}
export interface BetaproOutdoc {
  outdoc_id: number;
  outdoc_type: string;
  indoc_id?: string;
  task_id?: string;
  locked: boolean;
  deleted?: boolean;
  unlock_request: boolean;
  part_num?: number;
  goods?: Array<{ good_id: string; plan_qnt: number; useful_qnt: number; defective_qnt: number }>;
}
export interface BetaproState {
  partners: Array<{
    partnerId: string;
    goods: Array<{ good_id: string }>;
    indocs: BetaproIndoc[];
    outdocs: BetaproOutdoc[];
  }>;
}

export async function betaproState(controlUrl: string): Promise<BetaproState> {
  const res = await fetch(`${controlUrl}/state`);
  return (await res.json()) as BetaproState;
}

export async function betaproControl(controlUrl: string, route: string, body: unknown = {}): Promise<Record<string, unknown>> {
  const res = await fetch(`${controlUrl}${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`BetaPRO control ${route}: ${res.status} ${text}`);
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

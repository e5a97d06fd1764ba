/**
 * A job enqueued by one process starts in a worker of another process within 100 ms, through
 * LISTEN/NOTIFY: the worker's poll is set to ten minutes, so nothing but the notification can wake it
 * during the test. Each job's delay is measured on the database clock, from the job row's `createdAt`
 * (the start of the enqueueing transaction, so a little before its commit: the measure errs on the
 * long side) to the handler's first statement (right after the claim). Every job must make it, not
 * the fastest of a few. The listening connection comes back after it is killed. PostgreSQL only (the
 * embedded database has one process).
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { z } from 'zod';
import { defineJob, startWorker, type Worker } from '@/lib/jobs/worker';
import { JOB_ENQUEUED_CHANNEL } from '@/lib/jobs/wake-listener';
import { openTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '../../support/db';

const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
const POLL_NEVER_MS = 600_000;
const JOBS = 8;
const GAP_MS = 250;

/** Enqueues `count` jobs from a separate Node process, one every `gapMs`; resolves when it exits. */
function enqueueFromAnotherProcess(url: string, kind: string, count = 1, gapMs = 0): Promise<void> {
  return new Promise((resolve, reject) => {
    const script = path.join(import.meta.dirname, 'enqueue-in-another-process.ts');
    const child = spawn(path.join(ROOT, 'node_modules', '.bin', 'tsx'), [script, url, kind, String(count), String(gapMs)], {
      cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'silent' }, stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (chunk) => (err += chunk));
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`enqueue process failed (${code}): ${err}`))));
  });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe.skipIf(!TEST_DATABASE_URL)('cross-process wake-up on PostgreSQL', () => {
  let db: TestDatabase;
  /** Per kind and job number: milliseconds from the enqueue to the handler's start, database clock. */
  const delays = new Map<string, number>();
  const job = (kind: string) => defineJob({
    kind,
    payload: z.object({ n: z.number() }),
    handler: async (payload, ctx) => {
      const [{ now }] = await ctx.prisma.$queryRawUnsafe<{ now: Date }[]>('SELECT clock_timestamp() AS now');
      const createdAt = (ctx.job as typeof ctx.job & { createdAt: Date }).createdAt;
      (globalThis as any).__dbg.push(['handler', Date.now(), now.getTime(), new Date(createdAt).getTime()]);
      delays.set(`${kind}#${payload.n}`, now.getTime() - new Date(createdAt).getTime());
    },
  });

  beforeAll(async () => {
    (globalThis as any).__dbg = [];
    db = await openTestDatabase('postgres');
  });
  afterAll(async () => {
    await db?.close();
  });

  async function waitForStarts(kind: string, count: number, withinMs: number): Promise<number[]> {
    const deadline = Date.now() + withinMs;
    const keys = Array.from({ length: count }, (_, i) => `${kind}#${i + 1}`);
    while (keys.some((key) => !delays.has(key)) && Date.now() < deadline) await sleep(5);
    return keys.map((key) => delays.get(key) ?? Number.POSITIVE_INFINITY);
  }

  it('starts every job enqueued by another process within 100 ms without the poll, also after the listener reconnects', async () => {
    const worker: Worker = startWorker({
      prisma: db.prisma, jobs: [job('ops.wake'), job('ops.wake-after-reconnect')], pollIntervalMs: POLL_NEVER_MS,
      listenUrl: db.url, concurrency: 2,
    });
    try {
      await worker.listening();
      await sleep(300); // the worker's first claim (at start) is over; from now on only a wake-up runs a job
      await enqueueFromAnotherProcess(db.url!, 'ops.wake', JOBS, GAP_MS);
      const wakeDelays = await waitForStarts('ops.wake', JOBS, 2_000);
      console.log(JSON.stringify((globalThis as any).__dbg));
      expect(wakeDelays.every((ms) => ms <= 100), `delays ${wakeDelays.join(', ')} ms`).toBe(true);

      // Kill the listening connection: the listener reconnects and wakes again.
      const admin = new pg.Client({ connectionString: db.url });
      await admin.connect();
      const killed = await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query ILIKE $1`,
        [`LISTEN ${JOB_ENQUEUED_CHANNEL}%`],
      );
      await admin.end();
      expect(killed.rowCount).toBe(1);
      await sleep(1_000);
      await enqueueFromAnotherProcess(db.url!, 'ops.wake-after-reconnect', 3, GAP_MS);
      const afterReconnect = await waitForStarts('ops.wake-after-reconnect', 3, 2_000);
      expect(afterReconnect.every((ms) => ms <= 100), `delays ${afterReconnect.join(', ')} ms`).toBe(true);
    } finally {
      await worker.stop();
    }
  });

  it('without the listener the same worker waits for its poll (the control for the test above)', async () => {
    const worker = startWorker({ prisma: db.prisma, jobs: [job('ops.no-listen')], pollIntervalMs: POLL_NEVER_MS });
    try {
      await sleep(300);
      await enqueueFromAnotherProcess(db.url!, 'ops.no-listen');
      await sleep(1_000);
      expect(delays.has('ops.no-listen#1')).toBe(false);
    } finally {
      await worker.stop();
    }
  });
});

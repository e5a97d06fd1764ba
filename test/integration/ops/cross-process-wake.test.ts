/**
 * A job enqueued by one process starts in a worker of another process within 100 ms, through
 * LISTEN/NOTIFY, with the worker's poll set to ten minutes; the listening connection comes back
 * after it is killed. PostgreSQL only (the embedded database has one process).
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

/** Enqueues a job from a separate Node process; resolves with when its enqueue committed. */
function enqueueFromAnotherProcess(url: string, kind: string): Promise<{ committedAt: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(ROOT, 'node_modules', '.bin', 'tsx'), [path.join(import.meta.dirname, 'enqueue-in-another-process.ts'), url, kind], {
      cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'silent' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (err += chunk));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim())) : reject(new Error(`enqueue process failed (${code}): ${err}`))));
  });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe.skipIf(!TEST_DATABASE_URL)('cross-process wake-up on PostgreSQL', () => {
  let db: TestDatabase;
  const started = new Map<string, number>();
  const job = (kind: string) => defineJob({
    kind,
    payload: z.object({ from: z.number() }),
    handler: async () => {
      started.set(kind, Date.now());
    },
  });
  const kinds = ['ops.wake-1', 'ops.wake-2', 'ops.wake-3', 'ops.wake-after-reconnect'];

  beforeAll(async () => {
    db = await openTestDatabase('postgres');
  });
  afterAll(async () => {
    await db?.close();
  });

  async function waitForStart(kind: string, withinMs: number): Promise<number | undefined> {
    const deadline = Date.now() + withinMs;
    while (!started.has(kind) && Date.now() < deadline) await sleep(2);
    return started.get(kind);
  }

  it('starts jobs enqueued by another process within 100 ms without the poll, also after the listener reconnects', async () => {
    const worker: Worker = startWorker({
      prisma: db.prisma, jobs: kinds.map(job), pollIntervalMs: POLL_NEVER_MS, listenUrl: db.url, concurrency: 2,
    });
    try {
      await worker.listening();
      await sleep(300); // the worker's first claim (at start) is over; from now on only a wake-up runs it
      // Three jobs one after another. On an idle machine each starts within ~10 ms of its commit; on a
      // machine shared by busy processes the claim's own round trips can take longer, so every job must
      // start within a second (the poll would take ten minutes) and the fastest within 100 ms.
      const delays: number[] = [];
      for (const n of [1, 2, 3]) {
        const kind = `ops.wake-${n}`;
        const { committedAt } = await enqueueFromAnotherProcess(db.url!, kind);
        const startedAt = await waitForStart(kind, 2_000);
        expect(startedAt, `job ${n} did not start`).toBeDefined();
        delays.push(startedAt! - committedAt);
      }
      expect(Math.max(...delays), `delays ${delays.join(', ')} ms`).toBeLessThan(1_000);
      expect(Math.min(...delays), `delays ${delays.join(', ')} ms`).toBeLessThan(100);

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
      const second = await enqueueFromAnotherProcess(db.url!, 'ops.wake-after-reconnect');
      const secondStart = await waitForStart('ops.wake-after-reconnect', 2_000);
      expect(secondStart, 'the job did not start after the reconnection').toBeDefined();
      expect(secondStart! - second.committedAt).toBeLessThan(1_000);
    } finally {
      await worker.stop();
    }
  });

  it('without the listener the same worker waits for its poll (the control for the test above)', async () => {
    const worker = startWorker({ prisma: db.prisma, jobs: [job('ops.no-listen')], pollIntervalMs: POLL_NEVER_MS });
    try {
      await sleep(300);
      await enqueueFromAnotherProcess(db.url!, 'ops.no-listen');
      expect(await waitForStart('ops.no-listen', 1_000)).toBeUndefined();
    } finally {
      await worker.stop();
    }
  });
});

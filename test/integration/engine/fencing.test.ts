/**
 * Exactly once, even on a starved machine (issue 14, item 11): a worker whose lease expired and whose
 * job another worker took over must not repeat an effect. Its MoySklad and BetaPRO writes are refused
 * before they leave the process, its records (events, state changes) are refused by the database, and
 * it leaves the job's row to the new owner; a lease renewed by a write keeps the job from a takeover.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { openDatabase, type Database } from '@/lib/db';
import { claimJobs, enqueueJob } from '@/lib/jobs/queue';
import { defineJob, startWorker } from '@/lib/jobs/worker';
import { fenceRemoteWrite, isClaimLost, runWithClaim, withClaim } from '@/lib/jobs/claim';
import { createMoyskladClient } from '@/lib/moysklad/json-api';
import { createBetaproClient } from '@/lib/betapro';
import { fenceWrites, isBetaproWrite } from '@/lib/sync/account/clients';
import { openTestDatabase, TEST_DATABASE_KINDS, type TestDatabase } from '../../support/db';

/** Stands for MoySklad and BetaPRO: counts what reaches it and answers success. */
let remote: Server;
let remoteUrl: string;
const received: string[] = [];

beforeAll(async () => {
  remote = createServer((req, res) => {
    received.push(`${req.method} ${req.url}`);
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ success: true }));
    });
  });
  await new Promise<void>((resolve) => remote.listen(0, '127.0.0.1', resolve));
  remoteUrl = `http://127.0.0.1:${(remote.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => remote.close(resolve));
});

function clients() {
  const moysklad = createMoyskladClient({
    baseUrl: `${remoteUrl}/ms`,
    token: 't',
    accountId: 'acc-fence',
    maxRetries: 0,
  });
  fenceWrites(moysklad.http, (r) => (r.method ?? 'get').toLowerCase() !== 'get');
  const betapro = createBetaproClient({
    baseUrl: `${remoteUrl}/bp`,
    partnerId: 'P-1',
    password: 'p',
    maxRetries: 0,
    allowPrivateHosts: true,
  });
  fenceWrites(betapro.http, isBetaproWrite);
  return { moysklad, betapro };
}

describe.each(TEST_DATABASE_KINDS)('fencing with the job claim on %s', (kind) => {
  let db: TestDatabase;
  let second: Database | undefined;
  beforeAll(async () => {
    db = await openTestDatabase(kind);
    second = kind === 'postgres' ? await openDatabase({ databaseUrl: db.url!, poolSize: 3 }) : undefined;
  });
  afterAll(async () => {
    await second?.close();
    await db.close();
  });
  const other = () => second?.prisma ?? db.prisma;

  /** A job that writes to both remotes and records its effect, once the test lets it go on. */
  function effectJob(kindName: string) {
    let started!: (id: bigint) => void;
    let release!: () => void;
    let finished!: (outcome: string[]) => void;
    const startedP = new Promise<bigint>((r) => (started = r));
    const releaseP = new Promise<void>((r) => (release = r));
    const finishedP = new Promise<string[]>((r) => (finished = r));
    const job = defineJob({
      kind: kindName,
      payload: z.object({}),
      async handler(_payload, ctx) {
        started(ctx.job.id);
        await releaseP;
        const { moysklad, betapro } = clients();
        const outcome: string[] = [];
        const attempt = async (name: string, effect: () => Promise<unknown>) => {
          try {
            await effect();
            outcome.push(`${name}: done`);
          } catch (error) {
            outcome.push(`${name}: ${isClaimLost(error) ? 'claim lost' : String(error)}`);
          }
        };
        await attempt('moysklad PUT', () =>
          moysklad.request({ method: 'PUT', path: '/entity/supply/doc-1', body: {}, schema: z.unknown() }),
        );
        await attempt('betapro lock', () => betapro.lockOutdocs([{ outdocId: 7, lock: true }]));
        await attempt('record', () =>
          withClaim(ctx.prisma, (tx) => tx.job.create({ data: { kind: `${kindName}-effect`, state: 'done' } })),
        );
        finished(outcome);
        if (outcome.some((o) => o.endsWith('claim lost'))) throw new Error('claim lost');
      },
    });
    return { job, started: startedP, release, finished: finishedP };
  }

  it('a worker that lost its claim to another sends nothing to MoySklad or BetaPRO, records nothing and leaves the job alone', async () => {
    const effect = effectJob(`fenced-${kind}`);
    const worker = startWorker({
      prisma: db.prisma,
      jobs: [effect.job as never],
      workerId: 'worker-a',
      pollIntervalMs: 50,
      singleConnection: kind === 'pglite',
    });
    try {
      await enqueueJob(db.prisma, { kind: `fenced-${kind}` });
      const jobId = await effect.started;
      // Worker A was starved past its lease; worker B took the job over (what claimJobs does then).
      await other().$executeRawUnsafe(
        `UPDATE "Job" SET "lockedBy" = 'worker-b', "attempts" = "attempts" + 1, "leaseUntil" = now() + interval '1 minute' WHERE "id" = $1`,
        jobId,
      );
      received.length = 0;
      effect.release();
      expect(await effect.finished).toEqual(['moysklad PUT: claim lost', 'betapro lock: claim lost', 'record: claim lost']);
      await new Promise((r) => setTimeout(r, 200));
      expect(received).toEqual([]);
      expect(await db.prisma.job.count({ where: { kind: `fenced-${kind}-effect` } })).toBe(0);
      const row = await db.prisma.job.findUniqueOrThrow({ where: { id: jobId } });
      expect(row).toMatchObject({ state: 'running', lockedBy: 'worker-b', attempts: 2, lastError: null });
    } finally {
      await worker.stop();
    }
  });

  it('the same job with its claim held writes once to each remote and records its effect', async () => {
    const effect = effectJob(`held-${kind}`);
    const worker = startWorker({
      prisma: db.prisma,
      jobs: [effect.job as never],
      workerId: 'worker-a',
      pollIntervalMs: 50,
      singleConnection: kind === 'pglite',
    });
    try {
      await enqueueJob(db.prisma, { kind: `held-${kind}` });
      const jobId = await effect.started;
      received.length = 0;
      effect.release();
      expect(await effect.finished).toEqual(['moysklad PUT: done', 'betapro lock: done', 'record: done']);
      expect(received).toEqual(['PUT /ms/entity/supply/doc-1', 'POST /bp/outdocs/lock']);
      expect(await db.prisma.job.count({ where: { kind: `held-${kind}-effect` } })).toBe(1);
      await expect.poll(async () => (await db.prisma.job.findUniqueOrThrow({ where: { id: jobId } })).state).toBe('done');
    } finally {
      await worker.stop();
    }
  });

  it('a write renews the lease: an expired lease renewed before a takeover keeps the job; after one, the write is refused', async () => {
    await enqueueJob(db.prisma, { kind: `lease-${kind}` });
    const [job] = await claimJobs(db.prisma, 'worker-a', 1, 100, [`lease-${kind}`]);
    const claim = { job, workerId: 'worker-a', leaseMs: 60_000, prisma: db.prisma };
    await new Promise((r) => setTimeout(r, 250)); // the lease has expired; nobody took the job yet
    await runWithClaim(claim, () => fenceRemoteWrite());
    expect(await claimJobs(other(), 'worker-b', 1, 60_000, [`lease-${kind}`])).toEqual([]);

    await db.prisma.$executeRawUnsafe(`UPDATE "Job" SET "leaseUntil" = now() - interval '1 second' WHERE "id" = $1`, job.id);
    const [taken] = await claimJobs(other(), 'worker-b', 1, 60_000, [`lease-${kind}`]);
    expect(taken.id).toBe(job.id);
    const refused = await runWithClaim(claim, () => fenceRemoteWrite()).then(
      () => 'sent',
      (error) => (isClaimLost(error) ? 'claim lost' : String(error)),
    );
    expect(refused).toBe('claim lost');
  });
});

/**
 * Retention over a long run (lib/jobs/retention.ts): row counts of the job, inbound-event and
 * sync-event tables while documents keep flowing, with the app's own retention job doing the deleting.
 *
 * Simulated time: RETENTION_DAYS cannot go below one day and the job runs hourly, so a real run would
 * take days. Each round does real work (transfers and receipts through the app), then moves the clock of
 * the three tables forward by ROUND_HOURS — every finishedAt / createdAt the job compares with its
 * cut-off is moved back by that much — and makes the retention job due at once, as its hourly rerun
 * would. Nothing else reads those timestamps for a decision (the poll's "recently sent" uses
 * SyncDocument.sentAt), so the app behaves as it would have over the simulated days. The app runs
 * embedded (web + worker) on a PostgreSQL database of its own, which the bench can read meanwhile.
 */
import pg from 'pg';
import { measureReceipt, measureTransfer } from './documents';
import { benchAccount, createProducts, createSupply, sleep, waitView, type BenchAccount, type BenchSandbox } from './fixtures';

export const RETENTION_DAYS_FOR_RUN = 1;
const ROUND_HOURS = 6;

export interface RetentionSample {
  round: number;
  simulatedHours: number;
  jobs: number;
  inboundEvents: number;
  syncEvents: number;
}

export interface RetentionResult {
  database: 'postgres';
  retentionDays: number;
  roundHours: number;
  documentsPerRound: number;
  /** Counts after each round's retention run (round 0: before any document). */
  samples: RetentionSample[];
  /** Rows the tables would hold with nothing deleted (sum of all rounds' growth). */
  withoutRetention: Omit<RetentionSample, 'round' | 'simulatedHours'>;
  bounded: boolean;
}

async function counts(client: pg.Client): Promise<Omit<RetentionSample, 'round' | 'simulatedHours'>> {
  const { rows } = await client.query<{ jobs: string; inbound: string; events: string }>(
    'SELECT (SELECT count(*) FROM "Job") AS jobs, (SELECT count(*) FROM "InboundEvent") AS inbound, (SELECT count(*) FROM "SyncEvent") AS events',
  );
  return { jobs: Number(rows[0].jobs), inboundEvents: Number(rows[0].inbound), syncEvents: Number(rows[0].events) };
}

/** Moves the three tables' clock ROUND_HOURS forward, then lets the retention job run once and waits for it. */
async function advanceAndRetain(client: pg.Client): Promise<void> {
  const shift = `interval '${ROUND_HOURS} hours'`;
  await client.query(`UPDATE "Job" SET "finishedAt" = "finishedAt" - ${shift} WHERE "finishedAt" IS NOT NULL`);
  await client.query(`UPDATE "InboundEvent" SET "createdAt" = "createdAt" - ${shift}`);
  await client.query(`UPDATE "SyncEvent" SET "createdAt" = "createdAt" - ${shift}`);
  const due = await client.query(`UPDATE "Job" SET "runAt" = now() WHERE kind = 'retention' AND state = 'queued' RETURNING id`);
  if (!due.rowCount) throw new Error('retention: no queued retention job to run');
  const deadline = Date.now() + 60_000;
  // Done when the job has rescheduled itself about an hour ahead (lib/jobs/retention.ts RERUN_AFTER_MS).
  for (;;) {
    const { rows } = await client.query(
      `SELECT 1 FROM "Job" WHERE kind = 'retention' AND state = 'queued' AND "runAt" > now() + interval '30 minutes'`,
    );
    if (rows.length) return;
    if (Date.now() > deadline) throw new Error('retention: the job did not run within 60 s');
    await sleep(100);
  }
}

/**
 * Every other document is sent the way a MoySklad user does it, by the status «Передать» (a webhook: it
 * leaves an inbound event), the others by the widget action.
 */
async function transfer(sandbox: BenchSandbox, account: BenchAccount, id: string, byStatus: boolean): Promise<string> {
  if (!byStatus) return (await measureTransfer(sandbox, account, id, { timeoutMs: 60_000, count: false })).indocId;
  const ms = sandbox.moysklad;
  ms.userUpdate(account.accountId, 'supply', id, {
    state: ms.stateMeta('supply', account.seed.states.supply['Передать']),
  });
  const view = await waitView(sandbox, account, id, (v) => v.state === 'sent' && Boolean(v.indocId), 60_000, 50);
  return view.indocId!;
}

export async function measureRetention(
  sandbox: BenchSandbox,
  databaseUrl: string,
  plan: { rounds: number; documentsPerRound: number },
  log: (...args: unknown[]) => void,
): Promise<RetentionResult> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const account = await benchAccount(sandbox, 'retention');
    const productIds = createProducts(sandbox, account, 'RET', 10);
    const plan10 = productIds.map((_, i) => ({ goodId: `RET-${i + 1}`, quantity: 1 + (i % 7) }));
    const samples: RetentionSample[] = [{ round: 0, simulatedHours: 0, ...(await counts(client)) }];
    const growth = { jobs: 0, inboundEvents: 0, syncEvents: 0 };
    for (let round = 1; round <= plan.rounds; round++) {
      const before = await counts(client);
      for (let i = 0; i < plan.documentsPerRound; i++) {
        const id = await createSupply(sandbox, account, productIds);
        const indocId = await transfer(sandbox, account, id, i % 2 === 0);
        await measureReceipt(sandbox, account, id, indocId, plan10, 'exact', { timeoutMs: 60_000, count: false });
      }
      await sleep(500);
      const after = await counts(client);
      growth.jobs += after.jobs - before.jobs;
      growth.inboundEvents += after.inboundEvents - before.inboundEvents;
      growth.syncEvents += after.syncEvents - before.syncEvents;
      await advanceAndRetain(client);
      samples.push({ round, simulatedHours: round * ROUND_HOURS, ...(await counts(client)) });
      log(`retention: round ${round}/${plan.rounds} (${round * ROUND_HOURS} h simulated): ${JSON.stringify(samples.at(-1))}`);
    }
    const middle = samples[Math.floor(samples.length / 2)];
    const end = samples[samples.length - 1];
    // Bounded: once the run is longer than the retention window, the tables stop growing with it.
    const bounded = (['jobs', 'inboundEvents', 'syncEvents'] as const).every((k) => end[k] <= middle[k] * 1.25 + 5);
    return {
      database: 'postgres',
      retentionDays: RETENTION_DAYS_FOR_RUN,
      roundHours: ROUND_HOURS,
      documentsPerRound: plan.documentsPerRound,
      samples,
      withoutRetention: {
        jobs: samples[0].jobs + growth.jobs,
        inboundEvents: samples[0].inboundEvents + growth.inboundEvents,
        syncEvents: samples[0].syncEvents + growth.syncEvents,
      },
      bounded,
    };
  } finally {
    await client.end();
  }
}

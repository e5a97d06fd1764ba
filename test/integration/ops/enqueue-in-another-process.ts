/**
 * Child process of cross-process-wake.test.ts: on the PostgreSQL database given as argv[2], enqueues
 * argv[4] jobs of kind argv[3] (payload `{ n }`, n from 1), one every argv[5] ms. A separate process,
 * so the test's worker cannot be woken by the in-process listeners: only the database's NOTIFY can.
 * Prints one JSON line per job: `{ n, beforeCommit }`, the database clock (epoch ms) read in the
 * enqueueing transaction right before its COMMIT — a moment no later than the commit.
 */
import { openDatabase } from '../../../lib/db';
import { enqueueJob } from '../../../lib/jobs/queue';

const [url, kind, countArg = '1', gapArg = '0'] = process.argv.slice(2);
const db = await openDatabase({ databaseUrl: url, poolSize: 1 });
await db.prisma.$queryRawUnsafe('SELECT 1'); // connect first, and let this process's start-up settle
await new Promise((resolve) => setTimeout(resolve, Number(gapArg)));
for (let n = 1; n <= Number(countArg); n++) {
  const beforeCommit = await db.prisma.$transaction(async (tx) => {
    await enqueueJob(tx, { kind, payload: { n } });
    const [{ at }] = await tx.$queryRawUnsafe<{ at: number }[]>('SELECT (extract(epoch FROM clock_timestamp()) * 1000)::float8 AS at');
    return at;
  });
  process.stdout.write(`${JSON.stringify({ n, beforeCommit })}\n`);
  if (n < Number(countArg)) await new Promise((resolve) => setTimeout(resolve, Number(gapArg)));
}
await db.close();

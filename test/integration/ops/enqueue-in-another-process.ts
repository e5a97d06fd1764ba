/**
 * Child process of cross-process-wake.test.ts: on the PostgreSQL database given as argv[2], enqueues
 * argv[4] jobs of kind argv[3] (payload `{ n }`, n from 1), one every argv[5] ms. A separate process,
 * so the test's worker cannot be woken by the in-process listeners: only the database's NOTIFY can.
 * The test reads the enqueue time from the job row (database clock), not from this process.
 */
import { openDatabase } from '../../../lib/db';
import { enqueueJob } from '../../../lib/jobs/queue';

const [url, kind, countArg = '1', gapArg = '0'] = process.argv.slice(2);
const db = await openDatabase({ databaseUrl: url, poolSize: 1 });
await db.prisma.$queryRawUnsafe('SELECT 1'); // connect first, and let this process's start-up settle
await new Promise((resolve) => setTimeout(resolve, Number(gapArg)));
for (let n = 1; n <= Number(countArg); n++) {
  await enqueueJob(db.prisma, { kind, payload: { n } });
  if (n < Number(countArg)) await new Promise((resolve) => setTimeout(resolve, Number(gapArg)));
}
await db.close();

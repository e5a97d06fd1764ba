/**
 * Child process of cross-process-wake.test.ts: enqueues one job on the PostgreSQL database given as
 * argv[2] (kind argv[3]) and prints, as JSON, the wall-clock time at which the enqueue had committed.
 * A separate process, so the test's worker cannot be woken by the in-process listeners.
 */
import { openDatabase } from '../../../lib/db';
import { enqueueJob } from '../../../lib/jobs/queue';

const [url, kind] = process.argv.slice(2);
const db = await openDatabase({ databaseUrl: url, poolSize: 1 });
await db.prisma.$queryRawUnsafe('SELECT 1'); // connect first: only the enqueue itself is timed
const startedAt = Date.now();
await enqueueJob(db.prisma, { kind, payload: { from: process.pid } });
const committedAt = Date.now();
process.stdout.write(`${JSON.stringify({ startedAt, committedAt })}\n`);
await db.close();

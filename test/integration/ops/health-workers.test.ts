/**
 * /api/health in multi-process mode (PostgreSQL, web process without its own worker): 503 once no
 * worker heartbeat has been seen for a minute, with a minute's grace after the web process starts;
 * the queue lag is the age of the oldest due job.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setDatabaseForProcess } from '@/lib/db';
import { resetConfigForTests } from '@/lib/core/config';
import { checkHealth, workersMissing } from '@/lib/health';
import { recordHeartbeat } from '@/lib/jobs/heartbeat';
import { enqueueJob } from '@/lib/jobs/queue';
import { openTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '../../support/db';
import { TEST_APP_ID, TEST_APP_UID, TEST_ENCRYPTION_KEY, TEST_SECRET_KEY } from '../../support/app-server';

describe('workers missing', () => {
  it('only in multi-process mode, only after the first minute, only when no worker is seen', () => {
    expect(workersMissing({ multiProcess: true, seen: 0, processUptimeSec: 61 })).toBe(true);
    expect(workersMissing({ multiProcess: true, seen: 0, processUptimeSec: 30 })).toBe(false);
    expect(workersMissing({ multiProcess: true, seen: 1, processUptimeSec: 600 })).toBe(false);
    expect(workersMissing({ multiProcess: false, seen: 0, processUptimeSec: 600 })).toBe(false);
  });
});

describe.skipIf(!TEST_DATABASE_URL)('health with separate worker processes on PostgreSQL', () => {
  let db: TestDatabase;
  const saved = { ...process.env };
  beforeAll(async () => {
    db = await openTestDatabase('postgres');
    Object.assign(process.env, {
      DATABASE_URL: db.url,
      RUN_WORKER: 'false',
      APP_BASE_URL: 'http://127.0.0.1:1',
      MOYSKLAD_APP_ID: TEST_APP_ID,
      MOYSKLAD_APP_UID: TEST_APP_UID,
      MOYSKLAD_SECRET_KEY: TEST_SECRET_KEY,
      APP_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
    });
    resetConfigForTests();
    setDatabaseForProcess(db);
  });
  afterAll(async () => {
    setDatabaseForProcess(undefined);
    process.env = saved;
    resetConfigForTests();
    await db?.close();
  });

  it('answers 503 when no worker has been seen for a minute, 200 while one is alive', async () => {
    expect((await checkHealth(10)).status).toBe('ok'); // a web process just started: workers get a minute
    const none = await checkHealth(120);
    expect(none.status).toBe('unavailable');
    expect(none.workers).toMatchObject({ seen: 0, ok: false, lastSeenSecondsAgo: null });

    await recordHeartbeat(db.prisma, new Date());
    const alive = await checkHealth(120);
    expect(alive.status).toBe('ok');
    expect(alive.workers).toMatchObject({ seen: 1, ok: true });

    await db.prisma.$executeRawUnsafe(`UPDATE "WorkerHeartbeat" SET "seenAt" = clock_timestamp() - interval '61 seconds'`);
    expect((await checkHealth(120)).status).toBe('unavailable');
  });

  it('reports the age of the oldest due job as the queue lag', async () => {
    await recordHeartbeat(db.prisma, new Date());
    await enqueueJob(db.prisma, { kind: 'lagging', runAt: new Date(Date.now() - 30_000) });
    await enqueueJob(db.prisma, { kind: 'future', runAt: new Date(Date.now() + 600_000) });
    const report = await checkHealth(120);
    expect(report.queue!.due).toBe(1);
    expect(report.queue!.lagSeconds).toBeGreaterThanOrEqual(29);
    expect(report.queue!.lagSeconds).toBeLessThan(90);
  });
});

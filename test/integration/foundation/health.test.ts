import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { startApp, type AppServer } from '../../support/app-server';
import { openDatabase } from '@/lib/db';
import { createPostgresDatabase, TEST_DATABASE_URL } from '../../support/db';
import { freePort } from '../../support/ports';

const running: AppServer[] = [];
afterAll(async () => {
  await Promise.all(running.map((app) => app.stop()));
});

async function health(app: AppServer) {
  const res = await fetch(`${app.url}/api/health`);
  return {
    status: res.status,
    body: (await res.json()) as { status: string; version: string; database: { ok: boolean; kind?: string } },
  };
}

describe('health on the embedded database', () => {
  it('answers 200 on PGlite, migrates on start, and keeps data across a restart', async () => {
    const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'bridge-health-')), 'pglite');
    let app = await startApp({ pgliteDir: dir });
    running.push(app);
    const first = await health(app);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ status: 'ok', database: { ok: true, kind: 'pglite' } });
    expect(first.body.version).toMatch(/^\d+\.\d+\.\d+/);
    await app.stop();

    // Write through another opener while the app is down, then restart the app on the same folder.
    const db = await openDatabase({ pgliteDir: dir });
    await db.prisma.installation.create({
      data: { accountId: 'kept', appId: 'a', webhookSecretHash: 'kept-secret-hash' },
    });
    await db.close();

    app = await startApp({ pgliteDir: dir });
    running.push(app);
    expect((await health(app)).status).toBe(200);
    await app.stop();

    const again = await openDatabase({ pgliteDir: dir });
    expect(await again.prisma.installation.count({ where: { accountId: 'kept' } })).toBe(1);
    const migrations = await again.prisma.$queryRawUnsafe<unknown[]>('SELECT * FROM _prisma_migrations');
    expect(migrations.length).toBeGreaterThan(0);
    await again.close();
  });

  it('answers 503 when the database cannot be reached', async () => {
    const closedPort = await freePort();
    const app = await startApp({
      env: { DATABASE_URL: `postgresql://postgres@127.0.0.1:${closedPort}/none` },
      allowUnhealthy: true,
    });
    running.push(app);
    const result = await health(app);
    expect(result.status).toBe(503);
    expect(result.body).toMatchObject({ status: 'unavailable', database: { ok: false } });
    expect(JSON.stringify(result.body)).not.toContain(String(closedPort));
  });
});

describe.skipIf(!TEST_DATABASE_URL)('health on a PostgreSQL server', () => {
  it('db:migrate then start gives 200 on postgres', async () => {
    const created = await createPostgresDatabase('bridge_health');
    try {
      const migrate = spawnSync('npx', ['tsx', 'scripts/db-migrate.ts'], {
        env: { ...process.env, DATABASE_URL: created.url },
        encoding: 'utf8',
      });
      expect(migrate.status, migrate.stderr).toBe(0);
      expect(migrate.stdout).toMatch(/Applied to .*init/);
      const app = await startApp({ env: { DATABASE_URL: created.url } });
      running.push(app);
      const result = await health(app);
      expect(result.status).toBe(200);
      expect(result.body.database.kind).toBe('postgres');
      await app.stop();
    } finally {
      await created.drop();
    }
  });
});

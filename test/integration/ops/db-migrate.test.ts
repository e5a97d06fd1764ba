/**
 * `npm run db:migrate` reads `.env` as the app does, says which database it migrates (never the
 * password) and, with DATABASE_URL set, never falls back to the embedded database.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createPostgresDatabase, TEST_DATABASE_URL } from '@/test/support/db';
import { freePort } from '@/test/support/ports';

const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');

/**
 * Runs a script the way npm does (from the project folder): here a folder with a .env and links to the
 * project's prisma/, vendor-descriptor/ and tsconfig.json (for the `@/` paths), so that only the .env tells the script what to do.
 */
function runScript(script: string, envFile: string) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bridge-script-'));
  writeFileSync(path.join(dir, '.env'), envFile.replaceAll('{dir}', dir));
  for (const folder of ['prisma', 'vendor-descriptor']) symlinkSync(path.join(ROOT, folder), path.join(dir, folder));
  writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ extends: path.join(ROOT, 'tsconfig.json') }));
  const env = { ...process.env };
  for (const name of ['DATABASE_URL', 'PGLITE_DIR', 'APP_BASE_URL']) delete env[name];
  const result = spawnSync(TSX, [path.join(ROOT, 'scripts', script)], {
    cwd: dir,
    env,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { dir, status: result.status, stdout: result.stdout, stderr: result.stderr };
}
const runDbMigrate = (envFile: string) => runScript('db-migrate.ts', envFile);

describe('npm run db:migrate', () => {
  const drops: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const drop of drops) await drop();
  });

  it('refuses the embedded database when DATABASE_URL from .env is unreachable', async () => {
    const port = await freePort();
    const run = runDbMigrate(`DATABASE_URL=postgresql://bridge:s3cret-pw@127.0.0.1:${port}/bridge_prod\nPGLITE_DIR={dir}/pglite\n`);
    expect(run.status).toBe(1);
    expect(run.stdout).toContain(`Migrating PostgreSQL database "bridge_prod" on 127.0.0.1:${port} as bridge (environment and .env)`);
    expect(run.stderr).toContain(`Cannot reach PostgreSQL database "bridge_prod" on 127.0.0.1:${port}`);
    expect(run.stderr).toContain('Nothing was migrated');
    expect(run.stdout + run.stderr).not.toContain('s3cret-pw');
    expect(existsSync(path.join(run.dir, 'pglite'))).toBe(false);
  });

  it('migrates the embedded database and says so when DATABASE_URL is not set', () => {
    const run = runDbMigrate('PGLITE_DIR={dir}/pglite\n');
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain(`Migrating the embedded PGlite database in ${run.dir}/pglite (environment and .env)`);
    expect(run.stdout).toContain('is up to date');
    expect(existsSync(path.join(run.dir, 'pglite', 'PG_VERSION'))).toBe(true);
  });

  it.skipIf(!TEST_DATABASE_URL)(
    'migrates the PostgreSQL database named in .env, naming host and database without the password',
    async () => {
      const created = await createPostgresDatabase('bridge_migrate');
      drops.push(created.drop);
      const url = new URL(created.url);
      url.password = 'not-printed-pw';
      const name = url.pathname.slice(1);
      const run = runDbMigrate(`DATABASE_URL=${url.toString()}\nPGLITE_DIR={dir}/pglite\n`);
      expect(run.status, run.stderr).toBe(0);
      expect(run.stdout).toContain(`Migrating PostgreSQL database "${name}" on ${url.hostname}:${url.port || '5432'}`);
      expect(run.stdout).toMatch(new RegExp(`Applied to database "${name}".*init`));
      expect(run.stdout + run.stderr).not.toContain('not-printed-pw');
      expect(existsSync(path.join(run.dir, 'pglite'))).toBe(false);
    },
  );
});

describe('npm run descriptor', () => {
  it('takes APP_BASE_URL from .env', () => {
    const run = runScript('descriptor.ts', 'APP_BASE_URL=https://bridge.from-dotenv.example\n');
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('https://bridge.from-dotenv.example');
  });
});

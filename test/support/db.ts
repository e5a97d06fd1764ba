/**
 * Databases for tests: an in-memory PGlite always; a fresh database on the PostgreSQL server named by
 * TEST_DATABASE_URL when it is set (created per suite, migrated, dropped afterwards).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { migratePostgres, openDatabase, type Database } from '@/lib/db';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || undefined;

export type TestDatabaseKind = 'pglite' | 'postgres';

/** The kinds integration suites should run on: PGlite always, PostgreSQL when configured. */
export const TEST_DATABASE_KINDS: TestDatabaseKind[] = TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];

export interface TestDatabase extends Database {
  /** A URL other processes can use (PostgreSQL only). */
  url?: string;
  /** PGlite folder when `onDisk` was asked (so a server process can open it after we close). */
  dir?: string;
}

function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

/** Creates an empty PostgreSQL database on the test server and returns its URL (not migrated). */
export async function createPostgresDatabase(prefix = 'bridge_test'): Promise<{ url: string; drop(): Promise<void> }> {
  if (!TEST_DATABASE_URL) throw new Error('TEST_DATABASE_URL is not set');
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  return {
    url: withDatabase(TEST_DATABASE_URL, name),
    drop: async () => {
      const client = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 10_000 });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await client.end();
    },
  };
}

/**
 * Migrating a PostgreSQL database through the wasm engine takes seconds; suites clone a template that
 * was migrated once per migrations content instead (CREATE DATABASE ... TEMPLATE is a file copy).
 */
let templateReady: Promise<string> | undefined;
async function migratedTemplate(): Promise<string> {
  templateReady ??= (async () => {
    const { readMigrationList } = await import('@/lib/db/schema-engine');
    const { createHash } = await import('node:crypto');
    const hash = createHash('sha256').update(JSON.stringify(readMigrationList().migrationDirectories)).digest('hex').slice(0, 12);
    const name = `bridge_template_${hash}`;
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    try {
      const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (!exists.rowCount) {
        const building = `${name}_${randomBytes(3).toString('hex')}`;
        await admin.query(`CREATE DATABASE "${building}"`);
        await migratePostgres(withDatabase(TEST_DATABASE_URL!, building));
        // Rename into place so a concurrent suite never clones a half-migrated template.
        try {
          await admin.query(`ALTER DATABASE "${building}" RENAME TO "${name}"`);
        } catch (error) {
          await admin.query(`DROP DATABASE IF EXISTS "${building}" WITH (FORCE)`);
          const again = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
          if (!again.rowCount) throw error;
        }
      }
    } finally {
      await admin.end();
    }
    return name;
  })();
  return templateReady;
}

/** A fresh, already migrated PostgreSQL database on the test server. */
export async function createMigratedPostgresDatabase(prefix = 'bridge_test'): Promise<{ url: string; drop(): Promise<void> }> {
  const template = await migratedTemplate();
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
  await admin.end();
  return {
    url: withDatabase(TEST_DATABASE_URL!, name),
    drop: async () => {
      const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await client.end();
    },
  };
}

export async function openTestDatabase(kind: TestDatabaseKind = 'pglite', options: { dir?: string } = {}): Promise<TestDatabase> {
  if (kind === 'pglite') {
    const db = await openDatabase({ pgliteDir: options.dir ?? 'memory://', migrate: true });
    return { ...db, dir: options.dir };
  }
  const created = await createMigratedPostgresDatabase();
  const db = await openDatabase({ databaseUrl: created.url, migrate: false, poolSize: 5 });
  return {
    ...db,
    url: created.url,
    close: async () => {
      await db.close();
      await created.drop();
    },
  };
}

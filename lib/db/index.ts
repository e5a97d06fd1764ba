/**
 * The database: a Prisma client on the embedded PGlite (no DATABASE_URL; data in PGLITE_DIR) or on a
 * PostgreSQL server (DATABASE_URL), from the same schema. The embedded database is migrated on open;
 * a server is migrated by `npm run db:migrate` (a deploy step), and checked on open.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from '../generated/prisma/client';
import { applyPendingMigrations } from './migrate';
import { logger } from '../core/logger';

export { PrismaClient };
export type { Prisma } from '../generated/prisma/client';

export type DatabaseKind = 'pglite' | 'postgres';

/** A client or an open interactive transaction: functions that take it can join a caller's transaction. */
export type Db = PrismaClient | import('../generated/prisma/client').Prisma.TransactionClient;

export interface Database {
  prisma: PrismaClient;
  kind: DatabaseKind;
  /** Where the data lives (folder for PGlite, URL without password for PostgreSQL). */
  location: string;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  databaseUrl?: string;
  /** PGlite data folder; `memory://` keeps it in memory (tests). */
  pgliteDir?: string;
  /** Apply pending migrations on open (default: yes for PGlite, no for a server). */
  migrate?: boolean;
  /** PostgreSQL pool size per process. */
  poolSize?: number;
}

export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgresql://(unparseable)';
  }
}

/** Applies pending migrations over a dedicated connection that is closed afterwards. */
export async function migratePostgres(databaseUrl: string): Promise<string[]> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
  try {
    return await applyPendingMigrations(new PrismaPg(pool));
  } finally {
    await pool.end();
  }
}

export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  if (options.databaseUrl) {
    const factory = new PrismaPg({ connectionString: options.databaseUrl, max: options.poolSize ?? 10 });
    if (options.migrate) {
      const applied = await migratePostgres(options.databaseUrl);
      if (applied.length) logger.info({ applied }, 'database migrations applied');
    }
    const prisma = new PrismaClient({ adapter: factory });
    return {
      prisma,
      kind: 'postgres',
      location: redactUrl(options.databaseUrl),
      close: () => prisma.$disconnect(),
    };
  }
  const dir = options.pgliteDir ?? './data/pglite';
  const inMemory = dir.startsWith('memory://');
  const resolvedDir = path.resolve(/* turbopackIgnore: true */ dir);
  // PGlite does not create the parent of its data folder.
  if (!inMemory) mkdirSync(path.dirname(/* turbopackIgnore: true */ resolvedDir), { recursive: true });
  const pglite = inMemory ? new PGlite() : new PGlite(resolvedDir);
  await pglite.waitReady;
  if (options.migrate ?? true) {
    const applied = await applyPendingMigrations(new PrismaPGlite(pglite));
    if (applied.length) logger.info({ applied, dir }, 'embedded database migrated');
  }
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(pglite) });
  return {
    prisma,
    kind: 'pglite',
    location: inMemory ? 'memory' : resolvedDir,
    close: async () => {
      await prisma.$disconnect();
      await pglite.close();
    },
  };
}

// One database per process, kept on globalThis so that Next's dev reloads and the several bundles of
// a production build (route handlers, instrumentation) share it: PGlite allows one opener per folder.
const globalKey = Symbol.for('betapro-bridge.database');
type GlobalWithDb = typeof globalThis & { [globalKey]?: Promise<Database> };

export function getDatabase(): Promise<Database> {
  const g = globalThis as GlobalWithDb;
  if (!g[globalKey]) {
    g[globalKey] = (async () => {
      const { getConfig } = await import('../core/config');
      const config = getConfig();
      return openDatabase({ databaseUrl: config.DATABASE_URL, pgliteDir: config.PGLITE_DIR });
    })();
    g[globalKey].catch(() => {
      delete g[globalKey];
    });
  }
  return g[globalKey];
}

export async function getPrisma(): Promise<PrismaClient> {
  return (await getDatabase()).prisma;
}

/** For tests and scripts that manage their own database. */
export function setDatabaseForProcess(db: Database | undefined): void {
  const g = globalThis as GlobalWithDb;
  if (db) g[globalKey] = Promise.resolve(db);
  else delete g[globalKey];
}

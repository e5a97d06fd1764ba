/**
 * The database: a Prisma client on the embedded PGlite (no DATABASE_URL; data in PGLITE_DIR) or on a
 * PostgreSQL server (DATABASE_URL), from the same schema. The embedded database is migrated on open;
 * a server is migrated by `npm run db:migrate` (a deploy step), and checked on open.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import type { SqlDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { PrismaClient as GeneratedPrismaClient, type Prisma } from '@/lib/generated/prisma/client';
import { applyPendingMigrations } from '@/lib/db/migrate';
import { logger } from '@/lib/core/logger';

export type { Prisma } from '@/lib/generated/prisma/client';

/**
 * Columns no query reads unless it asks for them (`omit: { planPacked: false }`): a document's plan and
 * an outdoc's body are up to megabytes, and most reads of these rows (state transitions, the widget's
 * status, job bookkeeping) need none of it. Read them with lib/sync/receipt/stored's loadStoredPlan / receiptsOf.
 */
export const LARGE_COLUMNS = {
  syncDocument: { plan: true, planPacked: true },
  outdoc: { raw: true, rawPacked: true },
  stockReconciliation: { rowsPacked: true },
} as const satisfies Prisma.GlobalOmitConfig;

/** The app's Prisma client: the generated one with LARGE_COLUMNS left out of every read by default. */
export type PrismaClient = GeneratedPrismaClient<never, typeof LARGE_COLUMNS>;

function createPrismaClient(adapter: SqlDriverAdapterFactory): PrismaClient {
  return new GeneratedPrismaClient({ adapter, omit: LARGE_COLUMNS });
}

export type DatabaseKind = 'pglite' | 'postgres';

/** An open interactive transaction of the app's client. */
export type TransactionClient = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];

/** A client or an open interactive transaction: functions that take it can join a caller's transaction. */
export type Db = PrismaClient | TransactionClient;

export interface Database {
  prisma: PrismaClient;
  kind: DatabaseKind;
  /** Where the data lives (folder for PGlite, URL without password for PostgreSQL). */
  location: string;
  /**
   * The embedded database's own LISTEN (PGlite delivers NOTIFY of its commits in process); absent on
   * PostgreSQL, where a listener needs a dedicated connection (lib/sync/widget/change-feed.ts).
   */
  listen?(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
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
  /** Close a pooled PostgreSQL connection unused for this long (default 5 minutes). */
  poolIdleMs?: number;
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

/** `database "name" on host:port as user`, for messages: never the password. */
export function describeDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    const name = decodeURIComponent(parsed.pathname.replace(/^\//, '')) || '(default)';
    const host = parsed.hostname ? `${parsed.hostname}:${parsed.port || '5432'}` : '(local socket)';
    const user = parsed.username ? ` as ${decodeURIComponent(parsed.username)}` : '';
    return `database "${name}" on ${host}${user}`;
  } catch {
    return 'database (unparseable URL)';
  }
}

/** Opens and closes one connection: undefined when the server answers, else why not (no secrets). */
export async function checkPostgresReachable(url: string, timeoutMs = 10_000): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    const { code, message } = error as { code?: string; message?: string };
    return [code, message].filter(Boolean).join(' ') || 'connection failed';
  } finally {
    await client.end().catch(() => undefined);
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

/**
 * PostgreSQL's default 128 MB of shared buffers live in PGlite's WebAssembly memory, inside the web
 * process, and WebAssembly memory once touched is never given back. The embedded database's hot data is
 * a few megabytes (the operating system caches the files beneath), so 8 MB is plenty: measured, no
 * slower than 16 MB and 6 MB less resident memory at the end of the benchmark.
 */
const PGLITE_START_PARAMS = [...PGlite.defaultStartParams, '-c', 'shared_buffers=8MB'];

/**
 * Creates a new PGlite data folder in a short-lived child process. initdb runs a second WebAssembly
 * module whose memory (about 500 MB) the process keeps for good once touched; done here, the web
 * process only ever opens an existing folder. If the child cannot run, the folder is created in
 * process as before (slower to give the memory back, still correct).
 */
function initialiseDataFolder(dir: string): void {
  if (existsSync(path.join(/* turbopackIgnore: true */ dir, 'PG_VERSION'))) return;
  const script = `import { PGlite } from '@electric-sql/pglite';
const db = new PGlite(process.argv[1]); await db.waitReady; await db.close();`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script, dir], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (result.status === 0) logger.info({ dir }, 'embedded database created');
  else
    logger.warn(
      { dir, status: result.status, stderr: result.stderr?.slice(-500) },
      'could not create the embedded database in a child process; creating it in process',
    );
}

export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  if (options.databaseUrl) {
    // node-postgres closes a connection after 10 s unused by default. A process whose jobs come every few
    // seconds (one of several workers) then opened a connection — a new PostgreSQL server process — on
    // the path of a transfer, about 10 ms each time: connections are kept for minutes instead.
    const factory = new PrismaPg({
      connectionString: options.databaseUrl,
      max: options.poolSize ?? 10,
      idleTimeoutMillis: options.poolIdleMs ?? 300_000,
    });
    if (options.migrate) {
      const applied = await migratePostgres(options.databaseUrl);
      if (applied.length) logger.info({ applied }, 'database migrations applied');
    }
    const prisma = createPrismaClient(factory);
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
  if (!inMemory) initialiseDataFolder(resolvedDir);
  const pglite = inMemory
    ? new PGlite({ startParams: PGLITE_START_PARAMS })
    : new PGlite(resolvedDir, { startParams: PGLITE_START_PARAMS });
  await pglite.waitReady;
  if (options.migrate ?? true) {
    const applied = await applyPendingMigrations(new PrismaPGlite(pglite));
    if (applied.length) logger.info({ applied, dir }, 'embedded database migrated');
  }
  const prisma = createPrismaClient(new PrismaPGlite(pglite));
  return {
    prisma,
    kind: 'pglite',
    location: inMemory ? 'memory' : resolvedDir,
    listen: (channel, onPayload) => pglite.listen(channel, onPayload),
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
      const { getConfig } = await import('@/lib/core/config');
      const config = getConfig();
      return openDatabase({
        databaseUrl: config.DATABASE_URL,
        pgliteDir: config.PGLITE_DIR,
        poolSize: config.DATABASE_POOL_SIZE,
        poolIdleMs: config.DATABASE_POOL_IDLE_SEC * 1000,
      });
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

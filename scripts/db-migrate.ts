/**
 * npm run db:migrate — applies pending migrations to the configured database (DATABASE_URL, or the
 * embedded PGlite in PGLITE_DIR) and records them in _prisma_migrations. Offline.
 *
 * Reads `.env` as the app does (scripts/load-env.ts) and says which database it migrates. When
 * DATABASE_URL is set it only ever migrates that server: if the server cannot be reached it stops with
 * an error rather than migrating the embedded database and reporting success.
 */
import { loadedEnvFiles } from './load-env';
import { configSchema } from '../lib/core/config';
import { checkPostgresReachable, describeDatabaseUrl, migratePostgres, openDatabase } from '../lib/db';

const source = loadedEnvFiles.length ? ` (environment and ${loadedEnvFiles.join(', ')})` : ' (environment; no .env file found)';
const url = process.env.DATABASE_URL || undefined;

if (url) {
  const parsed = configSchema.shape.DATABASE_URL.safeParse(url);
  if (!parsed.success) {
    console.error(`DATABASE_URL is not a PostgreSQL URL like postgresql://user@host:5432/db${source}. Nothing was migrated.`);
    process.exit(1);
  }
  const target = describeDatabaseUrl(url);
  console.log(`Migrating PostgreSQL ${target}${source}.`);
  const problem = await checkPostgresReachable(url);
  if (problem) {
    console.error(
      `Cannot reach PostgreSQL ${target}: ${problem}. Nothing was migrated (the embedded database is not used while DATABASE_URL is set).`,
    );
    process.exit(1);
  }
  const applied = await migratePostgres(url);
  console.log(applied.length ? `Applied to ${target}: ${applied.join(', ')}` : `${target} is up to date.`);
} else {
  const dir = process.env.PGLITE_DIR || './data/pglite';
  console.log(`Migrating the embedded PGlite database in ${dir}${source}; DATABASE_URL is not set.`);
  const db = await openDatabase({ pgliteDir: dir, migrate: true });
  console.log(`Embedded database ${db.location} is up to date.`);
  await db.close();
}

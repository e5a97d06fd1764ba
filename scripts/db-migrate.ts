/**
 * npm run db:migrate — applies pending migrations to the configured database (DATABASE_URL, or the
 * embedded PGlite in PGLITE_DIR) and records them in _prisma_migrations. Offline.
 */
import { migratePostgres, openDatabase, redactUrl } from '../lib/db';

const url = process.env.DATABASE_URL;
if (url) {
  const applied = await migratePostgres(url);
  console.log(applied.length ? `Applied to ${redactUrl(url)}: ${applied.join(', ')}` : `${redactUrl(url)} is up to date.`);
} else {
  const dir = process.env.PGLITE_DIR ?? './data/pglite';
  const db = await openDatabase({ pgliteDir: dir, migrate: true });
  console.log(`Embedded database ${db.location} is up to date.`);
  await db.close();
}

/**
 * Applies pending migrations from prisma/migrations and records them in `_prisma_migrations`, exactly
 * as `prisma migrate deploy` would, so a machine with the native engine can take over the history.
 * Also computes the SQL that would bring the migrations up to schema.prisma (drift / new migration).
 */
import { PGlite } from '@electric-sql/pglite';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { openSchemaEngine, readMigrationList, readSchema, NO_FILTERS } from '@/lib/db/schema-engine';

export async function applyPendingMigrations(adapterFactory: SqlMigrationAwareDriverAdapterFactory): Promise<string[]> {
  const engine = await openSchemaEngine(adapterFactory);
  try {
    const { appliedMigrationNames } = await engine.applyMigrations({
      migrationsList: readMigrationList(),
      filters: NO_FILTERS,
    });
    return appliedMigrationNames;
  } finally {
    engine.free();
  }
}

/**
 * SQL that the migrations lack compared with schema.prisma ('' when in sync). The migrations are
 * replayed into a throw-away in-memory PGlite used as the shadow database, so no server is needed.
 */
export async function pendingSchemaChanges(schema = readSchema()): Promise<string> {
  const shadow = new PGlite();
  try {
    const engine = await openSchemaEngine(new PrismaPGlite(shadow));
    try {
      const result = await engine.diff({
        from: { tag: 'migrations', ...readMigrationList() },
        to: { tag: 'schemaDatamodel', files: [{ path: schema.path, content: schema.content }] },
        script: true,
        exitCode: true,
        filters: NO_FILTERS,
      });
      const sql = (result.stdout ?? '').trim();
      return result.exitCode === 0 || /^-- This is an empty migration\.?$/.test(sql) ? '' : sql;
    } finally {
      engine.free();
    }
  } finally {
    await shadow.close();
  }
}

import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { pendingSchemaChanges } from '@/lib/db/migrate';
import { readSchema } from '@/lib/db/schema-engine';
import { openTestDatabase, TEST_DATABASE_KINDS } from '../../support/db';

describe('schema and migrations', () => {
  it('prisma/schema.prisma and prisma/migrations agree (run `npm run db:migration -- <name>` if not)', async () => {
    const sql = await pendingSchemaChanges();
    expect(sql, `schema.prisma has changes without a migration:\n${sql}`).toBe('');
  });

  it('detects a model change that has no migration', async () => {
    const schema = readSchema();
    const changed = schema.content.replace('model SeenJwt {', 'model SeenJwt {\n  note String?');
    const sql = await pendingSchemaChanges({ path: schema.path, content: changed });
    expect(sql).toMatch(/ALTER TABLE "SeenJwt" ADD COLUMN\s+"note" TEXT/);
  });

  it('keeps the lock file Prisma expects', () => {
    expect(readFileSync('prisma/migrations/migration_lock.toml', 'utf8')).toContain('provider = "postgresql"');
  });
});

describe.each(TEST_DATABASE_KINDS)('migrations on %s', (kind) => {
  it('are applied once and recorded in _prisma_migrations', async () => {
    const db = await openTestDatabase(kind);
    try {
      const rows = await db.prisma.$queryRawUnsafe<{ migration_name: string; finished_at: Date | null }[]>(
        'SELECT migration_name, finished_at FROM _prisma_migrations ORDER BY migration_name',
      );
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.every((r) => r.finished_at !== null)).toBe(true);
      if (kind === 'postgres') {
        const { migratePostgres } = await import('@/lib/db');
        expect(await migratePostgres(db.url!)).toEqual([]);
      }
      const installation = await db.prisma.installation.create({
        data: { accountId: 'acc-1', appId: 'app', webhookSecretHash: 'secret-1-hash', settings: { create: {} } },
        include: { settings: true },
      });
      expect(installation.settings?.productKey).toBe('article');
      expect(installation.settings?.enabledEntities).toEqual(['supply', 'move']);
    } finally {
      await db.close();
    }
  });
});

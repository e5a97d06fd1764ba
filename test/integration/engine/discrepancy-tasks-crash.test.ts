/**
 * A discrepancy task survives a crash between MoySklad's answer and our write (docs/discrepancy-tasks.md):
 * the database is left as such a crash leaves it — the episode's row still `creating`, its assignee
 * written, and the task already in MoySklad with the row's marker — and the next problem of the document
 * takes that task over instead of creating a second one. On PostgreSQL (TEST_DATABASE_URL), where the test
 * can reach the app's database.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installAndConfigure, startSandbox, supplyHelpers, waitFor, type ConfiguredAccount, type Sandbox } from '../../support/sandbox';
import { createMigratedPostgresDatabase, TEST_DATABASE_URL } from '../../support/db';

describe.skipIf(!TEST_DATABASE_URL)('discrepancy task after a crash between create and store', () => {
  let sandbox: Sandbox;
  let account: ConfiguredAccount;
  let database: Awaited<ReturnType<typeof createMigratedPostgresDatabase>>;
  let sql: pg.Client;
  const h = supplyHelpers(() => ({ sandbox, account }));

  beforeAll(async () => {
    database = await createMigratedPostgresDatabase('bridge_dtask');
    sandbox = await startSandbox({ databaseUrl: database.url });
    account = await installAndConfigure(sandbox, 'dtask-crash');
    sql = new pg.Client({ connectionString: database.url });
    await sql.connect();
  });
  afterAll(async () => {
    await sql?.end();
    await sandbox?.stop();
    await database?.drop();
  });

  it('finds the task by its marker and creates none', async () => {
    const ms = sandbox.moysklad;
    const clerk = ms.employeeId(account.accountId, 'clerk');
    const supplyId = String(
      ms.createDocument(account.accountId, 'supply', {
        organization: ms.meta('organization', account.seed.organizationId),
        agent: ms.meta('counterparty', account.seed.counterpartyId),
        store: ms.meta('store', account.seed.stores.betapro),
      }).id,
    );
    // What the interrupted run left: our rows, and the task it created in MoySklad.
    const documentId = randomUUID();
    const rowId = randomUUID();
    await sql.query(
      `INSERT INTO "SyncDocument" ("id", "accountId", "entity", "msId", "state", "updatedAt") VALUES ($1, $2, 'supply', $3, 'error', now())`,
      [documentId, account.accountId, supplyId],
    );
    await sql.query(
      `INSERT INTO "DiscrepancyTask" ("id", "accountId", "documentId", "episode", "state", "cause", "assigneeId", "updatedAt")
       VALUES ($1, $2, $3, 1, 'creating', 'transfer_error', $4, now())`,
      [rowId, account.accountId, documentId, clerk],
    );
    const res = await fetch(`${ms.apiUrl}/entity/task`, {
      method: 'POST',
      headers: { authorization: `Bearer ${account.token}`, 'accept-encoding': 'gzip', 'content-type': 'application/json' },
      body: JSON.stringify({
        description: `Приёмка: документ не передан на склад БетаПРО.\n[BetaPRO Bridge ${rowId}]`,
        assignee: ms.meta('employee', clerk),
        operation: ms.meta('supply', supplyId),
      }),
    });
    expect(res.status).toBe(200);
    const created = (await res.json()) as { id: string };
    ms.resetStats();

    // The document fails again (no positions): the job runs for it.
    h.setStatus(supplyId, 'Передать');
    await waitFor('error', async () => (await h.view(supplyId)).events.some((e) => e.kind === 'failed'));
    const row = await waitFor('the row open', async () => {
      const { rows } = await sql.query<{ state: string; msTaskId: string | null }>(
        `SELECT "state", "msTaskId" FROM "DiscrepancyTask" WHERE "id" = $1`,
        [rowId],
      );
      return rows[0]?.state === 'open' ? rows[0] : undefined;
    });
    expect(row.msTaskId).toBe(created.id);
    expect(ms.tasks(account.accountId)).toHaveLength(1);
    const calls = ms.stats().requests[account.accountId] ?? {};
    expect(calls['GET /entity/task']).toBe(1);
    expect(calls['POST /entity/task']).toBeUndefined();
  }, 180_000);
});

/**
 * A targeted fault, found by the chaos run (a scenario-triggered supply was never sent after a
 * PostgreSQL restart): the database fails in the middle of accepting a scenario call.
 *
 * Regression test. The bug it caught: handleScenarioCall (lib/sync/triggers/scenario.ts)
 * committed the X_Lognex_RequestId (rememberInbound) before it requests the transfer, and requestTransfer
 * (lib/sync/transfer/request-transfer.ts) committed the document's move to "queued" before it enqueues the job,
 * each in its own statement. When the database fails after the first write, the call answers 500;
 * MoySklad retries it with the same request id, which is now "already seen", so the retry is answered
 * 200 and nothing was queued. The document stayed "queued" without a job: no later trigger sends it
 * (a widget press was ignored as "already in progress") and the sweep did not look at it either.
 * Fixed by committing the request id, the state change and the job in one transaction.
 *
 * The failure is injected deterministically with a trigger on the suite's own database that refuses
 * the transfer job's insert for this one document, then removed before MoySklad's retry.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, documentView, installAndConfigure, startSandbox, waitFor, type ConfiguredAccount } from '../support/sandbox';
import { createMigratedPostgresDatabase, TEST_DATABASE_URL } from '../support/db';
import { withDatabase } from './harness';

type Sandbox = Awaited<ReturnType<typeof startSandbox>>;

describe.skipIf(!TEST_DATABASE_URL)('database failure while a scenario call is accepted', () => {
  let sandbox: Sandbox;
  let database: { url: string; drop(): Promise<void> };
  let account: ConfiguredAccount;

  beforeAll(async () => {
    database = await createMigratedPostgresDatabase('bridge_chaos_lost');
    sandbox = await startSandbox({ databaseUrl: database.url, appEnv: { SWEEP_INTERVAL_SEC: '2' } });
    sandbox.moysklad.setConfig({ scenarioRetry: { retries: 30, delayMs: 500 } } as never);
    account = await installAndConfigure(sandbox, 'lost-delivery-shop');
  });
  afterAll(async () => {
    await sandbox?.stop();
    await database?.drop();
  });

  it("MoySklad's retry of a call that failed mid-way still sends the document", async () => {
    const ms = sandbox.moysklad;
    const scenarioState = ms.createState(account.accountId, 'supply', 'В БетаПРО (сценарий)');
    ms.addScenario(account.accountId, {
      entityType: 'supply',
      stateId: scenarioState,
      actionName: 'transfer-to-betapro',
    } as never);
    const doc = ms.createDocument(account.accountId, 'supply', {
      organization: ms.meta('organization', account.seed.organizationId),
      agent: ms.meta('counterparty', account.seed.counterpartyId),
      store: ms.meta('store', account.seed.stores.betapro),
      positions: [
        {
          quantity: 5,
          price: 100,
          assortment: ms.meta('product', account.seed.products.find((p) => p.article === 'MUG-300')!.id),
        },
      ],
    });
    const id = String(doc.id);
    await withDatabase(database.url, async (c) => {
      await c.query(`CREATE FUNCTION chaos_refuse_job() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF NEW."kind" = 'transfer' AND NEW."payload"->>'msId' = '${id}' THEN
            RAISE EXCEPTION 'chaos: database failure while queueing the transfer';
          END IF;
          RETURN NEW;
        END $$`);
      await c.query('CREATE TRIGGER chaos_refuse_job BEFORE INSERT ON "Job" FOR EACH ROW EXECUTE FUNCTION chaos_refuse_job()');
    });
    ms.userUpdate(account.accountId, 'supply', id, { state: ms.stateMeta('supply', scenarioState) });
    const delivery = await waitFor('the first scenario attempt failed', async () => {
      const d = ms
        .deliveries({ accountId: account.accountId, kind: 'scenario' })
        .find((x) => (x.body as { objectId?: string }).objectId === id);
      return d && d.attempts.some((a) => (a.status ?? 0) >= 500) ? d : undefined;
    });
    await withDatabase(database.url, (c) => c.query('DROP TRIGGER chaos_refuse_job ON "Job"; DROP FUNCTION chaos_refuse_job()'));
    await waitFor("MoySklad's retry delivered", async () => delivery.outcome === 'delivered');
    expect(delivery.attempts.length).toBeGreaterThan(1);

    // The retry was accepted (2xx): the document must now be sent, like any accepted trigger.
    let view = await documentView(sandbox, account.adminSession, 'supply', id);
    try {
      await waitFor(
        'the document sent',
        async () => (view = await documentView(sandbox, account.adminSession, 'supply', id)).state === 'sent',
        15_000,
      );
    } catch {
      // Even the clerk's button cannot help once the document is stuck "queued" without a job.
      const press = await api(sandbox.app.url, `/api/widget/documents/supply/${id}/actions`, {
        token: account.adminSession,
        body: { action: 'send' },
      });
      view = await documentView(sandbox, account.adminSession, 'supply', id);
      throw new Error(
        `document lost: app state "${view.state}" after MoySklad's retry was answered ${JSON.stringify(delivery.attempts.map((a) => a.status))}; ` +
          `a widget "send" then answered ${press.status}, events: ${view.events.map((e) => e.kind).join(', ')}`,
      );
    }
    expect(ms.getDocument(account.accountId, 'supply', id)).toMatchObject({ state: { name: 'Передан' } });
  });
});

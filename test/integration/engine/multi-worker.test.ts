/**
 * Production shape on PostgreSQL: one web process (RUN_WORKER=false) and three `npm run worker`
 * processes. 100 documents are triggered, one worker is killed with SIGKILL mid-run and restarted:
 * every document is sent exactly once and is "Передан" in MoySklad.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { api, installAndConfigure, startSandbox, waitFor, type ConfiguredAccount } from '../../support/sandbox';
import { startApp } from '../../support/app-server';
import { createMigratedPostgresDatabase, TEST_DATABASE_URL } from '../../support/db';
import { productNodeFlags, productProcessEnv } from '../../../scripts/node-flags';

const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
type Sandbox = Awaited<ReturnType<typeof startSandbox>>;

describe.skipIf(!TEST_DATABASE_URL)('three worker processes on PostgreSQL', () => {
  let sandbox: Sandbox;
  let database: { url: string; drop(): Promise<void> };
  let account: ConfiguredAccount;
  const workers: ChildProcess[] = [];

  function startWorker(): ChildProcess {
    // `node --import tsx` (not the tsx CLI, which forks a child) so SIGKILL reaches the worker itself.
    const child = spawn(process.execPath, [...productNodeFlags('worker'), '--import', 'tsx', 'scripts/worker.ts'], {
      cwd: ROOT,
      env: {
        ...productProcessEnv('worker'),
        ...sandbox.app.env,
        RUN_WORKER: 'true',
        LOG_LEVEL: 'warn',
      } as unknown as NodeJS.ProcessEnv,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    workers.push(child);
    return child;
  }

  beforeAll(async () => {
    database = await createMigratedPostgresDatabase('bridge_workers');
    sandbox = await startSandbox({ startApp: false, databaseUrl: database.url });
    sandbox.app = await startApp({ port: sandbox.appPort, env: { ...sandbox.appEnv, RUN_WORKER: 'false' } });
    account = await installAndConfigure(sandbox, 'busy-shop');
  });
  afterAll(async () => {
    for (const w of workers) if (w.exitCode === null) w.kill('SIGKILL');
    await sandbox?.stop();
    await database?.drop();
  });

  it('sends 100 documents exactly once although a worker is killed', async () => {
    const ms = sandbox.moysklad;
    const product = account.seed.products.find((p) => p.article === 'TS-WHITE')!;
    const ids: string[] = [];
    for (let i = 0; i < 100; i++) {
      const doc = ms.createDocument(account.accountId, 'supply', {
        organization: ms.meta('organization', account.seed.organizationId),
        agent: ms.meta('counterparty', account.seed.counterpartyId),
        store: ms.meta('store', account.seed.stores.betapro),
        positions: [{ quantity: 1 + i, price: 100, assortment: ms.meta('product', product.id) }],
      });
      ids.push(String(doc.id));
    }
    await Promise.all(
      ids.map((id) =>
        api(sandbox.app.url, `/api/widget/documents/supply/${id}/actions`, {
          token: account.adminSession,
          body: { action: 'send' },
        }),
      ),
    );
    const [victim] = [startWorker(), startWorker(), startWorker()];
    // Kill one worker once work is under way, then bring a replacement up.
    await waitFor(
      'first documents sent',
      async () => {
        const sent = ids.filter(
          (id) => (ms.getDocument(account.accountId, 'supply', id) as { state?: { name?: string } }).state?.name === 'Передан',
        );
        return sent.length >= 10;
      },
      60_000,
    );
    victim.kill('SIGKILL');
    startWorker();
    await waitFor(
      'all 100 documents "Передан"',
      async () =>
        ids.every((id) => (ms.getDocument(account.accountId, 'supply', id) as { state?: { name?: string } }).state?.name === 'Передан'),
      180_000,
    );
    const state = (await (await fetch(`${sandbox.betapro.controlUrl}/state`)).json()) as {
      partners: Record<string, { indocs: Record<string, { indoc_id: string }> }>;
    };
    const indocs = Object.values(Object.values(state.partners)[0].indocs).map((t) => t.indoc_id.toLowerCase());
    expect(indocs).toHaveLength(100);
    for (const id of ids) expect(indocs.filter((t) => t.includes(id.replace(/-/g, '')))).toHaveLength(1);
  }, 300_000);
});

/**
 * Bulk send from the supply list (docs/bulk-send.md) over HTTP: the MoySklad simulator presses the
 * descriptor's list button with selected[] and a signed JWT, the real app answers async and completes
 * the process through the Vendor API once. 20 supplies (new, already sent, one with a pre-flight error)
 * give the right summary exactly once; a repeated delivery, a second press and a killed app send
 * nothing twice and complete each process once; the move list, an OWN-scoped clerk and 100 supplies beside
 * another account are covered too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createSupply, documentView, installAndConfigure, startSandbox, waitFor, type ConfiguredAccount } from '../../support/sandbox';
import { startApp } from '../../support/app-server';
import type { NotificationRec } from '../../sandbox/moysklad';

type Sandbox = Awaited<ReturnType<typeof startSandbox>>;
let sandbox: Sandbox;
let account: ConfiguredAccount;
let other: ConfiguredAccount;
const pgliteDir = path.join(mkdtempSync(path.join(os.tmpdir(), 'bridge-bulk-')), 'pglite');
const BUTTON = 'send_to_betapro';
const POINT = 'document.supply.list';

beforeAll(async () => {
  sandbox = await startSandbox({ startApp: false });
  sandbox.app = await startApp({ port: sandbox.appPort, env: sandbox.appEnv, pgliteDir });
  account = await installAndConfigure(sandbox, 'bulk-shop');
  other = await installAndConfigure(sandbox, 'bulk-neighbour');
});
afterAll(async () => {
  await sandbox?.stop();
});

const ms = () => sandbox.moysklad;
const product = (article: string) => account.seed.products.find((p) => p.article === article)!;
const newSupply = () => createSupply(sandbox, account, { positions: [{ productId: product('TS-WHITE').id, quantity: 3 }] });
const msState = (id: string) => (ms().getDocument(account.accountId, 'supply', id) as { state?: { name?: string } }).state?.name;

async function betaproTaskCount(): Promise<number> {
  const res = await fetch(`${sandbox.betapro.controlUrl}/state`);
  const state = (await res.json()) as {
    partners: Record<string, { indocs: Record<string, unknown> }> | Array<{ indocs: Record<string, unknown> }>;
  };
  const partners = Array.isArray(state.partners) ? state.partners : Object.values(state.partners);
  return partners.reduce((n, p) => n + Object.keys(p.indocs).length, 0);
}

function completions(processId: string): NotificationRec[] {
  return ms()
    .notifications(account.accountId)
    .filter((n) => n.kind === 'complete' && n.asyncProcessId === processId);
}

async function press(ids: string[], employee: 'admin' | 'clerk' | 'clerk-readonly' = 'admin', requestId?: string) {
  const r = await ms().pressButton(account.accountId, employee, BUTTON, POINT, ids, requestId);
  if (r.status === null) throw new Error(`press not answered: ${r.error}\n${sandbox.app.logs().split('\n').slice(-40).join('\n')}`);
  return r as typeof r & {
    body: { async?: boolean; params?: { asyncProcessId?: string; text?: string }; error?: { errorMessage?: string } };
  };
}

async function completed(processId: string, timeoutMs = 120_000): Promise<NotificationRec> {
  try {
    return await waitFor('button/complete', async () => completions(processId)[0], timeoutMs);
  } catch (error) {
    const lines = sandbox.app
      .logs()
      .split('\n')
      .filter((l) => /bulk|button|error/i.test(l));
    throw new Error(`${String(error)}\n${lines.slice(-30).join('\n')}`);
  }
}

async function sendViaWidget(id: string): Promise<void> {
  const res = await fetch(`${sandbox.app.url}/api/widget/documents/supply/${id}/actions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${account.adminSession}`, 'content-type': 'application/json' },
    body: JSON.stringify({ action: 'send' }),
  });
  expect(res.status).toBeLessThan(300);
  await waitFor('sent', async () => (await documentView(sandbox, account.adminSession, 'supply', id)).state === 'sent', 60_000);
}

describe('bulk send from the supply list', () => {
  it(
    '20 supplies: new, already sent, one pre-flight error → one notification with the right counts and a link to the error',
    { timeout: 300_000 },
    async () => {
      const fresh = Array.from({ length: 14 }, newSupply);
      const already = Array.from({ length: 5 }, newSupply);
      for (const id of already) await sendViaWidget(id);
      const noArticle = ms().createEntity(account.accountId, 'product', { name: 'Товар без артикула', code: 'BULK-NA' });
      const broken = createSupply(sandbox, account, { positions: [{ productId: noArticle, quantity: 1 }] });
      const tasksBefore = await betaproTaskCount();

      const selected = [...fresh.slice(0, 7), broken, ...already, ...fresh.slice(7)];
      const answer = await press(selected);
      expect(answer.status).toBe(200);
      expect(answer.body.async).toBe(true);
      const processId = answer.body.params!.asyncProcessId!;
      expect(processId).toMatch(/^[0-9a-f-]{36}$/);
      expect(answer.body.params!.text).toContain('20');

      const done = await completed(processId);
      expect(done.text).toMatch(/^Передано: 14, уже были переданы: 5, ошибки: 1\. Первая ошибка — № \S+/);
      expect(done.text.length).toBeLessThanOrEqual(255);
      expect(done.url).toBe(`/app/#supply/edit?id=${broken}`);
      expect(done.urlText).toBe('Открыть документ');
      for (const id of fresh) expect(msState(id)).toBe('Передан');
      expect(msState(broken)).toBe('Ошибка передачи');
      expect(await betaproTaskCount()).toBe(tasksBefore + 14);

      // Nothing more arrives later: the process was completed once.
      await new Promise((r) => setTimeout(r, 2_000));
      expect(completions(processId)).toHaveLength(1);
    },
  );

  it('a repeated delivery of the same press is the same process; a second press sends nothing again', { timeout: 300_000 }, async () => {
    const ids = Array.from({ length: 4 }, newSupply);
    const tasksBefore = await betaproTaskCount();
    const requestId = '7b0c6f43-2d1e-4f4a-9b35-0d6f0e1a2b3c';
    const [first, repeat] = await Promise.all([press(ids, 'admin', requestId), press(ids, 'admin', requestId)]);
    expect(first.status).toBe(200);
    expect(repeat.status).toBe(200);
    const processId = first.body.params!.asyncProcessId!;
    expect(repeat.body.params!.asyncProcessId).toBe(processId);
    expect((await completed(processId)).text).toBe('Передано: 4, уже были переданы: 0, ошибки: 0');

    const again = await press(ids);
    const secondId = again.body.params!.asyncProcessId!;
    expect(secondId).not.toBe(processId);
    expect((await completed(secondId)).text).toBe('Передано: 0, уже были переданы: 4, ошибки: 0');
    expect(await betaproTaskCount()).toBe(tasksBefore + 4);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(completions(processId)).toHaveLength(1);
    expect(completions(secondId)).toHaveLength(1);
  });

  it('the same button on the move list sends moves', async () => {
    const move = () =>
      String(
        ms().createDocument(account.accountId, 'move', {
          organization: ms().meta('organization', account.seed.organizationId),
          sourceStore: ms().meta('store', account.seed.stores.main),
          targetStore: ms().meta('store', account.seed.stores.betapro),
          positions: [{ quantity: 2, price: 0, assortment: ms().meta('product', product('NB-A5').id) }],
        }).id,
      );
    const ids = [move(), move()];
    const answer = await ms().pressButton(account.accountId, 'admin', BUTTON, 'document.move.list', ids);
    expect(answer.status).toBe(200);
    const processId = (answer.body as { params: { asyncProcessId: string } }).params.asyncProcessId;
    expect((await completed(processId)).text).toBe('Передано: 2, уже были переданы: 0, ошибки: 0');
    for (const id of ids)
      expect((ms().getDocument(account.accountId, 'move', id) as { state?: { name?: string } }).state?.name).toBe('Передан');
  });

  it('an employee who may not change supplies is told so at once; nothing is sent', async () => {
    const id = newSupply();
    const tasksBefore = await betaproTaskCount();
    const answer = await press([id], 'clerk-readonly');
    expect(answer.status).toBe(400);
    expect(answer.body.error?.errorMessage).toContain('нет прав на изменение приёмок');
    expect(answer.notification?.kind).toBe('error');
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await betaproTaskCount()).toBe(tasksBefore);
    expect(msState(id)).toBeUndefined();
  });

  it('a clerk whose right covers own supplies only: the others are reported as «нет прав», not skipped', async () => {
    const acc = ms().sim.account(account.accountId);
    acc.employees.clerk.permissions.supply = { view: 'OWN', update: 'OWN', create: 'ALL', delete: 'NO' };
    const own = newSupply();
    acc.entities[own]!.ownerId = acc.employees.clerk.id;
    const foreign = newSupply();
    acc.entities[foreign]!.ownerId = acc.employees.admin.id;
    const answer = await press([own, foreign], 'clerk');
    expect(answer.status).toBe(200);
    const done = await completed(answer.body.params!.asyncProcessId!);
    expect(done.text).toMatch(
      /^Передано: 1, уже были переданы: 0, ошибки: 0, нет прав: 1\. Первая ошибка — № \S+: нет прав на изменение этого документа$/,
    );
    expect(done.url).toBe(`/app/#supply/edit?id=${foreign}`);
    expect(msState(own)).toBe('Передан');
    expect(msState(foreign)).toBeUndefined();
  });

  it(
    "100 supplies stay within MoySklad's limits, and another account's document is not held up by the batch",
    { timeout: 600_000 },
    async () => {
      const ids = Array.from({ length: 100 }, newSupply);
      const tasksBefore = await betaproTaskCount();
      ms().resetStats();
      const answer = await press(ids);
      const processId = answer.body.params!.asyncProcessId!;
      await waitFor('the batch under way', async () => ids.filter((id) => msState(id) === 'Передан').length >= 5, 120_000);

      // Meanwhile a clerk of another account sends one supply from its widget.
      const neighbour = createSupply(sandbox, other, {
        positions: [{ productId: other.seed.products.find((p) => p.article === 'TS-WHITE')!.id, quantity: 1 }],
      });
      const sent = await fetch(`${sandbox.app.url}/api/widget/documents/supply/${neighbour}/actions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${other.adminSession}`, 'content-type': 'application/json' },
        body: JSON.stringify({ action: 'send' }),
      });
      expect(sent.status).toBeLessThan(300);
      await waitFor(
        'the neighbour sent',
        async () => (await documentView(sandbox, other.adminSession, 'supply', neighbour)).state === 'sent',
        120_000,
      );
      expect(completions(processId)).toHaveLength(0);

      const done = await completed(processId, 540_000);
      expect(done.text).toBe('Передано: 100, уже были переданы: 0, ошибки: 0');
      expect(await betaproTaskCount()).toBe(tasksBefore + 101);
      // The batch goes through the account's rate gate (45 requests per 3 s, 5 at once): MoySklad refuses
      // next to nothing. The gate runs at the limit itself, so network jitter can let one call in a few
      // hundred arrive a moment early (refused, then retried); without the gate hundreds would be.
      const stats = ms().stats();
      const calls = stats.totals[account.accountId] ?? 0;
      const refused = Object.values(stats.rejected[account.accountId] ?? {}).reduce((a, b) => a + b, 0);
      expect(calls).toBeGreaterThanOrEqual(100);
      expect(refused).toBeLessThanOrEqual(Math.ceil(calls / 200));
      expect(Object.values(stats.rejected[other.accountId] ?? {}).reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(1);
    },
  );

  it(
    'the app killed in the middle of a batch: after the restart every document is sent once and the process completed once',
    { timeout: 300_000 },
    async () => {
      const ids = Array.from({ length: 12 }, newSupply);
      const tasksBefore = await betaproTaskCount();
      ms().setConfig({ responseDelayMs: 150 } as never);
      const answer = await press(ids);
      const processId = answer.body.params!.asyncProcessId!;
      await waitFor('some sent', async () => ids.some((id) => msState(id) === 'Передан'), 60_000);
      await sandbox.app.stop('SIGKILL');
      ms().setConfig({ responseDelayMs: 0 } as never);
      expect(completions(processId)).toHaveLength(0);

      sandbox.app = await startApp({ port: sandbox.appPort, env: sandbox.appEnv, pgliteDir });
      const done = await completed(processId, 180_000);
      expect(done.text).toBe('Передано: 12, уже были переданы: 0, ошибки: 0');
      for (const id of ids) expect(msState(id)).toBe('Передан');
      expect(await betaproTaskCount()).toBe(tasksBefore + 12);
      await new Promise((r) => setTimeout(r, 1_500));
      expect(completions(processId)).toHaveLength(1);
    },
  );
});

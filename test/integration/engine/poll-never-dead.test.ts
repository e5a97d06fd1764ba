/**
 * Polling never stops, and reads only what is ours (docs/product.md §4). The tests below never press
 * «Проверить приёмку» where the point is the schedule: receipts must arrive through the recurring poll.
 *  - an outdoc BetaPRO deleted after we stored it but before we locked it is dropped (POST /outdocs/check)
 *    and the account's next receipts are still applied;
 *  - a poll that keeps failing (wrong BetaPRO password) backs off, keeps its schedule, shows its cause on
 *    the settings health panel, and picks up again once the cause is fixed;
 *  - an outdoc of another system's task is read once, not on every poll.
 */
import { describe, expect, it } from 'vitest';
import {
  api,
  defaultSettings,
  BETAPRO_PARTNER,
  documentView,
  installAndConfigure,
  waitFor,
  type ConfiguredAccount,
} from '../../support/sandbox';
import { sandboxSuite, type SuiteSandbox } from '../../support/suite';
import type { SettingsInput, SettingsResponse } from '@/lib/api/contract';

let sandbox: SuiteSandbox;
const POLL_INTERVAL_SEC = 15;

sandboxSuite([], (s) => {
  sandbox = s;
});

const ms = () => sandbox.moysklad;
const productId = (acc: ConfiguredAccount, article: string) => acc.seed.products.find((p) => p.article === article)!.id;

async function control<T = Record<string, unknown>>(path: string, body: unknown = {}): Promise<T> {
  const res = await fetch(`${sandbox.betapro.controlUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${path}: ${res.status} ${text}`);
  return (text ? JSON.parse(text) : {}) as T;
}

async function sendSupply(acc: ConfiguredAccount, article: string, quantity: number): Promise<{ id: string; indocId: string }> {
  const doc = ms().createDocument(acc.accountId, 'supply', {
    organization: ms().meta('organization', acc.seed.organizationId),
    agent: ms().meta('counterparty', acc.seed.counterpartyId),
    store: ms().meta('store', acc.seed.stores.betapro),
    positions: [{ quantity, price: 100, assortment: ms().meta('product', productId(acc, article)) }],
  });
  const id = String(doc.id);
  await api(sandbox.app.url, `/api/widget/documents/supply/${id}/actions`, {
    token: acc.adminSession,
    body: { action: 'send' },
  });
  const view = await waitFor(
    'sent',
    async () => {
      const v = await documentView(sandbox, acc.adminSession, 'supply', id);
      if (v.state === 'error') throw new Error(JSON.stringify(v.errors));
      return v.state === 'sent' ? v : undefined;
    },
    60_000,
  );
  return { id, indocId: view.indocId! };
}

async function receive(indocId: string, article: string, quantity: number): Promise<number[]> {
  const result = await control<{ issued_outdoc_ids: number[] }>(`/indocs/${indocId}/receive`, {
    final: true,
    items: [{ good_id: article, useful_qnt: quantity, defective_qnt: 0 }],
  });
  return result.issued_outdoc_ids;
}

async function health(acc: ConfiguredAccount): Promise<SettingsResponse['health']> {
  const { status, body } = await api<SettingsResponse>(sandbox.app.url, '/api/settings', { token: acc.adminSession });
  expect(status).toBe(200);
  return body.health;
}

/** Waits for the document to be posted by the scheduled poll alone (no «Проверить приёмку»). */
function postedBySchedule(acc: ConfiguredAccount, id: string) {
  return waitFor(
    'posted by the scheduled poll',
    async () => {
      const v = await documentView(sandbox, acc.adminSession, 'supply', id);
      return v.state === 'posted' ? v : undefined;
    },
    (POLL_INTERVAL_SEC * 3 + 15) * 1000,
  );
}

async function saveSettings(acc: ConfiguredAccount, overrides: Partial<SettingsInput>): Promise<void> {
  const settings = defaultSettings(sandbox, acc.seed, { pollIntervalSec: POLL_INTERVAL_SEC, ...overrides });
  const saved = await api(sandbox.app.url, '/api/settings', { method: 'PUT', token: acc.adminSession, body: settings });
  expect(saved.status).toBe(200);
}

// First, while this account is the only one polling the partner: every poll of any account counts.
describe('polling reads only what is ours', () => {
  it("an outdoc of another system's task is fetched once, not on every poll", async () => {
    const acc = await installAndConfigure(sandbox, 'poll-foreign', { pollIntervalSec: POLL_INTERVAL_SEC });
    const ours = await sendSupply(acc, 'PEN-BLUE', 1); // also registers PEN-BLUE in the partner's catalogue
    // Another system of the same BetaPRO partner creates its own task, and the warehouse receives it.
    const res = await fetch(`${sandbox.betapro.apiUrl}/indocs`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${BETAPRO_PARTNER.partnerId}:${BETAPRO_PARTNER.password}`).toString('base64')}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        indoc_type: 'goods_supply_task',
        indoc_id: 'OTHER-SYSTEM-1',
        items: [{ good_id: 'PEN-BLUE', plan_qnt: 2 }],
      }),
    });
    expect(res.status).toBe(200);
    await receive('OTHER-SYSTEM-1', 'PEN-BLUE', 2);

    await control('/stats/reset');
    for (let i = 0; i < 3; i++) await pollNow(acc, ours.id);
    const stats = (await (await fetch(`${sandbox.betapro.controlUrl}/stats`)).json()) as {
      partners: Record<string, { operations: Record<string, number> }>;
    };
    const operations = stats.partners[BETAPRO_PARTNER.partnerId]?.operations ?? {};
    expect(operations['POST /outdocs/list']).toBeGreaterThanOrEqual(3);
    expect(operations['GET /outdocs/{outdoc_id}'] ?? 0).toBeLessThanOrEqual(1);
  }, 120_000);
});

describe('polling never stops', () => {
  it('an outdoc BetaPRO deleted before we locked it is dropped; the next receipts are applied on schedule', async () => {
    const acc = await installAndConfigure(sandbox, 'poll-vanished', { pollIntervalSec: POLL_INTERVAL_SEC });
    const first = await sendSupply(acc, 'TS-WHITE', 5);
    const [vanishing] = await receive(first.indocId, 'TS-WHITE', 5);
    // The poll stores the outdoc, then BetaPRO fails every lock for a while.
    await control('/faults', { mode: 'error500', operations: ['POST /outdocs/lock'] });
    await api(sandbox.app.url, `/api/widget/documents/supply/${first.id}/actions`, {
      token: acc.adminSession,
      body: { action: 'check' },
    });
    await waitFor('outdoc stored', async () =>
      (await documentView(sandbox, acc.adminSession, 'supply', first.id)).events.some((e) => e.kind === 'receipt_stored'),
    );
    // Meanwhile BetaPRO deletes it (to correct it); locking it would now be refused as a whole.
    await control(`/outdocs/${vanishing}/delete`);
    await control('/faults', { mode: 'none' });

    const second = await sendSupply(acc, 'MUG-300', 3);
    await receive(second.indocId, 'MUG-300', 3);
    await postedBySchedule(acc, second.id);

    const firstView = await documentView(sandbox, acc.adminSession, 'supply', first.id);
    // Still waiting for the warehouse's corrected document: nothing of the deleted one was applied.
    expect(['sent', 'receiving']).toContain(firstView.state);
    expect(ms().getDocument(acc.accountId, 'supply', first.id).applicable).not.toBe(true);
    expect(firstView.events.some((e) => e.kind === 'receipt_vanished' && e.message.includes(String(vanishing)))).toBe(true);
    const h = await health(acc);
    expect(h.deadJobs).toBe(0);
    expect(h.pollError).toBeNull();
  }, 180_000);

  it('a poll that keeps failing backs off, shows its cause on the health panel, and resumes once fixed', async () => {
    const acc = await installAndConfigure(sandbox, 'poll-failing', { pollIntervalSec: POLL_INTERVAL_SEC });
    const { id, indocId } = await sendSupply(acc, 'NB-A5', 2);
    await receive(indocId, 'NB-A5', 2);
    await saveSettings(acc, { betaproPassword: 'wrong-password' });

    const failing = await waitFor(
      'two failed polls on the health panel',
      async () => {
        const h = await health(acc);
        return h.pollError && h.pollError.failures >= 2 ? h : undefined;
      },
      60_000,
    );
    expect(failing.pollError!.message).toMatch(/БетаПРО/);
    expect(failing.deadJobs).toBe(0);
    expect((await documentView(sandbox, acc.adminSession, 'supply', id)).state).toBe('sent');

    await saveSettings(acc, { betaproPassword: BETAPRO_PARTNER.password });
    await postedBySchedule(acc, id);
    const recovered = await health(acc);
    expect(recovered.pollError).toBeNull();
    expect(recovered.deadJobs).toBe(0);
  }, 180_000);
});

/** «Проверить приёмку» on a sent document runs the account's poll now; waits until it has run. */
async function pollNow(acc: ConfiguredAccount, documentId: string): Promise<void> {
  const before = await listCalls();
  await api(sandbox.app.url, `/api/widget/documents/supply/${documentId}/actions`, {
    token: acc.adminSession,
    body: { action: 'check' },
  });
  await waitFor('poll ran', async () => (await listCalls()) > before, 20_000);
  await new Promise((r) => setTimeout(r, 1000));
}

async function listCalls(): Promise<number> {
  const stats = (await (await fetch(`${sandbox.betapro.controlUrl}/stats`)).json()) as {
    partners: Record<string, { operations: Record<string, number> }>;
  };
  return stats.partners[BETAPRO_PARTNER.partnerId]?.operations['POST /outdocs/list'] ?? 0;
}

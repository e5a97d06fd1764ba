/**
 * Positions are written once (issue 14, item 11: the fault suite's `positions rewritten 2 times`): an
 * apply that runs again over a document it already wrote — after a crash, a lost database write, a
 * job taken over by another worker, or a «Проверить приёмку» — finds the rows by content (the row of
 * an unexpected good has a new id) and does not write the positions a second time, nor add a second
 * posting line or «posted» event.
 */
import { describe, expect, it } from 'vitest';
import { api, createSupply, documentView, waitFor, type ConfiguredAccount } from '../../support/sandbox';
import { sandboxSuite, type SuiteSandbox } from '../../support/suite';

let sandbox: SuiteSandbox;
let account: ConfiguredAccount;

sandboxSuite(['positions-once-shop'], (s, [a]) => {
  sandbox = s;
  account = a;
});

const ms = () => sandbox.moysklad;
const productId = (article: string) => account.seed.products.find((p) => p.article === article)!.id;
type AuditEvent = { entityId: string; diff?: Record<string, unknown> };
const auditOf = (id: string) =>
  (ms().sim.account(account.accountId) as unknown as { auditEvents: AuditEvent[] }).auditEvents.filter((e) => e.entityId === id);

async function press(id: string, action: 'send' | 'check') {
  await api(sandbox.app.url, `/api/widget/documents/supply/${id}/actions`, {
    token: account.adminSession,
    body: { action },
  });
}
async function send(lines: Array<[string, number]>): Promise<{ id: string; indocId: string }> {
  const id = createSupply(sandbox, account, {
    positions: lines.map(([article, quantity]) => ({ productId: productId(article), quantity })),
  });
  await press(id, 'send');
  const view = await waitFor('sent', async () => {
    const v = await documentView(sandbox, account.adminSession, 'supply', id);
    if (v.state === 'error') throw new Error(JSON.stringify(v.errors));
    return v.state === 'sent' ? v : undefined;
  });
  return { id, indocId: view.indocId! };
}
async function receive(indocId: string, items: unknown[]) {
  const res = await fetch(`${sandbox.betapro.controlUrl}/indocs/${indocId}/receive`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ final: true, items }),
  });
  if (res.status >= 300) throw new Error(`receive: ${res.status} ${await res.text()}`);
}

describe('positions are written once', () => {
  it("an apply run again over a document it already wrote (an unexpected good's row has a new id) does not rewrite the positions", async () => {
    await send([['PEN-BLUE', 1]]); // the warehouse knows PEN-BLUE from another task
    const { id, indocId } = await send([
      ['TS-WHITE', 10],
      ['MUG-300', 4],
    ]);
    await receive(indocId, [
      { good_id: 'TS-WHITE', useful_qnt: 7, defective_qnt: 0 },
      { good_id: 'MUG-300', useful_qnt: 0, defective_qnt: 0 },
      { good_id: 'PEN-BLUE', useful_qnt: 3, defective_qnt: 0 },
    ]);
    await waitFor(
      'posted',
      async () => {
        const v = await documentView(sandbox, account.adminSession, 'supply', id);
        if (v.state === 'posted') return v;
        if (v.actions.check.enabled) await press(id, 'check');
        await new Promise((r) => setTimeout(r, 300));
        return undefined;
      },
      40_000,
    );
    const positionWrites = () => auditOf(id).filter((e) => e.diff?.positions).length;
    expect(positionWrites()).toBe(1);

    // The same apply again (what a rerun after a crash or a takeover does).
    const eventsBefore = auditOf(id).length;
    await press(id, 'check');
    await waitFor('the apply ran again (or found nothing to do)', async () => auditOf(id).length > eventsBefore, 6_000).catch(
      () => undefined,
    );
    await new Promise((r) => setTimeout(r, 500));
    expect(positionWrites()).toBe(1);
    // Nor a second posting line or «posted» event: the run found everything already done.
    const text = (ms().getDocument(account.accountId, 'supply', id) as { description?: string }).description ?? '';
    expect(text.split('Проведён по факту приёмки БетаПРО').length - 1).toBe(1);
    const view = await documentView(sandbox, account.adminSession, 'supply', id);
    expect(view.events.filter((e) => e.kind === 'posted')).toHaveLength(1);
    const rows = (
      ms().getDocument(account.accountId, 'supply', id) as {
        positions: { rows: Array<{ quantity: number; assortment: { article?: string } }> };
      }
    ).positions.rows;
    expect(Object.fromEntries(rows.map((r) => [r.assortment.article, r.quantity]))).toEqual({
      'TS-WHITE': 7,
      'PEN-BLUE': 3,
    });
  }, 90_000);
});

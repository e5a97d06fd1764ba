/**
 * Outbound figures (docs/outbound.md): a move out of the BetaPRO store of N positions with known goods,
 * measured like the inbound rows — trigger → «Передан» (calls and latency), then the warehouse ships it
 * in full → «Проведён». The goods are first received by an inbound supply, so they are registered and in
 * BetaPRO's stock; that preparation is not counted.
 */
import { api, documentView } from '../../test/support/sandbox';
import type { DocumentView } from '@/lib/api/contract';
import { betaproCalls, moyskladCalls, resetCounters, settle, type CallCount } from './counters';
import { control, createSupply, sleep, type BenchAccount, type BenchSandbox } from './fixtures';
import { measureReceipt, measureTransfer } from './documents';
import { routes } from './markdown';

export interface OutboundRow {
  positions: number;
  transfer: { moysklad: CallCount; betapro: CallCount; latencyMs: number };
  shipment: { moysklad: CallCount; betapro: CallCount; latencyMs: number };
}

async function moveAction(sandbox: BenchSandbox, account: BenchAccount, id: string, action: 'send' | 'check'): Promise<void> {
  const res = await api(sandbox.app.url, `/api/widget/documents/move/${id}/actions`, {
    token: account.adminSession,
    body: { action },
  });
  if (res.status !== 202 && res.status !== 200) throw new Error(`move ${action} on ${id}: ${res.status}`);
}

async function waitMove(
  sandbox: BenchSandbox,
  account: BenchAccount,
  id: string,
  done: (v: DocumentView) => boolean,
  timeoutMs: number,
  tick?: () => Promise<void>,
): Promise<DocumentView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const view = await documentView(sandbox, account.adminSession, 'move', id);
    if (done(view)) return view;
    if (view.state === 'error') throw new Error(`move ${id} ended in error: ${JSON.stringify(view.errors)}`);
    if (Date.now() > deadline) throw new Error(`timed out: move ${id} is ${view.state}`);
    if (tick) await tick();
    await sleep(20);
  }
}

/** A move from the BetaPRO store to the main store, one position per product (≤ 1000 in the body). */
function createOutboundMove(sandbox: BenchSandbox, account: BenchAccount, productIds: string[], quantity: (i: number) => number): string {
  const ms = sandbox.moysklad;
  ms.setConfig({ webhooksEnabled: false });
  try {
    const doc = ms.createDocument(account.accountId, 'move', {
      organization: ms.meta('organization', account.seed.organizationId),
      sourceStore: ms.meta('store', account.seed.stores.betapro),
      targetStore: ms.meta('store', account.seed.stores.main),
      positions: productIds.slice(0, 1000).map((id, i) => ({ quantity: quantity(i), price: 0, assortment: ms.meta('product', id) })),
    });
    return String(doc.id);
  } finally {
    ms.setConfig({ webhooksEnabled: true });
  }
}

export async function measureOutbound(
  sandbox: BenchSandbox,
  account: BenchAccount,
  productIds: string[],
  plan: Array<{ goodId: string; quantity: number }>,
): Promise<OutboundRow> {
  const n = productIds.length;
  const timeoutMs = 60_000 + n * 60;
  const quantity = (i: number) => 1 + (i % 7);
  // Preparation, not counted: the goods received into BetaPRO's stock.
  const supply = await createSupply(sandbox, account, productIds, quantity);
  const inbound = await measureTransfer(sandbox, account, supply, { timeoutMs, count: false });
  await measureReceipt(sandbox, account, supply, inbound.indocId, plan, 'exact', { timeoutMs, count: false });

  const id = createOutboundMove(sandbox, account, productIds, quantity);
  await settle(sandbox, 400);
  await resetCounters(sandbox);
  const t0 = Date.now();
  await moveAction(sandbox, account, id, 'send');
  const sent = await waitMove(sandbox, account, id, (v) => v.state === 'sent' && Boolean(v.sentAt), timeoutMs);
  await settle(sandbox);
  const transfer = {
    moysklad: moyskladCalls(sandbox, [account.accountId]),
    betapro: await betaproCalls(sandbox, [account.partnerId]),
    latencyMs: Date.parse(sent.sentAt!) - t0,
  };

  await settle(sandbox, 400);
  await resetCounters(sandbox);
  await control(sandbox, `/indocs/${encodeURIComponent(sent.indocId!)}/ship?partner=${encodeURIComponent(account.partnerId)}`, {});
  const t1 = Date.now();
  await moveAction(sandbox, account, id, 'check');
  let lastCheck = Date.now();
  const posted = await waitMove(
    sandbox,
    account,
    id,
    (v) => v.state === 'posted' && Boolean(v.postedAt),
    timeoutMs,
    async () => {
      if (Date.now() - lastCheck > 5_000) {
        lastCheck = Date.now();
        await moveAction(sandbox, account, id, 'check');
      }
    },
  );
  await settle(sandbox);
  const shipment = {
    moysklad: moyskladCalls(sandbox, [account.accountId]),
    betapro: await betaproCalls(sandbox, [account.partnerId]),
    latencyMs: Date.parse(posted.postedAt!) - t1,
  };
  return { positions: n, transfer, shipment };
}

/**
 * Lines for the bench report's notes, next to the inbound «calls» rows: totals, the call budget of a
 * transfer of ≤ 100 known positions (≤ 3 MoySklad + ≤ 2 BetaPRO, as for inbound), and where the calls went.
 */
export function outboundNotes(rows: OutboundRow[]): string[] {
  return rows.map((r) => {
    const budget =
      r.positions <= 100
        ? ` (budget ≤ 3 + ≤ 2: ${r.transfer.moysklad.total <= 3 && r.transfer.betapro.total <= 2 ? 'kept' : 'EXCEEDED'})`
        : '';
    return (
      `outbound move, ${r.positions} positions, known goods: transfer ${r.transfer.moysklad.total} MoySklad + ${r.transfer.betapro.total} BetaPRO calls${budget}, ` +
      `${r.transfer.latencyMs} ms to «Передан»; shipment ${r.shipment.moysklad.total} MoySklad + ${r.shipment.betapro.total} BetaPRO calls, ${r.shipment.latencyMs} ms to «Проведён». ` +
      `Transfer MoySklad: ${routes(r.transfer.moysklad)}; BetaPRO: ${routes(r.transfer.betapro)}. ` +
      `Shipment MoySklad: ${routes(r.shipment.moysklad)}; BetaPRO: ${routes(r.shipment.betapro)}.`
    );
  });
}

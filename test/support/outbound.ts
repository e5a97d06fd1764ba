/**
 * Goods leaving BetaPRO (docs/outbound.md) for tests and the screenshots: outbound moves and purchase
 * returns created as a MoySklad user would, the BetaPRO simulator's control calls (stock, receive, ship),
 * and waiting for a document's state through the widget API. Shared by the integration tests, the
 * Chromium e2e and docs/screenshots/capture.ts.
 */
import type { DocumentView } from '@/lib/api/contract';
import type { SeedResult } from '../sandbox/moysklad';
import { api, BETAPRO_PARTNER, defaultSettings, documentView, waitFor, type Sandbox } from './sandbox';

/** What these helpers need of an installed account (a ConfiguredAccount has it). */
export interface AccountRef {
  accountId: string;
  seed: SeedResult;
  adminSession: string;
}
export type OutboundEntity = 'move' | 'purchasereturn';
export type Lines = Array<[article: string, quantity: number]>;

const productId = (account: AccountRef, article: string) => {
  const product = account.seed.products.find((p) => p.article === article);
  if (!product) throw new Error(`no product with article ${article}`);
  return product.id;
};

function positions(sandbox: Sandbox, account: AccountRef, lines: Lines, price: number) {
  return lines.map(([article, quantity]) => ({
    quantity,
    price,
    assortment: sandbox.moysklad.meta('product', productId(account, article)),
  }));
}

/** A move between two stores (by default out of the BetaPRO store into the main one). */
export function createMove(
  sandbox: Sandbox,
  account: AccountRef,
  lines: Lines,
  options: { from?: string; to?: string; state?: string } = {},
): string {
  const ms = sandbox.moysklad;
  const { stores, states } = account.seed;
  return String(
    ms.createDocument(account.accountId, 'move', {
      organization: ms.meta('organization', account.seed.organizationId),
      sourceStore: ms.meta('store', options.from ?? stores.betapro),
      targetStore: ms.meta('store', options.to ?? stores.main),
      ...(options.state ? { state: ms.stateMeta('move', states.move[options.state]) } : {}),
      positions: positions(sandbox, account, lines, 0),
    }).id,
  );
}

/** A return to the supplier from a store (by default the BetaPRO one). */
export function createPurchaseReturn(
  sandbox: Sandbox,
  account: AccountRef,
  lines: Lines,
  options: { store?: string; state?: string } = {},
): string {
  const ms = sandbox.moysklad;
  return String(
    ms.createDocument(account.accountId, 'purchasereturn', {
      organization: ms.meta('organization', account.seed.organizationId),
      agent: ms.meta('counterparty', account.seed.counterpartyId),
      store: ms.meta('store', options.store ?? account.seed.stores.betapro),
      ...(options.state ? { state: ms.stateMeta('purchasereturn', account.seed.states.purchasereturn[options.state]) } : {}),
      positions: positions(sandbox, account, lines, 100),
    }).id,
  );
}

/** A call to the BetaPRO simulator's control API (what its operator console does). */
export async function betaproControl(sandbox: Sandbox, path: string, body: unknown = {}): Promise<{ data?: Record<string, unknown> }> {
  const res = await fetch(`${sandbox.betapro.controlUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status >= 300) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.json() as Promise<{ data?: Record<string, unknown> }>;
}

/** The simulator ships a task: in full, or `items` (never more than its stock). */
export const ship = (sandbox: Sandbox, indocId: string, items?: Array<{ good_id: string; qnt: number }>) =>
  betaproControl(sandbox, `/indocs/${indocId}/ship`, items ? { items } : {});

/** An inventory in the simulator: sets the partner's stock of these goods. */
export const setStock = (sandbox: Sandbox, items: Array<{ good_id: string; qnt: number }>) =>
  betaproControl(sandbox, `/stock?partner=${BETAPRO_PARTNER.partnerId}`, { items });

/** The tasks BetaPRO holds for the test partner. */
export async function simIndocs(sandbox: Sandbox): Promise<Array<{ indoc_id: string; indoc_type: string; json: Record<string, unknown> }>> {
  const res = await fetch(`${sandbox.betapro.controlUrl}/state`);
  const state = (await res.json()) as {
    partners: Array<{
      partnerId: string;
      indocs: Array<{ indoc_id: string; indoc_type: string; json: Record<string, unknown> }>;
    }>;
  };
  return state.partners.find((p) => p.partnerId === BETAPRO_PARTNER.partnerId)?.indocs ?? [];
}

export const documentAction = (sandbox: Sandbox, account: AccountRef, entity: 'supply' | OutboundEntity, id: string, action: string) =>
  api<DocumentView>(sandbox.app.url, `/api/widget/documents/${entity}/${id}/actions`, {
    token: account.adminSession,
    body: { action },
  });

/** Waits until the document is in one of `states` (as the widget API reports it). */
export function settle(
  sandbox: Sandbox,
  account: AccountRef,
  entity: 'supply' | OutboundEntity,
  id: string,
  states: string[],
): Promise<DocumentView> {
  return waitFor(
    `${entity} ${id} in ${states.join('/')}`,
    async () => {
      const v = await documentView(sandbox, account.adminSession, entity, id);
      return states.includes(v.state) ? v : undefined;
    },
    40_000,
  );
}

/** Presses «Проверить» until the warehouse's facts are handled and `done` holds. */
export function checkUntil(
  sandbox: Sandbox,
  account: AccountRef,
  entity: 'supply' | OutboundEntity,
  id: string,
  done: (v: DocumentView) => boolean,
): Promise<DocumentView> {
  return waitFor(
    `${entity} ${id}: warehouse facts handled`,
    async () => {
      const v = await documentView(sandbox, account.adminSession, entity, id);
      if (done(v)) return v;
      await documentAction(sandbox, account, entity, id, 'check');
      await new Promise((r) => setTimeout(r, 300));
      return undefined;
    },
    40_000,
  );
}

/** Registers the goods in BetaPRO and puts them in its stock: an inbound move received as planned. */
export async function stockUp(sandbox: Sandbox, account: AccountRef, lines: Lines): Promise<void> {
  const { stores } = account.seed;
  const id = createMove(sandbox, account, lines, { from: stores.main, to: stores.betapro });
  await documentAction(sandbox, account, 'move', id, 'send');
  const sent = await settle(sandbox, account, 'move', id, ['sent', 'error']);
  if (sent.errors.length) throw new Error(`stock-up move failed: ${JSON.stringify(sent.errors)}`);
  await betaproControl(sandbox, `/indocs/${sent.indocId}/receive`, { final: true });
  await checkUntil(sandbox, account, 'move', id, (v) => v.state === 'posted');
}

/** Switches returns to suppliers on, with their own four statuses, as an admin does in the settings. */
export async function enableReturns(
  sandbox: Sandbox,
  account: AccountRef,
  overrides: Parameters<typeof defaultSettings>[2] = {},
): Promise<void> {
  const { seed } = account;
  const settings = defaultSettings(sandbox, seed, overrides);
  const statuses = {
    transfer: seed.states.purchasereturn['Передать'],
    sent: seed.states.purchasereturn['Передан'],
    error: seed.states.purchasereturn['Ошибка передачи'],
    posted: seed.states.purchasereturn['Проведён'],
  };
  const saved = await api(sandbox.app.url, '/api/settings', {
    method: 'PUT',
    token: account.adminSession,
    body: {
      ...settings,
      enabledEntities: ['supply', 'move', 'purchasereturn'],
      statuses: { ...settings.statuses, purchasereturn: statuses },
    },
  });
  if (saved.status !== 200) throw new Error(`settings failed: ${saved.status} ${JSON.stringify(saved.body)}`);
}

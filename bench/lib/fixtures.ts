/**
 * Bench fixtures on top of test/support/sandbox.ts: accounts with their own BetaPRO partner (so
 * BetaPRO's one-request-at-a-time per partner is per account, as in production), products and
 * documents created in-process in the MoySklad simulator, triggers and waits over the app's HTTP API.
 */
import { api, documentView, installAndConfigure, type ConfiguredAccount, type Sandbox } from '../../test/support/sandbox';
import type { DocumentView } from '@/lib/api/contract';

export type BenchSandbox = Sandbox & { appPort: number; appBaseUrl: string; appEnv: Record<string, string> };

export interface BenchAccount extends ConfiguredAccount {
  name: string;
  partnerId: string;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function control(sandbox: BenchSandbox, path: string, body: unknown = {}): Promise<unknown> {
  const res = await fetch(`${sandbox.betapro.controlUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`BetaPRO control ${path}: ${res.status} ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : {};
}

/** Installs and configures an account whose BetaPRO partner is its own. */
export async function benchAccount(
  sandbox: BenchSandbox,
  name: string,
  settings: Omit<Parameters<typeof installAndConfigure>[2], 'betaproPartnerId' | 'betaproPassword'> = {},
): Promise<BenchAccount> {
  const partnerId = `P-${name}`;
  const password = `pw-${name}-0123456789`;
  await control(sandbox, '/partners', { partnerId, password });
  const account = await installAndConfigure(sandbox, name, {
    ...settings,
    betaproPartnerId: partnerId,
    betaproPassword: password,
  });
  return { ...account, name, partnerId };
}

/** Creates `count` products with articles `${prefix}-${i}` (in-process, no HTTP). */
export function createProducts(sandbox: BenchSandbox, account: BenchAccount, prefix: string, count: number): string[] {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    ids.push(
      sandbox.moysklad.createEntity(account.accountId, 'product', {
        name: `Товар ${prefix} №${i + 1}`,
        article: `${prefix}-${i + 1}`,
        code: `${prefix}-C${i + 1}`,
        buyPrice: { value: 10_000 + i },
      }),
    );
  }
  return ids;
}

/**
 * A supply to the BetaPRO store with one position per product. Webhooks are off while it is created,
 * so the creation's webhooks (a MoySklad read by the app each) are not counted as part of a transfer.
 * Like MoySklad, a document body holds at most 1000 positions: the rest are added through the JSON
 * API's /positions (before any counters are reset).
 */
export async function createSupply(
  sandbox: BenchSandbox,
  account: BenchAccount,
  productIds: string[],
  quantity = (i: number) => 1 + (i % 7),
): Promise<string> {
  const ms = sandbox.moysklad;
  const rows = productIds.map((id, i) => ({
    quantity: quantity(i),
    price: 10_000,
    assortment: ms.meta('product', id),
  }));
  ms.setConfig({ webhooksEnabled: false });
  try {
    const doc = ms.createDocument(account.accountId, 'supply', {
      organization: ms.meta('organization', account.seed.organizationId),
      agent: ms.meta('counterparty', account.seed.counterpartyId),
      store: ms.meta('store', account.seed.stores.betapro),
      positions: rows.slice(0, 1000),
    });
    const id = String(doc.id);
    for (let offset = 1000; offset < rows.length; offset += 1000) {
      const res = await fetch(`${ms.apiUrl}/entity/supply/${id}/positions`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${account.token}`,
          'accept-encoding': 'gzip',
          'content-type': 'application/json',
        },
        body: JSON.stringify(rows.slice(offset, offset + 1000)),
      });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`adding positions to ${id}: ${res.status}`);
    }
    return id;
  } finally {
    ms.setConfig({ webhooksEnabled: true });
  }
}

export async function widgetAction(sandbox: BenchSandbox, account: BenchAccount, id: string, action: 'send' | 'check'): Promise<number> {
  const res = await api(sandbox.app.url, `/api/widget/documents/supply/${id}/actions`, {
    token: account.adminSession,
    body: { action },
  });
  if (res.status !== 202 && res.status !== 200)
    throw new Error(`action ${action} on ${id}: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
  return res.status;
}

/** Polls the widget view (database only, no MoySklad call) until `done`; an error state throws. */
export async function waitView(
  sandbox: BenchSandbox,
  account: BenchAccount,
  id: string,
  done: (v: DocumentView) => boolean,
  timeoutMs: number,
  everyMs = 40,
  onTick?: (v: DocumentView) => Promise<void>,
): Promise<DocumentView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const view = await documentView(sandbox, account.adminSession, 'supply', id);
    if (done(view)) return view;
    if (view.state === 'error' || view.state === 'expired')
      throw new Error(`document ${id} ended in ${view.state}: ${JSON.stringify(view.errors)}`);
    if (Date.now() > deadline) throw new Error(`timed out: document ${id} is ${view.state}`);
    if (onTick) await onTick(view);
    await sleep(everyMs);
  }
}

export function msStateName(sandbox: BenchSandbox, account: BenchAccount, id: string): string | undefined {
  return (sandbox.moysklad.getDocument(account.accountId, 'supply', id) as { state?: { name?: string } }).state?.name;
}

export interface BetaproState {
  partners: Record<
    string,
    {
      indocs: Record<string, { indoc_id: string }>;
      outdocs: Record<string, { outdoc_id: number; indoc_id?: string; locked: boolean; deleted?: boolean }>;
    }
  >;
}

export async function betaproState(sandbox: BenchSandbox): Promise<BetaproState> {
  const res = await fetch(`${sandbox.betapro.controlUrl}/state`);
  const state = (await res.json()) as {
    partners: BetaproState['partners'] | Array<BetaproState['partners'][string] & { partnerId: string }>;
  };
  if (Array.isArray(state.partners)) return { partners: Object.fromEntries(state.partners.map((p) => [p.partnerId, p])) };
  return state as BetaproState;
}

export interface Integrity {
  documents: number;
  /** Not "Передан"/"Проведён" in MoySklad, or without a BetaPRO task, at the end of the run. */
  lost: number;
  /** Documents with more than one BetaPRO task. */
  duplicated: number;
}

/** Every document has exactly one BetaPRO task under its account's partner and the expected MoySklad status. */
export async function checkIntegrity(
  sandbox: BenchSandbox,
  docs: Array<{ account: BenchAccount; id: string }>,
  expectedState: string | string[] = 'Передан',
): Promise<Integrity> {
  const state = await betaproState(sandbox);
  const expected = Array.isArray(expectedState) ? expectedState : [expectedState];
  const tasksByPartner = new Map<string, string[]>();
  for (const [partnerId, p] of Object.entries(state.partners))
    tasksByPartner.set(
      partnerId,
      Object.values(p.indocs).map((t) => t.indoc_id.toLowerCase()),
    );
  let lost = 0;
  let duplicated = 0;
  for (const { account, id } of docs) {
    const hex = id.replace(/-/g, '').toLowerCase();
    const tasks = (tasksByPartner.get(account.partnerId) ?? []).filter((t) => t.includes(hex)).length;
    if (tasks === 0 || !expected.includes(msStateName(sandbox, account, id) ?? '')) lost++;
    if (tasks > 1) duplicated++;
  }
  return { documents: docs.length, lost, duplicated };
}

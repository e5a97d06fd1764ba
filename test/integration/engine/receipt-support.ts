/**
 * Shared steps of the receipt suites: send a supply through the widget, drive the BetaPRO simulator's
 * warehouse (control API), press «Проверить приёмку» until the document reaches a state, read MoySklad.
 */
import { api, documentView, waitFor, type ConfiguredAccount, type Sandbox } from '../../support/sandbox';
import type { DocumentView } from '@/lib/api/contract';

export interface MsDoc {
  applicable?: boolean;
  description?: string;
  state?: { name?: string };
  positions?: {
    rows: Array<{
      id: string;
      quantity: number;
      price: number;
      assortment: { meta: { href: string }; article?: string; name?: string };
    }>;
  };
}

/** `description`: the user's comment on each supply sent (suites that check comment lines want two of them). */
export function receiptSteps(sandbox: () => Sandbox, options: { description?: string } = {}) {
  const ms = () => sandbox().moysklad;
  const productOf = (acc: ConfiguredAccount, article: string) => acc.seed.products.find((p) => p.article === article)!;

  async function sendSupply(
    acc: ConfiguredAccount,
    lines: Array<[article: string, quantity: number]>,
  ): Promise<{ id: string; indocId: string }> {
    const doc = ms().createDocument(acc.accountId, 'supply', {
      organization: ms().meta('organization', acc.seed.organizationId),
      agent: ms().meta('counterparty', acc.seed.counterpartyId),
      store: ms().meta('store', acc.seed.stores.betapro),
      description: options.description ?? 'Комментарий пользователя',
      positions: lines.map(([article, quantity]) => ({
        quantity,
        price: 15000,
        assortment: ms().meta('product', productOf(acc, article).id),
      })),
    });
    const id = String(doc.id);
    await api(sandbox().app.url, `/api/widget/documents/supply/${id}/actions`, {
      token: acc.adminSession,
      body: { action: 'send' },
    });
    const view = await waitFor('sent', async () => {
      const v = await documentView(sandbox(), acc.adminSession, 'supply', id);
      return v.state === 'sent' ? v : undefined;
    });
    return { id, indocId: view.indocId! };
  }

  /** Control API of the BetaPRO simulator; throws on an error status. */
  async function control<T = Record<string, unknown>>(path: string, body: unknown = {}): Promise<T> {
    const res = await fetch(`${sandbox().betapro.controlUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`${path}: ${res.status} ${text}`);
    return (text ? JSON.parse(text) : {}) as T;
  }

  async function check(acc: ConfiguredAccount, id: string): Promise<void> {
    await api(sandbox().app.url, `/api/widget/documents/supply/${id}/actions`, {
      token: acc.adminSession,
      body: { action: 'check' },
    });
  }

  /** Presses «Проверить приёмку» (when enabled) until `done` holds for the document view. */
  async function checkUntil(acc: ConfiguredAccount, id: string, what: string, done: (v: DocumentView) => boolean): Promise<DocumentView> {
    return waitFor(
      what,
      async () => {
        const v = await documentView(sandbox(), acc.adminSession, 'supply', id);
        if (done(v)) return v;
        if (v.actions.check.enabled) await check(acc, id);
        await new Promise((r) => setTimeout(r, 300));
        return undefined;
      },
      40_000,
    );
  }

  function msDoc(acc: ConfiguredAccount, id: string): MsDoc {
    return ms().getDocument(acc.accountId, 'supply', id) as MsDoc;
  }

  function quantities(acc: ConfiguredAccount, id: string): Record<string, number> {
    const out: Record<string, number> = {};
    for (const row of msDoc(acc, id).positions?.rows ?? []) out[row.assortment.article ?? row.assortment.name ?? '?'] = row.quantity;
    return out;
  }

  return { sendSupply, control, check, checkUntil, msDoc, quantities, productOf };
}

/** The simulator's outdocs of one task (deleted ones included, marked), from GET /_sim/state. */
export async function simOutdocs(sandbox: Sandbox, indocId: string) {
  const state = (await (await fetch(`${sandbox.betapro.controlUrl}/state`)).json()) as {
    partners: Array<{
      outdocs: Array<{
        outdoc_id: number;
        indoc_id?: string;
        task_id?: string;
        locked: boolean;
        unlock_request: boolean;
        deleted?: boolean;
        attributes: Array<{ attribute_id: number; value: unknown }>;
      }>;
    }>;
  };
  return state.partners.flatMap((p) => p.outdocs).filter((o) => o.task_id === indocId);
}

/**
 * Large documents are read in few calls (issue 17): a transfer of 5,000 positions of 5,000 goods reads
 * the document once, the rest of its positions 1,000 a page, and the goods either by id lists or from
 * the catalogue, whichever takes fewer calls (lib/moysklad/positions.ts). Counted at the simulator.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMoyskladClient } from '@/lib/moysklad/json-api';
import {
  BETAPRO_PARTNER,
  api,
  createSupply,
  documentView,
  installAndConfigure,
  startSandbox,
  waitFor,
  type ConfiguredAccount,
} from '../../support/sandbox';

type Sandbox = Awaited<ReturnType<typeof startSandbox>>;
let sandbox: Sandbox;
let account: ConfiguredAccount;

beforeAll(async () => {
  sandbox = await startSandbox();
  account = await installAndConfigure(sandbox, 'large-reads-shop');
});
afterAll(async () => {
  await sandbox?.stop();
});

const ms = () => sandbox.moysklad;

async function addPositions(id: string, rows: unknown[]) {
  for (let start = 0; start < rows.length; start += 1000) {
    const res = await fetch(`${ms().apiUrl}/entity/supply/${id}/positions`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${account.token}`,
        'accept-encoding': 'gzip',
        'content-type': 'application/json',
      },
      body: JSON.stringify(rows.slice(start, start + 1000)),
    });
    if (res.status !== 200) throw new Error(`adding positions: ${res.status} ${await res.text()}`);
  }
}

/** Webhooks off while a document is made, so their deliveries (a read each) do not fall into a count. */
async function quietly<T>(make: () => Promise<T> | T): Promise<T> {
  ms().setConfig({ webhooksEnabled: false });
  try {
    return await make();
  } finally {
    ms().setConfig({ webhooksEnabled: true });
  }
}

/** A supply of `n` positions, one per new product; `variants` of them are variants of one product. */
async function largeSupply(n: number, variants = 0): Promise<string> {
  const parent = ms().createEntity(account.accountId, 'product', { name: 'Футболка', article: 'LRG-TEE', weight: 0.2 });
  const rows = Array.from({ length: n }, (_, i) => {
    if (i < variants) {
      const id = ms().createEntity(account.accountId, 'variant', {
        name: `Футболка ${i}`,
        article: `LRG-V${i}`,
        product: ms().meta('product', parent),
      });
      return { quantity: 1 + (i % 5), price: 1000, assortment: ms().meta('variant', id) };
    }
    const id = ms().createEntity(account.accountId, 'product', {
      name: `Товар ${i}`,
      article: `LRG-${String(i).padStart(5, '0')}`,
    });
    return { quantity: 1 + (i % 5), price: 1000, assortment: ms().meta('product', id) };
  });
  return quietly(async () => {
    const doc = ms().createDocument(account.accountId, 'supply', {
      organization: ms().meta('organization', account.seed.organizationId),
      agent: ms().meta('counterparty', account.seed.counterpartyId),
      store: ms().meta('store', account.seed.stores.betapro),
      positions: rows.slice(0, 1000),
    });
    const id = String(doc.id);
    await addPositions(id, rows.slice(1000));
    return id;
  });
}

async function transfer(id: string) {
  ms().resetStats();
  const started = Date.now();
  await api(sandbox.app.url, `/api/widget/documents/supply/${id}/actions`, {
    token: account.adminSession,
    body: { action: 'send' },
  });
  const view = await waitFor(
    'sent',
    async () => {
      const v = await documentView(sandbox, account.adminSession, 'supply', id);
      if (v.state === 'error') throw new Error(JSON.stringify(v.errors));
      return v.state === 'sent' ? v : undefined;
    },
    120_000,
  );
  const ms_ = Date.now() - started;
  const routes = ms().stats().requests[account.accountId] ?? {};
  // Document lists are the safety-net sweep, a background job of the account, not this transfer.
  const reads = Object.entries(routes)
    .filter(([route]) => route.startsWith('GET ') && route !== 'GET /entity/supply' && route !== 'GET /entity/move')
    .reduce((sum, [, n]) => sum + n, 0);
  return { view, reads, routes, latencyMs: ms_ };
}

describe('large documents are read in few calls', () => {
  it('the client alone: 5,000 positions of 5,000 goods in at most 1 + 4 + 5 reads, every good expanded', async () => {
    const id = await largeSupply(5000, 40);
    const client = createMoyskladClient({ baseUrl: ms().apiUrl, token: account.token, accountId: account.accountId });
    const products: string[] = [];
    client.http.interceptors.request.use((request) => {
      if (request.url?.includes('/entity/product')) products.push(request.url);
      return request;
    });
    const read = await client.getDocumentWithPositions('supply', id);
    expect(read.positions).toHaveLength(5000);
    expect(read.positions.every((p) => 'name' in p.assortment)).toBe(true);
    // The goods of this supply are the 4,000 newest cards of ~5,000: the scan, newest first, finds them
    // in 4 pages, 5 or 6 when cards created in the same millisecond (the simulator orders those oldest
    // first) straddle a page; far fewer than the ~30 id lists 4,000 ids would take.
    expect(products.length).toBeLessThanOrEqual(6);
    expect(read.calls).toBe(1 + 4 + products.length);
  }, 180_000);

  it('5,000 positions of 5,000 goods: at most 13 MoySklad reads (12 on a catalogue of its own), every good sent to BetaPRO', async () => {
    const id = await largeSupply(5000, 40);
    const { view, reads, routes } = await transfer(id);
    // The widget's first look, the read (1 + 4 pages), the goods (a scan of 4-6 pages: this account's
    // catalogue also holds the 5,000 cards of the test above) and the comment re-read before the
    // answer (the transfer takes seconds). The bench, on an account of its own, counts 12.
    expect(reads, JSON.stringify(routes)).toBeLessThanOrEqual(13);
    // The positions were read 1000 a page, not 100.
    expect(routes['GET /entity/supply/{id}/positions'] ?? 0).toBeLessThanOrEqual(4);
    const partner = sandbox.betapro.state.partner(BETAPRO_PARTNER.partnerId)!;
    const task = partner.indocs[view.indocId!];
    expect(task.items).toHaveLength(5000);
    const byGood = new Map(task.items.map((i) => [i.good_id, i.plan_qnt]));
    expect(byGood.get('LRG-04999')).toBe(1 + (4999 % 5));
    expect(byGood.get('LRG-V39')).toBe(1 + (39 % 5));
    // The variants' cards were registered too (their parent product read along with them).
    expect(partner.goods['LRG-V7']).toBeDefined();
  }, 180_000);
});

describe('a small transfer keeps its call budget', () => {
  it("10 positions of known goods: 3 MoySklad calls (the widget's first look, the read, the answer)", async () => {
    const articles = ['TS-WHITE', 'MUG-300', 'PEN-BLUE'];
    const positions = articles.map((article, i) => ({
      productId: account.seed.products.find((p) => p.article === article)!.id,
      quantity: 2 + i,
    }));
    const first = await quietly(() => createSupply(sandbox, account, { positions }));
    await transfer(first); // registers the goods
    const second = await quietly(() => createSupply(sandbox, account, { positions }));
    const { routes } = await transfer(second);
    // Document lists are the safety-net sweep, a background job of the account, not this transfer.
    const own = Object.entries(routes).filter(([route]) => route !== 'GET /entity/supply' && route !== 'GET /entity/move');
    expect(Object.fromEntries(own)).toEqual({ 'GET /entity/supply/{id}': 2, 'PUT /entity/supply/{id}': 1 });
    const text = (ms().getDocument(account.accountId, 'supply', second) as { description?: string }).description ?? '';
    expect(text).toContain('Передан в БетаПРО');
  }, 60_000);
});

/**
 * Large documents keep every field (issue 14, item 7): above 1,000 positions a changed row cannot be
 * updated in the document's PUT and is replaced (bulk add, bulk delete). The replacement must carry
 * every writable field of the row it replaces: price, discount, VAT, customs declaration, country,
 * pack and serial numbers; overhead is MoySklad's own (read-only) and must not change either.
 */
import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { api, documentView, waitFor, type ConfiguredAccount } from '../../support/sandbox';
import { sandboxSuite, type SuiteSandbox } from '../../support/suite';

let sandbox: SuiteSandbox;
let account: ConfiguredAccount;

sandboxSuite(['large-fields-shop'], (s, [a]) => {
  sandbox = s;
  account = a;
});

const ms = () => sandbox.moysklad;
const FIELDS = ['price', 'discount', 'vat', 'vatEnabled', 'gtd', 'country', 'pack', 'things', 'overhead'] as const;
type Row = Record<string, unknown> & { id: string; quantity: number; assortment: { meta: { href: string } } };

async function msFetch(path: string, init: { method?: string; body?: unknown } = {}) {
  const res = await fetch(`${ms().apiUrl}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      authorization: `Bearer ${account.token}`,
      'accept-encoding': 'gzip',
      'content-type': 'application/json',
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

async function allPositions(id: string): Promise<Row[]> {
  const rows: Row[] = [];
  for (let offset = 0; ; offset += 1000) {
    const page = (await msFetch(`/entity/supply/${id}/positions?limit=1000&offset=${offset}`)) as { rows: Row[] };
    rows.push(...page.rows);
    if (page.rows.length < 1000) break;
  }
  return rows;
}

describe('large documents keep every field', () => {
  it('1,200 positions with price, discount, VAT, customs declaration, country, pack and serial numbers: every row keeps them after a receipt with differences', async () => {
    const N = 1200;
    const country = {
      meta: { href: `${ms().apiUrl}/entity/country/${randomUUID()}`, type: 'country', mediaType: 'application/json' },
    };
    const products = Array.from({ length: N }, (_, i) => {
      const article = `FLD-${String(i).padStart(5, '0')}`;
      const id = ms().createEntity(account.accountId, 'product', {
        name: `Товар ${i}`,
        article,
        code: `F${i}`,
        buyPrice: { value: 1000 },
      });
      return { id, article };
    });
    const vats = [0, 10, 20];
    const rowFor = (p: { id: string }, i: number) => ({
      quantity: 3,
      price: 1000 + i,
      discount: (i % 4) * 2.5,
      vat: vats[i % 3],
      vatEnabled: vats[i % 3] > 0,
      gtd: { name: `10702070/010125/${String(i).padStart(7, '0')}` },
      country,
      pack: { id: randomUUID(), quantity: 6 },
      things: [`SN-${i}-a`, `SN-${i}-b`, `SN-${i}-c`],
      assortment: ms().meta('product', p.id),
    });
    const doc = ms().createDocument(account.accountId, 'supply', {
      organization: ms().meta('organization', account.seed.organizationId),
      agent: ms().meta('counterparty', account.seed.counterpartyId),
      store: ms().meta('store', account.seed.stores.betapro),
      positions: products.slice(0, 1000).map(rowFor),
    });
    const id = String(doc.id);
    await msFetch(`/entity/supply/${id}/positions`, {
      method: 'POST',
      body: products.slice(1000).map((p, i) => rowFor(p, 1000 + i)),
    });
    const articleOf = new Map(products.map((p) => [p.id, p.article]));
    const keyed = (rows: Row[]) => new Map(rows.map((r) => [articleOf.get(r.assortment.meta.href.split('/').pop()!)!, r]));
    const before = keyed(await allPositions(id));
    expect(before.size).toBe(N);
    for (const field of FIELDS) expect(before.get('FLD-00007')![field], field).toBeDefined();

    await api(sandbox.app.url, `/api/widget/documents/supply/${id}/actions`, {
      token: account.adminSession,
      body: { action: 'send' },
    });
    const sent = await waitFor(
      'sent',
      async () => {
        const v = await documentView(sandbox, account.adminSession, 'supply', id);
        if (v.state === 'error') throw new Error(JSON.stringify(v.errors));
        return v.state === 'sent' ? v : undefined;
      },
      120_000,
    );
    // 48 differences, on both sides of the 1,000th row: shortages and surpluses.
    const expected = new Map(products.map((p, i) => [p.article, i % 50 === 0 ? 1 : i % 50 === 25 ? 5 : 3]));
    const items = products.map((p) => ({ good_id: p.article, useful_qnt: expected.get(p.article)!, defective_qnt: 0 }));
    const res = await fetch(`${sandbox.betapro.controlUrl}/indocs/${sent.indocId}/receive`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ final: true, items }),
    });
    expect(res.status).toBeLessThan(300);
    await api(sandbox.app.url, `/api/widget/documents/supply/${id}/actions`, {
      token: account.adminSession,
      body: { action: 'check' },
    });
    await waitFor('posted', async () => (await documentView(sandbox, account.adminSession, 'supply', id)).state === 'posted', 120_000);

    const after = keyed(await allPositions(id));
    expect(after.size).toBe(N);
    const changed = [...expected].filter(([, q]) => q !== 3).map(([article]) => article);
    expect(changed).toHaveLength(48);
    const lost: string[] = [];
    for (const [article, old] of before) {
      const row = after.get(article)!;
      expect(row.quantity, article).toBe(expected.get(article));
      for (const field of FIELDS) {
        if (JSON.stringify(row[field]) !== JSON.stringify(old[field]))
          lost.push(`${article}.${field}: ${JSON.stringify(old[field])} → ${JSON.stringify(row[field])}`);
      }
    }
    expect(lost, lost.slice(0, 10).join('\n')).toEqual([]);
    const posted = ms().getDocument(account.accountId, 'supply', id) as { applicable?: boolean };
    expect(posted.applicable).toBe(true);
  }, 300_000);
});

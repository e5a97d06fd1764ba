/**
 * Reading a document with all its positions and the goods they reference in the fewest MoySklad calls
 * (docs/large-documents.md, "Reading"). `expand` is honoured only on pages of at most 100 rows, so
 * expanding positions page by page costs ⌈N/100⌉ calls. Instead:
 *  1. `GET /entity/{e}/{id}?expand=state,positions.assortment.product`: the document embeds up to
 *     1000 positions; a document of ≤ 100 positions (the common case) arrives complete in ONE call;
 *  2. the rest of the positions from the sub-resource, 1000 per page, not expanded;
 *  3. the goods the rows still reference collapsed, per type (`/entity/product`, `/entity/variant`…),
 *     read by id lists (`filter=id=a;id=b…`, repeated `=` on one field is an OR) as long as the URL
 *     fits, or, when that would take more calls than reading the catalogue itself 1000 rows a page,
 *     by reading the catalogue and keeping the rows asked for. A variant's parent product (its name,
 *     article and weight, which a variant lacks) is read the same way.
 * 5,000 positions of 5,000 goods: 1 + 4 + at most 6 (catalogue of ~6,000) calls instead of 50.
 */
import type { DocumentEntity } from '@/lib/core/domain';
import { AppError } from '@/lib/core/errors';
import { chunkByLength } from '@/lib/core/remote/pager';
import { idFromHref } from '@/lib/moysklad/refs';
import {
  isExpandedAssortment,
  msAssortmentSchema,
  msListSchema,
  type MsAssortment,
  type MsDocument,
  type MsPosition,
  type MsProduct,
} from '@/lib/moysklad/schemas';
import type { DocumentWithPositions, MoyskladClient } from '@/lib/moysklad/json-api';

/** Rows per page when nothing is expanded: MoySklad's maximum. */
const PAGE = 1000;
/**
 * Characters of an id-list filter in one URL. MoySklad takes at most 8 KB of request line and headers
 * (docs/platform.md); the rest of our request (path, other parameters, Authorization…) stays under 1 KB,
 * so 6000 leaves room. One id costs 44 characters once percent-encoded: ~136 ids a call.
 */
export const MS_MAX_ID_FILTER_CHARS = 6000;
/** Below this many id-list calls a catalogue probe (one extra call when the catalogue is large) does not pay. */
const SCAN_FROM_CALLS = 3;

const assortmentList = msListSchema(msAssortmentSchema);

interface Reader {
  client: MoyskladClient;
  calls: number;
}

/** Ids in groups whose `id=…;` filter fits MS_MAX_ID_FILTER_CHARS once encoded. */
export function idFilterChunks(ids: string[], maxChars = MS_MAX_ID_FILTER_CHARS): string[][] {
  return chunkByLength(ids, (id) => `id=${id}`, maxChars);
}

async function listPage(reader: Reader, type: string, query: { filter?: string; order?: string; offset: number }) {
  reader.calls += 1;
  return reader.client.request({
    method: 'GET',
    path: `/entity/${type}`,
    schema: assortmentList,
    operation: `GET /entity/${type}`,
    query: { filter: query.filter, order: query.order, limit: PAGE, offset: query.offset },
  });
}

function keep(rows: MsAssortment[], wanted: Set<string>, found: Map<string, MsAssortment>): void {
  for (const row of rows) if (wanted.has(row.id)) found.set(row.id, row);
}

/**
 * Reads catalogue pages while that is cheaper than asking for the ids still missing by filter, and
 * stops as soon as every good asked for is found. The first page is the probe that tells the
 * catalogue's size. Newest first: the goods of a fresh supply are often cards created or edited just
 * before it, so the scan tends to end early. A card edited during the scan moves to the front and may
 * be skipped: whatever is still missing afterwards is asked for by id.
 */
async function scanCatalogue(reader: Reader, type: string, wanted: Set<string>, found: Map<string, MsAssortment>): Promise<void> {
  for (let offset = 0; ; offset += PAGE) {
    const page = await listPage(reader, type, { order: 'updated,desc', offset });
    keep(page.rows, wanted, found);
    const size = page.meta.size ?? 0;
    const missing = [...wanted].filter((id) => !found.has(id));
    if (!missing.length || !page.rows.length || offset + PAGE >= size) return;
    // At equal cost the scan goes on: it may end early, the id lists never do.
    const scanCalls = Math.ceil((size - offset - PAGE) / PAGE);
    if (scanCalls > idFilterChunks(missing).length) return;
  }
}

/** Rows of `/entity/{type}` with these ids (those that still exist), in as few calls as it takes. */
export async function readByIds(reader: Reader, type: string, ids: string[]): Promise<Map<string, MsAssortment>> {
  const wanted = new Set(ids);
  const found = new Map<string, MsAssortment>();
  if (!wanted.size) return found;
  if (idFilterChunks([...wanted]).length >= SCAN_FROM_CALLS) await scanCatalogue(reader, type, wanted, found);
  for (const chunk of idFilterChunks([...wanted].filter((id) => !found.has(id)))) {
    const filter = chunk.map((id) => `id=${id}`).join(';');
    for (let offset = 0; ; offset += PAGE) {
      const page = await listPage(reader, type, { filter, offset });
      keep(page.rows, wanted, found);
      if (page.rows.length < PAGE || offset + PAGE >= (page.meta.size ?? 0)) break;
    }
  }
  return found;
}

/** The parent product of a variant, when it came only as a reference. */
function collapsedParentId(row: MsAssortment): string | undefined {
  if (row.meta.type !== 'variant' || !row.product || 'id' in row.product) return undefined;
  return idFromHref(row.product.meta.href);
}

/** Expands, in place, every position's assortment (and a variant's parent product) that came collapsed. */
async function expandAssortments(reader: Reader, positions: MsPosition[]): Promise<void> {
  const byType = new Map<string, Set<string>>();
  for (const p of positions) {
    if (isExpandedAssortment(p.assortment)) continue;
    const type = p.assortment.meta.type;
    if (!byType.has(type)) byType.set(type, new Set());
    byType.get(type)!.add(idFromHref(p.assortment.meta.href));
  }
  const read = new Map<string, MsAssortment>();
  for (const [type, ids] of byType) for (const [id, row] of await readByIds(reader, type, [...ids])) read.set(`${type}/${id}`, row);
  for (const p of positions) {
    if (!isExpandedAssortment(p.assortment)) {
      const row = read.get(`${p.assortment.meta.type}/${idFromHref(p.assortment.meta.href)}`);
      if (row) p.assortment = row;
    }
  }
  const parents = new Set<string>();
  for (const p of positions)
    if (isExpandedAssortment(p.assortment)) {
      const parent = collapsedParentId(p.assortment);
      if (parent) parents.add(parent);
    }
  const products = await readByIds(reader, 'product', [...parents]);
  for (const p of positions)
    if (isExpandedAssortment(p.assortment)) {
      const parent = collapsedParentId(p.assortment);
      // Read from /entity/product, so the row has a product's shape.
      if (parent && products.has(parent)) p.assortment = { ...p.assortment, product: products.get(parent) as MsProduct };
    }
}

export async function readDocumentWithPositions(
  client: MoyskladClient,
  entity: DocumentEntity,
  id: string,
): Promise<DocumentWithPositions> {
  const reader: Reader = { client, calls: 1 };
  const document: MsDocument = await client.getDocument(entity, id, { expand: 'state,positions.assortment.product' });
  const positions = [...(document.positions?.rows ?? [])];
  let size = document.positions?.meta.size ?? positions.length;
  while (positions.length < size) {
    const page = await client.listPositions(entity, id, { limit: PAGE, offset: positions.length });
    reader.calls += 1;
    size = page.meta.size ?? size;
    if (!page.rows.length) break;
    positions.push(...page.rows);
  }
  await expandAssortments(reader, positions);
  const stillCollapsed = positions.filter((p) => !isExpandedAssortment(p.assortment) || collapsedParentId(p.assortment)).length;
  if (stillCollapsed) {
    // MoySklad archives rather than deletes goods a document uses; a row left unread means the catalogue
    // changed between our reads. Nothing was sent yet, so the user can simply try again.
    throw new AppError('DOCUMENT_INVALID', `MoySklad ${entity} ${id}: ${stillCollapsed} positions reference goods that could not be read`, {
      userMessage: `Не удалось прочитать товары ${stillCollapsed} позиций документа в МоемСкладе: возможно, их только что удалили. Проверьте позиции и передайте документ снова.`,
    });
  }
  if (document.positions) document.positions = { meta: document.positions.meta, rows: positions };
  return { document, positions, calls: reader.calls };
}

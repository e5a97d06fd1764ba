/**
 * Makes a MoySklad document's positions equal to a receipt projection, plus `applicable`, status and
 * comment, in the fewest calls (docs/product.md §4; docs/large-documents.md):
 *  - up to 1000 positions on both sides: one PUT of the document with its positions array; a kept row
 *    is sent as `{ id, quantity }`, so MoySklad keeps every other field of it;
 *  - beyond: MoySklad has no bulk update of positions, so a changed row is replaced (bulk delete,
 *    bulk add) carrying every writable field of the old row (price, discount, VAT, customs
 *    declaration, country, pack, slot, serial numbers), then one PUT for the header.
 * Rows are matched by content as well as by id, so a repeat after a crash (or a job that was taken
 * over) finds the document already written: positions are written once, the log line is not added
 * again, and when the header is already there too nothing is sent (`changed: false`).
 */
import type { DocumentEntity } from '@/lib/core/domain';
import { MS_MAX_BATCH, type MoyskladClient } from '@/lib/moysklad/json-api';
import type { MsDocument, MsPosition } from '@/lib/moysklad/schemas';
import type { Account, StatusRole } from '@/lib/sync/account/accounts';
import { prepareDocumentAnswer } from '@/lib/sync/document/answer';
import type { ProjectedPosition, ProjectionResult } from '@/lib/sync/receipt/projection';

/**
 * Writable position fields a replaced row keeps. `overhead` is read-only (MoySklad spreads the
 * document's overhead over the rows itself); `trackingCodes` are per-unit marks, not carried over.
 */
export const CARRIED_POSITION_FIELDS = [
  'price',
  'discount',
  'vat',
  'vatEnabled',
  'gtd',
  'country',
  'pack',
  'slot',
  'sourceSlot',
  'targetSlot',
  'things',
] as const;

interface CurrentPosition {
  id: string;
  quantity: number;
  href: string;
  row: MsPosition;
}

function toCurrent(row: MsPosition): CurrentPosition {
  return { id: row.id, quantity: row.quantity, href: row.assortment.meta.href, row };
}

/**
 * The document's comment and positions as they are now: the document with its embedded positions
 * (up to 1000) in one call, the rest page by page. The comment comes from this same read, right
 * before the write.
 */
async function readDocument(client: MoyskladClient, entity: DocumentEntity, msId: string) {
  const document = await client.getDocument(entity, msId, { expand: 'positions' });
  let calls = 1;
  const rows: MsPosition[] = [...(document.positions?.rows ?? [])];
  const size = document.positions?.meta.size ?? rows.length;
  while (rows.length < size) {
    const page = await client.listPositions(entity, msId, { limit: MS_MAX_BATCH, offset: rows.length });
    calls += 1;
    if (!page.rows.length) break;
    rows.push(...page.rows);
  }
  return { document, positions: rows.map(toCurrent), calls };
}

export interface PositionsPlan {
  /** Target rows matched to an existing row: the row's id and whether its quantity changes. */
  kept: Array<{ target: ProjectedPosition; existing: CurrentPosition; changed: boolean }>;
  /** Target rows with no existing row. */
  added: ProjectedPosition[];
  /** Existing rows no target row matched. */
  removed: CurrentPosition[];
}

/**
 * Matches target rows to existing ones: first by the position id the projection keeps, then by
 * assortment and quantity (a row written by an earlier run of the same apply has a new id).
 */
export function planPositions(current: CurrentPosition[], target: ProjectedPosition[]): PositionsPlan {
  const byId = new Map(current.map((p) => [p.id, p]));
  const used = new Set<string>();
  const matched = new Map<ProjectedPosition, CurrentPosition>();
  for (const p of target) {
    const existing = p.keepPositionIds[0] ? byId.get(p.keepPositionIds[0]) : undefined;
    if (existing && !used.has(existing.id)) {
      matched.set(p, existing);
      used.add(existing.id);
    }
  }
  for (const p of target) {
    if (matched.has(p)) continue;
    const same = current.find((c) => !used.has(c.id) && c.href === p.assortment.href && c.quantity === p.quantity);
    if (same) {
      matched.set(p, same);
      used.add(same.id);
    }
  }
  const kept: PositionsPlan['kept'] = [];
  const added: ProjectedPosition[] = [];
  for (const p of target) {
    const existing = matched.get(p);
    if (existing) kept.push({ target: p, existing, changed: existing.quantity !== p.quantity });
    else added.push(p);
  }
  return { kept, added, removed: current.filter((c) => !used.has(c.id)) };
}

function newRow(p: ProjectedPosition): Record<string, unknown> {
  return {
    quantity: p.quantity,
    price: p.price,
    assortment: { meta: { href: p.assortment.href, type: p.assortment.type, mediaType: 'application/json' } },
  };
}

/** A replacement of `existing` with the new quantity: every writable field of the old row kept. */
export function replacementRow(existing: MsPosition, quantity: number): Record<string, unknown> {
  const row: Record<string, unknown> = {
    quantity,
    assortment: {
      meta: { href: existing.assortment.meta.href, type: existing.assortment.meta.type, mediaType: 'application/json' },
    },
  };
  for (const field of CARRIED_POSITION_FIELDS) {
    const value = (existing as Record<string, unknown>)[field];
    if (value !== undefined && value !== null) row[field] = value;
  }
  return row;
}

export interface PositionsHeader {
  post: boolean;
  /** Take the document back out of posting, status «Передан» (a correction of an applied receipt). */
  unpost?: boolean;
  log: string[];
  /** Skip the log entry when the comment's newest entry already starts with this (a rerun). */
  logOnceHeadline?: string;
  /** Status to set instead of the one implied by post / unpost (e.g. «Ошибка» when posting was refused). */
  role?: StatusRole;
}

export async function writePositions(
  client: MoyskladClient,
  account: Account,
  entity: DocumentEntity,
  msId: string,
  projection: Pick<ProjectionResult, 'positions'>,
  header: PositionsHeader,
): Promise<{ calls: number; changed: boolean }> {
  const read = await readDocument(client, entity, msId);
  let calls = read.calls;
  const current = read.positions;
  const target = projection.positions;
  const plan = planPositions(current, target);
  const unchanged = !plan.added.length && !plan.removed.length && plan.kept.every((k) => !k.changed);
  // logOnce: the same apply run again (after a crash, a lost database write) adds no second line.
  const answer = {
    role: header.role ?? (header.post ? ('posted' as const) : header.unpost ? ('sent' as const) : undefined),
    log: header.log,
    logOnce: true,
    logOnceHeadline: header.logOnceHeadline,
    extra: header.post ? { applicable: true } : header.unpost ? { applicable: false } : {},
  };
  if (unchanged || (current.length <= MS_MAX_BATCH && target.length <= MS_MAX_BATCH)) {
    const prepared = await prepareDocumentAnswer(client, account, entity, msId, answer, { document: read.document });
    if (unchanged && headerAlreadyWritten(read.document, prepared.body)) return { calls, changed: false };
    const keptIds = new Map(plan.kept.map((k) => [k.target, k.existing.id]));
    const positions = target.map((p) => {
      const id = keptIds.get(p);
      return id ? { id, quantity: p.quantity } : newRow(p);
    });
    await client.updateDocument(entity, msId, unchanged ? prepared.body : { ...prepared.body, positions });
    await prepared.commit();
    return { calls: calls + 1, changed: true };
  }
  const toDelete = [...plan.kept.filter((k) => k.changed).map((k) => k.existing.id), ...plan.removed.map((r) => r.id)];
  const toAdd = [
    ...plan.kept.filter((k) => k.changed).map((k) => replacementRow(k.existing.row, k.target.quantity)),
    ...plan.added.map(newRow),
  ];
  // Added before the old rows are deleted: after a crash in between, a rerun still has the old rows
  // to copy the fields from (and matches the added ones by content, replacing them once more).
  if (toAdd.length) {
    await client.addPositions(entity, msId, toAdd);
    calls += Math.ceil(toAdd.length / MS_MAX_BATCH);
  }
  if (toDelete.length) {
    await client.deletePositions(entity, msId, toDelete);
    calls += Math.ceil(toDelete.length / MS_MAX_BATCH);
  }
  // The bulk writes took a while: the comment is read again for the header.
  const prepared = await prepareDocumentAnswer(client, account, entity, msId, answer);
  await client.updateDocument(entity, msId, prepared.body);
  await prepared.commit();
  return { calls: calls + 2, changed: true };
}

/** The document already has the status, `applicable` and comment the header would write. */
function headerAlreadyWritten(document: MsDocument, body: Record<string, unknown>): boolean {
  if (body.description !== undefined) return false;
  if (body.applicable !== undefined && body.applicable !== document.applicable) return false;
  const state = body.state as { meta: { href: string } } | undefined;
  return state === undefined || state.meta.href === document.state?.meta.href;
}

/**
 * Unknown goods (docs/product.md §4, docs/unknown-goods.md). BetaPRO receives goods it cannot match under
 * temporary codes and cannot complete the receipt until the customer identifies each one
 * (`GET /goods/recognition`). Each poll records, per document, which of its goods wait, and tells the
 * user once (event, widget, comment line); an admin maps each barcode to a MoySklad product in the
 * widget, which registers the product in BetaPRO when needed and sends `POST /goods/recognition`.
 * BetaPRO then issues the receipt, which is applied as usual.
 */
import type { DocumentEntity, WarehouseGood } from '@/lib/core/domain';
import { AppError } from '@/lib/core/errors';
import { logFor } from '@/lib/core/logger';
import type { PrismaClient } from '@/lib/db';
import { Prisma as PrismaRuntime } from '@/lib/generated/prisma/client';
import { registerGoods, type BetaproClient, type UnrecognizedGood } from '@/lib/betapro';
import type { UnrecognizedGoodView } from '@/lib/core/views';
import type { Session } from '@/lib/sync/rights';
import type { AssortmentMatch } from '@/lib/moysklad/json-api';
import { barcodeValues, displayName } from '@/lib/moysklad/mappers/to-transfer-lines';
import { loadAccountOrThrow, type Account } from '@/lib/sync/account/accounts';
import { pollNow } from '@/lib/sync/account/recurring-jobs';
import { betaproClientFor, moyskladClientFor } from '@/lib/sync/account/clients';
import { answerOnDocument } from '@/lib/sync/document/answer';
import { findSyncDocument, recordEvent, transitionDocument, type SyncDocumentRow } from '@/lib/sync/document/sync-state';
import { betaproPartnerKey, PrismaGoodsRegistryStore } from '@/lib/sync/account/goods-registry-store';

export const UNRECOGNIZED_HEADLINE = 'БетаПРО принял товары без карточки';
const KEY_LABEL = { article: 'артикулом', code: 'кодом', externalCode: 'внешним кодом' } as const;

/** Stored SyncDocument.unrecognized, read defensively (a JSON column). */
export function unrecognizedOf(doc: { unrecognized: unknown }): UnrecognizedGoodView[] {
  return Array.isArray(doc.unrecognized) ? (doc.unrecognized as UnrecognizedGoodView[]) : [];
}

/** Per indoc id: the goods of that task waiting for identification, in barcode order. */
function byTask(goods: UnrecognizedGood[]): Map<string, UnrecognizedGoodView[]> {
  const out = new Map<string, UnrecognizedGoodView[]>();
  for (const good of [...goods].sort((a, b) => (a.barcode < b.barcode ? -1 : a.barcode > b.barcode ? 1 : 0))) {
    for (const task of good.tasks) {
      const list = out.get(task.indocId) ?? [];
      list.push({
        barcode: good.barcode,
        description: good.description,
        useful: task.useful,
        defective: task.defective,
        ...(good.since ? { since: good.since } : {}),
      });
      out.set(task.indocId, list);
    }
  }
  return out;
}

/**
 * One step of the account's poll: reads the recognition queue when some document may be concerned and
 * updates the documents whose list changed. A poll that finds the same list changes nothing.
 */
export async function syncUnrecognized(prisma: PrismaClient, account: Account, betapro: BetaproClient): Promise<number> {
  const accountId = account.accountId;
  const waitingBefore = await prisma.syncDocument.findMany({
    where: { accountId, NOT: { unrecognized: { equals: PrismaRuntime.AnyNull } } },
  });
  const awaitingReceipt = await prisma.syncDocument.count({
    where: { accountId, state: { in: ['sent', 'receiving'] } },
  });
  if (!waitingBefore.length && !awaitingReceipt) return 0;
  const tasks = byTask(await betapro.listUnrecognized());
  const waitingNow = tasks.size ? await prisma.syncDocument.findMany({ where: { accountId, indocId: { in: [...tasks.keys()] } } }) : [];
  const docs = new Map([...waitingBefore, ...waitingNow].map((d) => [d.id, d]));
  let changed = 0;
  for (const doc of docs.values()) {
    const now = (doc.indocId && tasks.get(doc.indocId)) || [];
    if (sameGoods(now, unrecognizedOf(doc))) continue;
    if (now.length) await markWaiting(prisma, account, doc, now);
    else await markResolved(prisma, doc);
    changed++;
  }
  return changed;
}

/** Field by field: a JSONB column gives keys back in its own order, so the JSON texts may differ. */
function sameGoods(a: UnrecognizedGoodView[], b: UnrecognizedGoodView[]): boolean {
  const key = (g: UnrecognizedGoodView) => [g.barcode, g.description, g.useful, g.defective, g.since ?? null];
  return JSON.stringify(a.map(key)) === JSON.stringify(b.map(key));
}

function describe(goods: UnrecognizedGoodView[]): string {
  return goods
    .map((g) => {
      const qty = g.useful + g.defective;
      return `${g.barcode}${g.description ? ` «${g.description.slice(0, 60)}»` : ''} — ${qty} шт.${g.defective ? ` (брак ${g.defective})` : ''}`;
    })
    .join('; ');
}

async function markWaiting(prisma: PrismaClient, account: Account, doc: SyncDocumentRow, goods: UnrecognizedGoodView[]): Promise<void> {
  await prisma.syncDocument.update({ where: { id: doc.id }, data: { unrecognized: goods as never } });
  await transitionDocument(prisma, doc.id, ['sent'], { state: 'receiving' });
  const listed = describe(goods);
  await recordEvent(prisma, doc, {
    kind: 'unrecognized_goods',
    trigger: 'poll',
    message: `Приёмка ждёт идентификации товаров без карточки: ${listed}. Сопоставьте их с товарами МойСклад в виджете.`,
  });
  const moysklad = await moyskladClientFor(account);
  const entity = doc.entity as DocumentEntity;
  const document = await moysklad.getDocument(entity, doc.msId);
  const lines = [
    `${UNRECOGNIZED_HEADLINE} (ждут идентификации): ${listed}.`,
    'Приёмка будет завершена, когда администратор сопоставит их с товарами МойСклад в виджете документа.',
  ];
  await answerOnDocument(moysklad, account, entity, doc.msId, document.description, {
    log: lines,
    logOnceHeadline: lines[0],
  });
}

async function markResolved(prisma: PrismaClient, doc: SyncDocumentRow): Promise<void> {
  await prisma.syncDocument.update({ where: { id: doc.id }, data: { unrecognized: PrismaRuntime.DbNull } });
  await recordEvent(prisma, doc, {
    kind: 'unrecognized_resolved',
    trigger: 'poll',
    message: 'Все товары без карточки идентифицированы: склад БетаПРО завершит приёмку.',
  });
}

export interface IdentifyInput {
  barcode: string;
  /** The MoySklad product's value of the account's product key (article, code or external code). */
  productKey: string;
}

/** The admin maps one waiting barcode to a MoySklad product (widget action; the route admits admins only). */
export async function identifyUnknownGood(
  prisma: PrismaClient,
  session: Session,
  entity: DocumentEntity,
  msId: string,
  input: IdentifyInput,
): Promise<void> {
  const doc = await findSyncDocument(prisma, { accountId: session.accountId, entity, msId });
  const waiting = doc ? unrecognizedOf(doc).find((g) => g.barcode === input.barcode) : undefined;
  if (!doc || !waiting) {
    throw new AppError('CONFLICT', `barcode ${input.barcode} is not waiting on ${entity} ${msId}`, {
      userMessage: `Товар со штрихкодом ${input.barcode} уже сопоставлен или не ждёт идентификации. Обновите виджет.`,
    });
  }
  const account = await loadAccountOrThrow(prisma, session.accountId);
  const match = await findProduct(account, input.productKey.trim());
  const good = warehouseGoodOf(match);
  const betapro = await betaproClientFor(account);
  // BetaPRO identifies only goods it knows: register the card first (skipped when it is unchanged).
  await registerGoods({
    client: betapro,
    accountId: account.accountId,
    goods: [good],
    store: new PrismaGoodsRegistryStore(prisma, betaproPartnerKey(account.settings)),
  });
  await betapro.identifyGoods([{ goodId: good.goodId, barcode: input.barcode }]);
  await forgetBarcode(prisma, account.accountId, input.barcode);
  await recordEvent(prisma, doc, {
    kind: 'good_identified',
    trigger: 'widget',
    actor: session.employeeName,
    message: `Товар со штрихкодом ${input.barcode} сопоставлен с «${good.name}» (${good.goodId})`,
  });
  logFor({ accountId: account.accountId, documentId: msId }).info(
    { barcode: input.barcode, goodId: good.goodId },
    'unknown good identified',
  );
  // The receipt BetaPRO now completes is fetched by the next poll: run it now.
  await pollNow(prisma, account.accountId);
}

async function findProduct(account: Account, value: string): Promise<AssortmentMatch> {
  const key = account.settings.productKey;
  const moysklad = await moyskladClientFor(account);
  const matches = value ? (await moysklad.findAssortmentByKey(key, [value])).filter((m) => !m.archived) : [];
  if (!matches.length) {
    throw new AppError('NOT_FOUND', `no ${key}=${value}`, {
      userMessage: `В МойСклад нет товара с ${KEY_LABEL[key]} «${value}». Создайте его или проверьте значение.`,
    });
  }
  if (new Set(matches.map((m) => m.href)).size > 1) {
    throw new AppError('CONFLICT', `${matches.length} goods with ${key}=${value}`, {
      userMessage: `В МойСклад несколько товаров с ${KEY_LABEL[key]} «${value}»: сделайте его уникальным.`,
    });
  }
  return matches[0];
}

function warehouseGoodOf(match: AssortmentMatch): WarehouseGood {
  const good: WarehouseGood = {
    goodId: match.value,
    name: displayName(match.row),
    barcodes: barcodeValues(match.row.barcodes),
  };
  const parent = match.row.product && 'weight' in match.row.product ? match.row.product : undefined;
  const weightKg = match.row.weight ?? (parent?.weight as number | undefined);
  if (weightKg !== undefined && weightKg > 0) good.weightG = Math.round(weightKg * 1000);
  return good;
}

/** BetaPRO identifies a barcode for every task it was found in: clear it from each of them. */
async function forgetBarcode(prisma: PrismaClient, accountId: string, barcode: string): Promise<void> {
  const docs = await prisma.syncDocument.findMany({
    where: { accountId, NOT: { unrecognized: { equals: PrismaRuntime.AnyNull } } },
  });
  for (const doc of docs) {
    const before = unrecognizedOf(doc);
    const after = before.filter((g) => g.barcode !== barcode);
    if (after.length === before.length) continue;
    await prisma.syncDocument.update({
      where: { id: doc.id },
      data: { unrecognized: after.length ? (after as never) : PrismaRuntime.DbNull },
    });
  }
}

/**
 * MoySklad document positions (assortment expanded) → what the warehouse must expect: plan lines,
 * catalogue cards, and every problem that blocks sending. Pure: lib/sync calls it before anything is
 * sent to BetaPRO, and the widget's pre-flight check shows the same problems.
 *
 * All problems are reported at once (the clerk fixes the document in one go), each naming the position
 * (row number as in MoySklad's table, 1-based, and the product name), the field, and what to do.
 */
import type { PlanLine, ProductKey, WarehouseGood } from '@/lib/core/domain';
import type { TextParams } from '@/lib/core/views';
import { isExpandedAssortment, type MsAssortment, type MsBarcode, type MsPosition, type MsProduct } from '@/lib/moysklad/schemas';

export type TransferProblemCode =
  | 'NO_POSITIONS'
  | 'ASSORTMENT_UNREADABLE'
  | 'NOT_STORABLE'
  | 'MISSING_KEY'
  | 'NON_INTEGER_QUANTITY'
  | 'NON_POSITIVE_QUANTITY'
  | 'DUPLICATE_KEY';

/** One reason the document cannot be sent, in the clerk's words. */
export interface TransferProblem {
  code: TransferProblemCode;
  /** Russian, complete: position, product, field, what to do. */
  message: string;
  /** 1-based row numbers of the positions concerned (none for document-level problems). */
  positionNumbers: number[];
  positionIds: string[];
  /** The MoySklad field at fault: the product key, `quantity` or `assortment`. */
  field?: ProductKey | 'quantity' | 'assortment';
  /** What the widget builds its text from in the user's language (lib/ui/i18n/codes.ts). */
  params?: TextParams;
}

export interface TransferLinesResult {
  lines: PlanLine[];
  goods: WarehouseGood[];
  problems: TransferProblem[];
}

export interface TransferLinesOptions {
  /**
   * What to do when the key is `article` and a variant has no article of its own.
   *  - `none` (default): report it. A variant inherits nothing: if it took its product's article, all
   *    sizes/colours of that product would share one good id at the warehouse — BetaPRO would merge
   *    their stock and keep renaming one catalogue card, and a receipt could not tell them apart.
   *  - `parent`: use the parent product's article (only for accounts that sell one variant per product
   *    and asked for it). Two variants of one product in a document are still caught as duplicates.
   */
  variantArticleFallback?: 'none' | 'parent';
}

export const PRODUCT_KEY_LABELS: Record<ProductKey, { nominative: string; dative: string }> = {
  article: { nominative: 'артикул', dative: 'артикулу' },
  code: { nominative: 'код', dative: 'коду' },
  externalCode: { nominative: 'внешний код', dative: 'внешнему коду' },
};

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function expandedProduct(assortment: MsAssortment): MsProduct | undefined {
  const p = assortment.product;
  return p && 'id' in p && typeof p.id === 'string' ? (p as MsProduct) : undefined;
}

/** The key value of a product or variant, trimmed; undefined when empty. */
export function assortmentKey(assortment: MsAssortment, key: ProductKey): string | undefined {
  const value = assortment[key];
  const trimmed = typeof value === 'string' ? value.trim() : '';
  return trimmed || undefined;
}

/** Product name, or for a variant "Product (value1, value2)" from its characteristics. */
export function displayName(assortment: MsAssortment): string {
  if (assortment.meta.type !== 'variant') return assortment.name;
  const parent = expandedProduct(assortment);
  const values = (assortment.characteristics ?? []).map((c) => c.value.trim()).filter(Boolean);
  // Without the parent expanded, MoySklad's own variant name already reads "Product (values)".
  if (!parent) return assortment.name;
  return values.length ? `${parent.name} (${values.join(', ')})` : parent.name;
}

/** A variant's characteristic values ("S, red"), undefined when it has none. */
function variantLabel(assortment: MsAssortment): string | undefined {
  const values = (assortment.characteristics ?? []).map((c) => c.value.trim()).filter(Boolean);
  return values.length ? values.join(', ') : undefined;
}

/** Every barcode value, whatever its format key (ean13, ean8, code128, gtin, upc, …), deduplicated. */
export function barcodeValues(barcodes: MsBarcode[] | undefined): string[] {
  const out: string[] = [];
  for (const barcode of barcodes ?? []) {
    for (const value of Object.values(barcode)) {
      const v = typeof value === 'string' ? value.trim() : '';
      if (v && !out.includes(v)) out.push(v);
    }
  }
  return out;
}

function formatQuantity(quantity: number): string {
  return String(quantity).replace('.', ',');
}

interface Accumulator {
  line: PlanLine;
  good: WarehouseGood;
  positionNumbers: number[];
}

type NewProblem = Omit<TransferProblem, 'positionNumbers' | 'positionIds'>;

const NOT_STORABLE: Record<string, string> = {
  service: 'это услуга, её нельзя принять на склад. Удалите позицию из документа.',
  bundle: 'это комплект, склад принимает только товары. Замените комплект товарами, из которых он состоит.',
  consignment: 'в позиции указана партия, а не товар. Укажите в позиции сам товар или модификацию.',
};

/** A position whose assortment the warehouse cannot hold (service, bundle, consignment, other). */
function storabilityProblem(type: string, where: string, name: string): NewProblem | undefined {
  if (type === 'product' || type === 'variant') return undefined;
  const why = NOT_STORABLE[type] ?? `объект типа «${type}» нельзя принять на склад. Удалите позицию из документа.`;
  return { code: 'NOT_STORABLE', field: 'assortment', params: { name, type }, message: `${where}: ${why}` };
}

/** The warehouse counts units: a quantity must be a positive integer. */
function quantityProblem(quantity: number, where: string, name: string): NewProblem | undefined {
  if (!Number.isFinite(quantity) || quantity <= 0) {
    return {
      code: 'NON_POSITIVE_QUANTITY',
      field: 'quantity',
      params: { name, quantity },
      message: `${where}: количество ${formatQuantity(quantity)} — укажите положительное количество.`,
    };
  }
  if (!Number.isInteger(quantity)) {
    return {
      code: 'NON_INTEGER_QUANTITY',
      field: 'quantity',
      params: { name, quantity },
      message: `${where}: количество ${formatQuantity(quantity)} дробное, а склад считает товар в штуках. Укажите целое количество.`,
    };
  }
  return undefined;
}

/** The good id of a product or variant by the chosen key, or the problem that it has none. */
function resolveGoodId(
  assortment: MsAssortment,
  key: ProductKey,
  options: TransferLinesOptions,
  where: string,
): { goodId: string; parent?: MsProduct } | { problem: NewProblem } {
  const label = PRODUCT_KEY_LABELS[key];
  const parent = assortment.meta.type === 'variant' ? expandedProduct(assortment) : undefined;
  let goodId = assortmentKey(assortment, key);
  if (!goodId && parent && key === 'article' && options.variantArticleFallback === 'parent') goodId = assortmentKey(parent, 'article');
  if (goodId) return { goodId, parent };
  if (assortment.meta.type !== 'variant') {
    return {
      problem: {
        code: 'MISSING_KEY',
        field: key,
        params: { name: displayName(assortment), key },
        message: `${where}: не заполнен ${label.nominative}. Заполните ${label.nominative} товара или выберите другой ключ товара в настройках.`,
      },
    };
  }
  const parentKey = parent ? assortmentKey(parent, key) : undefined;
  const name = displayName(assortment);
  return {
    problem: {
      code: 'MISSING_KEY',
      field: key,
      // product + variant let the widget group the sizes of one product on one line.
      params: {
        name,
        key,
        product: parent?.name ?? name,
        variant: variantLabel(assortment) ?? name,
        ...(parentKey ? { parentKey } : {}),
      },
      message:
        `${where}: у модификации не заполнен ${label.nominative}` +
        (parentKey ? ` (у товара он есть — «${parentKey}», но модификации нужен свой, чтобы склад различал их)` : '') +
        `. Заполните ${label.nominative} модификации или выберите другой ключ товара в настройках.`,
    },
  };
}

/** A new line (first position of a product) with its catalogue card. */
function newAccumulator(
  position: MsPosition,
  assortment: MsAssortment,
  goodId: string,
  parent: MsProduct | undefined,
  number: number,
): Accumulator {
  const name = displayName(assortment);
  const good: WarehouseGood = { goodId, name, barcodes: barcodeValues(assortment.barcodes) };
  // Weight lives on the product (kg); a variant takes its product's. MoySklad has no dimensions
  // (only a volume, which cannot become length × width × height), so dimensionsMm stays unset.
  const weightKg = assortment.weight ?? parent?.weight;
  if (weightKg !== undefined && weightKg > 0) good.weightG = Math.round(weightKg * 1000);
  return {
    good,
    positionNumbers: [number],
    line: {
      goodId,
      quantity: position.quantity,
      assortment: { href: assortment.meta.href, type: assortment.meta.type as 'product' | 'variant' },
      name,
      // A product on several positions keeps the first position's price (they normally agree);
      // the positions are rebuilt from positionIds after the receipt anyway.
      price: Math.round(position.price ?? 0),
      positionIds: [position.id],
    },
  };
}

/** Two different products that share one key value: the warehouse could not tell them apart. */
function duplicateKeyProblems(byKey: Map<string, string[]>, byAssortment: Map<string, Accumulator>, key: ProductKey): TransferProblem[] {
  const label = PRODUCT_KEY_LABELS[key];
  const problems: TransferProblem[] = [];
  for (const [goodId, hrefs] of byKey) {
    if (hrefs.length < 2) continue;
    const involved = hrefs.map((h) => byAssortment.get(h)!);
    const list = involved.map((a) => `позиция ${a.positionNumbers[0]} «${a.line.name}»`).join(', ');
    problems.push({
      code: 'DUPLICATE_KEY',
      field: key,
      params: { key, value: goodId, names: involved.map((a) => `«${a.line.name}»`).join(', ') },
      message:
        `${capitalize(label.nominative)} «${goodId}» одинаковый у разных товаров: ${list}. ` +
        `Склад различает товары по ${label.dative}: сделайте их разными или выберите другой ключ товара в настройках.`,
      positionNumbers: involved.flatMap((a) => a.positionNumbers).sort((a, b) => a - b),
      positionIds: involved.flatMap((a) => a.line.positionIds),
    });
  }
  return problems;
}

/** Lines by assortment href (the same product on several positions is one line), in document order. */
interface Collected {
  byAssortment: Map<string, Accumulator>;
  /** Which assortments claim each key value, to catch two different products with one key. */
  byKey: Map<string, string[]>;
  problems: TransferProblem[];
}

/** One position: every problem it has, or its quantity added to its product's line. */
function collectPosition(position: MsPosition, number: number, key: ProductKey, options: TransferLinesOptions, into: Collected): void {
  const problem = (p: NewProblem) => into.problems.push({ ...p, positionNumbers: [number], positionIds: [position.id] });
  if (!isExpandedAssortment(position.assortment)) {
    problem({
      code: 'ASSORTMENT_UNREADABLE',
      field: 'assortment',
      params: { position: number },
      message: `Позиция ${number}: не удалось прочитать товар из МоегоСклада. Повторите передачу; если ошибка повторится, обратитесь в поддержку приложения.`,
    });
    return;
  }
  const assortment = position.assortment;
  const where = `Позиция ${number} «${displayName(assortment)}»`;
  const blockers = [
    storabilityProblem(assortment.meta.type, where, displayName(assortment)),
    quantityProblem(position.quantity, where, displayName(assortment)),
  ].filter((p) => p !== undefined);
  blockers.forEach(problem);
  if (assortment.meta.type !== 'product' && assortment.meta.type !== 'variant') return;
  const resolved = resolveGoodId(assortment, key, options, where);
  if ('problem' in resolved) {
    problem(resolved.problem);
    return;
  }
  if (blockers.length) return;
  const href = assortment.meta.href;
  const claimants = into.byKey.get(resolved.goodId) ?? [];
  if (!claimants.includes(href)) claimants.push(href);
  into.byKey.set(resolved.goodId, claimants);
  const existing = into.byAssortment.get(href);
  if (!existing) {
    into.byAssortment.set(href, newAccumulator(position, assortment, resolved.goodId, resolved.parent, number));
    return;
  }
  existing.line.quantity += position.quantity;
  existing.line.positionIds.push(position.id);
  existing.positionNumbers.push(number);
}

export function toTransferLines(positions: MsPosition[], key: ProductKey, options: TransferLinesOptions = {}): TransferLinesResult {
  if (!positions.length) {
    return {
      lines: [],
      goods: [],
      problems: [
        {
          code: 'NO_POSITIONS',
          message: 'В документе нет позиций: добавьте товары, которые нужно передать на склад.',
          positionNumbers: [],
          positionIds: [],
          params: {},
        },
      ],
    };
  }
  const collected: Collected = { byAssortment: new Map(), byKey: new Map(), problems: [] };
  positions.forEach((position, index) => collectPosition(position, index + 1, key, options, collected));
  const problems = [...collected.problems, ...duplicateKeyProblems(collected.byKey, collected.byAssortment, key)];
  if (problems.length) return { lines: [], goods: [], problems };
  const accumulated = [...collected.byAssortment.values()];
  return { lines: accumulated.map((a) => a.line), goods: accumulated.map((a) => a.good), problems };
}

/**
 * Product card → FBox catalogue card (`POST /goods` item), and the fingerprint of that card used to
 * skip goods BetaPRO already has in exactly this form.
 */
import { createHash } from 'node:crypto';
import type { WarehouseGood } from '@/lib/core/domain';
import type { FboxGood } from '@/lib/betapro/schemas';

export const FBOX_TEXT_LIMIT = 255;
/** Variant characteristics longer than this are not worth sacrificing the product name for. */
const MAX_KEPT_CHARACTERISTICS = 120;
const ELLIPSIS = '…';

/** Cuts to at most `max` UTF-16 units without splitting a surrogate pair, preferring a word boundary. */
export function shortenText(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= ELLIPSIS.length) return ELLIPSIS.slice(0, Math.max(0, max));
  let cut = max - ELLIPSIS.length;
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
  let head = text.slice(0, cut);
  const lastSpace = head.lastIndexOf(' ');
  // A word boundary close to the limit reads better than a word cut in half; far away, it wastes room.
  if (lastSpace > 0 && cut - lastSpace <= 20) head = head.slice(0, lastSpace);
  return head.replace(/[\s,;:.\-–—(]+$/u, '') + ELLIPSIS;
}

/**
 * `good_name` is what a warehouse worker matches against the label, so when a long name must be cut,
 * the variant characteristics in the trailing "(…)" (size, colour) are kept and the base name is
 * shortened instead.
 */
export function warehouseGoodName(good: Pick<WarehouseGood, 'name' | 'goodId'>): string {
  const clean = good.name.replace(/\s+/g, ' ').trim() || good.goodId;
  if (clean.length <= FBOX_TEXT_LIMIT) return clean;
  const trailing = /\s*(\([^()]*\))$/.exec(clean);
  if (trailing && trailing[1].length <= MAX_KEPT_CHARACTERISTICS) {
    const base = clean.slice(0, trailing.index);
    return `${shortenText(base, FBOX_TEXT_LIMIT - trailing[1].length - 1)} ${trailing[1]}`;
  }
  return shortenText(clean, FBOX_TEXT_LIMIT);
}

function isPositiveInteger(value: number | undefined): value is number {
  return value !== undefined && Number.isInteger(value) && value > 0;
}

export function toFboxGood(good: WarehouseGood): FboxGood {
  const card: FboxGood = { good_id: good.goodId, good_name: warehouseGoodName(good) };
  const dims = good.dimensionsMm;
  // BetaPRO takes all four or none; a partial or fractional set would be rejected or half-applied.
  if (
    dims &&
    isPositiveInteger(dims.length) &&
    isPositiveInteger(dims.width) &&
    isPositiveInteger(dims.height) &&
    isPositiveInteger(good.weightG)
  ) {
    card.length = dims.length;
    card.width = dims.width;
    card.height = dims.height;
    card.weight = good.weightG;
  }
  const barcodes = [...new Set(good.barcodes.map((b) => String(b).trim()).filter((b) => b !== ''))];
  // "add", not "set": taking a barcode away from another good_id is a decision for a person.
  if (barcodes.length) card.eans = barcodes.map((value) => ({ mode: 'add', value }));
  return card;
}

const FINGERPRINT_VERSION = 'fbox-good/1';

/**
 * Stable hash of the card we would send. Barcode order is irrelevant to BetaPRO, so it is sorted out
 * of the hash; the version string changes whenever the mapping itself changes, forcing a re-send.
 */
export function goodFingerprint(good: WarehouseGood): string {
  const card = toFboxGood(good);
  const canonical = [
    FINGERPRINT_VERSION,
    card.good_id,
    card.good_name,
    card.length ?? null,
    card.width ?? null,
    card.height ?? null,
    card.weight ?? null,
    (card.eans ?? []).map((e) => `${e.mode}:${e.value}`).sort(),
  ];
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}

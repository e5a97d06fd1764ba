/**
 * The BetaPRO task number (`indoc_id`) of a MoySklad document.
 *
 * Format: `MSS` (Supply), `MSM` (Move) or `MSR` (purchase Return) + the document's UUID as 32 lowercase hex digits, plus
 * `-<generation>` from the second generation on. Examples:
 *   supply 0b7c…-…, generation 1 → `MSS0b7c1d2e3f40516273849a5b6c7d8e9f`   (35 chars)
 *   move, generation 3          → `MSM0b7c1d2e3f40516273849a5b6c7d8e9f-3` (37 chars)
 *
 * Why: the number must be a pure function of the document so that a retry after a lost response
 * reuses it and BetaPRO's duplicate check (error 1001) catches the repeat. It must be unique across all
 * of the partner's indocs (BetaPRO's rule), which the UUID guarantees; the prefix tells clerks and
 * BetaPRO staff which MoySklad entity to look at, and the hex is the document id they can search for.
 * Letters, digits and one dash keep it within FBox's 255-char limit and its "short alphanumeric" advice.
 * The generation counts deliberate re-sends of the same document as a new task (after the previous
 * task was cancelled or BetaPRO holds different contents); it lives in the sync state, never guessed.
 */
import { AppError } from '@/lib/core/errors';
import type { DocumentEntity } from '@/lib/core/domain';

const PREFIX: Record<DocumentEntity, string> = { supply: 'MSS', move: 'MSM', purchasereturn: 'MSR' };

export interface IndocIdParts {
  entity: DocumentEntity;
  documentId: string;
  /** 1 for the first task of a document. */
  generation?: number;
}

export function buildIndocId({ entity, documentId, generation = 1 }: IndocIdParts): string {
  const hex = documentId.replace(/-/g, '').toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(hex)) {
    throw new AppError('INTERNAL', `buildIndocId: "${documentId}" is not a MoySklad UUID`);
  }
  if (!Number.isInteger(generation) || generation < 1) {
    throw new AppError('INTERNAL', `buildIndocId: generation must be a positive integer, got ${generation}`);
  }
  const prefix = PREFIX[entity];
  if (!prefix) throw new AppError('INTERNAL', `buildIndocId: unknown entity ${String(entity)}`);
  return `${prefix}${hex}${generation > 1 ? `-${generation}` : ''}`;
}

/** Reads back a number made by buildIndocId; undefined for anyone else's indoc. */
export function parseIndocId(indocId: string): Required<IndocIdParts> | undefined {
  const m = /^(MSS|MSM|MSR)([0-9a-f]{32})(?:-([1-9]\d*))?$/.exec(indocId);
  if (!m) return undefined;
  const [, prefix, hex, generation] = m;
  const generationNumber = generation ? Number(generation) : 1;
  // "-1" is never produced, so it is not ours either.
  if (generation && generationNumber < 2) return undefined;
  const documentId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  return {
    entity: prefix === 'MSS' ? 'supply' : prefix === 'MSR' ? 'purchasereturn' : 'move',
    documentId,
    generation: generationNumber,
  };
}

/**
 * Per-document sync state and its event log. State changes go through `transitionDocument`, which
 * only moves a document from an expected state (compare-and-set on `state` and `version`), so two
 * workers or a worker and a user action can never both act on the same step.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Db, Prisma, PrismaClient } from '@/lib/db';
import { Prisma as PrismaRuntime } from '@/lib/generated/prisma/client';
import type { DocumentEntity } from '@/lib/core/domain';
import type { EventKind, SyncState, Problem } from '@/lib/core/views';
import { withClaim } from '@/lib/jobs/claim';

export type Trigger = 'widget' | 'webhook' | 'scenario' | 'sweep' | 'poll' | 'system' | 'bulk';

export interface DocumentRef {
  accountId: string;
  entity: DocumentEntity;
  msId: string;
}

export function documentGroupKey(ref: DocumentRef): string {
  return `doc:${ref.accountId}:${ref.entity}:${ref.msId}`;
}

/**
 * Whether the document's stored problems are these problems. Key order is not compared: PostgreSQL's
 * jsonb keeps keys in its own order, so comparing texts would call the same refusal new every time.
 */
export function sameProblems(stored: unknown, problems: readonly Problem[]): boolean {
  return isDeepStrictEqual(stored, JSON.parse(JSON.stringify(problems)));
}

export type SyncDocumentRow = Awaited<ReturnType<PrismaClient['syncDocument']['findUniqueOrThrow']>>;

export async function findSyncDocument(prisma: PrismaClient, ref: DocumentRef): Promise<SyncDocumentRow | null> {
  return prisma.syncDocument.findUnique({
    where: { accountId_entity_msId: { accountId: ref.accountId, entity: ref.entity, msId: ref.msId } },
  });
}

export async function ensureSyncDocument(prisma: PrismaClient, ref: DocumentRef, name?: string | null): Promise<SyncDocumentRow> {
  return prisma.syncDocument.upsert({
    where: { accountId_entity_msId: { accountId: ref.accountId, entity: ref.entity, msId: ref.msId } },
    create: { accountId: ref.accountId, entity: ref.entity, msId: ref.msId, name: name ?? null },
    update: name ? { name } : {},
  });
}

export interface TransitionPatch {
  state?: SyncState;
  errorClass?: 'data' | 'transient' | null;
  errors?: Problem[] | null;
  indocId?: string | null;
  generation?: number;
  planHash?: string | null;
  replacedIndocId?: string | null;
  statusBefore?: string | null;
  lastTrigger?: Trigger | null;
  lastActor?: string | null;
  sentAt?: Date | null;
  postedAt?: Date | null;
  name?: string | null;
}

function toData(patch: TransitionPatch): Prisma.SyncDocumentUpdateManyMutationInput {
  const data: Prisma.SyncDocumentUpdateManyMutationInput = { version: { increment: 1 } };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    if (key === 'errors' && value === null) {
      // A JSON column distinguishes SQL NULL from a JSON null; clearing means SQL NULL.
      (data as Record<string, unknown>)[key] = PrismaRuntime.DbNull;
    } else {
      (data as Record<string, unknown>)[key] = value;
    }
  }
  return data;
}

/**
 * Moves the document to a new state only if it is currently in one of `from`. Returns the updated
 * row, or null when someone else moved it first (the caller then re-reads and decides again).
 */
export async function transitionDocument(
  prisma: Db,
  documentId: string,
  from: readonly SyncState[],
  patch: TransitionPatch,
): Promise<SyncDocumentRow | null> {
  // Inside a job, only while the job's claim is held (a worker that lost it changes nothing).
  return withClaim(prisma, async (db) => {
    // One statement (UPDATE … RETURNING): the transition is on the path of every trigger.
    const [row] = await db.syncDocument.updateManyAndReturn({
      where: { id: documentId, state: { in: [...from] } },
      data: toData(patch),
    });
    return row ?? null;
  });
}

/**
 * `message` is Russian, as in the MoySklad comment. The widget renders `kind` + `data` in the user's
 * language instead: its primitive fields are the text's parameters and `problems` (Problem[]) the
 * reasons, so put there every value a translation needs (ids, counts, names).
 */
export interface EventInput {
  kind: EventKind;
  message: string;
  trigger?: Trigger | null;
  actor?: string | null;
  data?: Prisma.InputJsonValue;
}

export async function recordEvent(prisma: Db, document: { id: string; accountId: string }, event: EventInput): Promise<void> {
  await withClaim(prisma, (db) =>
    db.syncEvent.create({
      data: {
        documentId: document.id,
        accountId: document.accountId,
        kind: event.kind,
        message: event.message,
        trigger: event.trigger ?? null,
        actor: event.actor ?? null,
        data: event.data,
      },
    }),
  );
}

/** States in which a new transfer request is a no-op: the document is on its way or done. */
export const IN_FLIGHT_OR_DONE: readonly SyncState[] = ['queued', 'sending', 'sent', 'receiving', 'review', 'posted'];
/** States from which an explicit request (re)sends the document. */
export const SENDABLE: readonly SyncState[] = ['not_sent', 'error', 'cancelled', 'expired'];

/**
 * Writes the app's answer onto a MoySklad document: the status of a role (Передан, Ошибка передачи,
 * Проведён) and a new entry in the comment log, in one PUT. The app's own writes carry
 * X-Lognex-WebHook-DisableByPrefix (set by the client), so they do not trigger its webhooks.
 *
 * The user's comment is never lost: the comment is read again before the PUT when the job's own read is
 * older than FRESH_READ_MS (a user may have edited it while a transfer or a receipt ran for seconds),
 * and the app's block is rebuilt from the log
 * stored with the document (SyncDocument.commentLog), so a save of a stale form that removed or cut
 * back the block is repaired by the next write. See docs/comment-log.md.
 */
import type { DocumentEntity } from '@/lib/core/domain';
import { getPrisma, type Db } from '@/lib/db';
import type { MoyskladClient } from '@/lib/moysklad/json-api';
import type { Account, AnswerRole } from '@/lib/sync/account/accounts';
import { appendToComment, mergeEntries, newestEntryIs, newestEntryStartsWith, splitComment } from '@/lib/sync/document/comment-log';

/**
 * A read of the document this recent (sent by the same job's client) is used as the comment to append
 * to instead of a second GET: it keeps a small transfer within its call budget (read, PUT). MoySklad
 * has no conditional update, so a re-read only narrows the window in which a user's save can be
 * overwritten; this bound keeps that window at one second (docs/comment-log.md).
 */
export const FRESH_READ_MS = 1_000;

export function stateRef(client: MoyskladClient, entity: DocumentEntity, stateId: string) {
  return {
    meta: {
      href: client.href(`/entity/${entity}/metadata/states/${stateId}`),
      type: 'state',
      mediaType: 'application/json',
    },
  };
}

export interface DocumentAnswer {
  role?: AnswerRole;
  /** Lines of the new comment-log entry (first line is the headline). */
  log?: string[];
  /** Other fields of the same PUT (positions, applicable). */
  extra?: Record<string, unknown>;
  /**
   * The log entry is not added when the comment's newest entry already begins with this text: the step
   * is being rerun (after a crash, or a retry after its PUT went through), not done anew.
   */
  logOnceHeadline?: string;
  /** The log entry is not added when the newest entry already says exactly the same (its date aside). */
  logOnce?: boolean;
}

/** Body of the PUT for `answer`, given the document's current comment and the app's stored log. */
export function documentAnswerBody(
  client: MoyskladClient,
  account: Account,
  entity: DocumentEntity,
  currentDescription: string | null | undefined,
  answer: DocumentAnswer,
  now = new Date(),
  storedLog?: readonly string[] | null,
): Record<string, unknown> {
  const body: Record<string, unknown> = { ...answer.extra };
  const stateId = answer.role ? account.settings.statuses[entity][answer.role] : null;
  if (stateId) body.state = stateRef(client, entity, stateId);
  const alreadyLogged =
    (answer.logOnceHeadline !== undefined && newestEntryStartsWith(currentDescription, answer.logOnceHeadline, storedLog)) ||
    (answer.logOnce === true && !!answer.log?.length && newestEntryIs(currentDescription, answer.log, storedLog));
  const inDocument = splitComment(currentDescription).entries;
  const restores = mergeEntries(storedLog, inDocument).length !== inDocument.length;
  const newEntries = answer.log?.length && !alreadyLogged ? [{ at: now, lines: answer.log }] : [];
  // A PUT is sent anyway when there is something else to write: it also puts back a removed block.
  if (newEntries.length || (restores && Object.keys(body).length)) {
    body.description = appendToComment(currentDescription ?? '', newEntries, { storedEntries: storedLog });
  }
  return body;
}

export interface PreparedAnswer {
  body: Record<string, unknown>;
  /** Stores the log the body writes; call once the PUT succeeded. */
  commit(): Promise<void>;
}

function storedLogOf(value: unknown): string[] | null {
  return Array.isArray(value) && value.every((e) => typeof e === 'string') ? value : null;
}

/**
 * The answer's body built on the document's comment as it is now (one GET, or none when the job read
 * it less than FRESH_READ_MS ago) and the stored log. A
 * document the app does not track (no SyncDocument) gets the plain append.
 */
export async function prepareDocumentAnswer(
  client: MoyskladClient,
  account: Account,
  entity: DocumentEntity,
  msId: string,
  answer: DocumentAnswer,
  options: { prisma?: Db; now?: Date; document?: { description?: string | null } } = {},
): Promise<PreparedAnswer> {
  const prisma = options.prisma ?? (await getPrisma());
  const where = { accountId_entity_msId: { accountId: account.accountId, entity, msId } };
  const [current, row] = await Promise.all([
    // `document`: the caller read it just now, in the same step as this write.
    options.document ?? client.recentDocument?.(entity, msId, FRESH_READ_MS) ?? client.getDocument(entity, msId),
    prisma.syncDocument.findUnique({ where, select: { commentLog: true } }),
  ]);
  const body = documentAnswerBody(client, account, entity, current.description, answer, options.now, storedLogOf(row?.commentLog));
  return {
    body,
    async commit() {
      if (!row || typeof body.description !== 'string') return;
      const entries = splitComment(body.description).entries;
      await prisma.syncDocument.updateMany({
        where: { accountId: account.accountId, entity, msId },
        data: { commentLog: entries },
      });
    },
  };
}

/**
 * Writes `answer` onto the document. `_readEarlier` (the comment as the caller read it, maybe seconds
 * ago) is not written back: unless the client's own read is fresher than FRESH_READ_MS, the comment is
 * read again right before the PUT so a user's edit made meanwhile survives.
 */
export async function answerOnDocument(
  client: MoyskladClient,
  account: Account,
  entity: DocumentEntity,
  msId: string,
  _readEarlier: string | null | undefined,
  answer: DocumentAnswer,
): Promise<void> {
  if (!answer.role && !answer.log?.length && !answer.extra) return;
  const prepared = await prepareDocumentAnswer(client, account, entity, msId, answer);
  if (!Object.keys(prepared.body).length) return;
  await client.updateDocument(entity, msId, prepared.body);
  await prepared.commit();
}

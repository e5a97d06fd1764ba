/**
 * Writes the app's answer onto a MoySklad document: the status of a role (Передан, Ошибка передачи,
 * Проведён) and a new entry in the comment log, in one PUT. The app's own writes carry
 * X-Lognex-WebHook-DisableByPrefix (set by the client), so they do not trigger its webhooks.
 */
import type { DocumentEntity } from '../core/domain';
import type { MoyskladClient } from '../moysklad/json-api';
import type { Account, StatusRole } from './accounts';
import { appendToComment, newestEntryStartsWith } from './comment-log';

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
  role?: StatusRole;
  /** Lines of the new comment-log entry (first line is the headline). */
  log?: string[];
  /** Other fields of the same PUT (positions, applicable). */
  extra?: Record<string, unknown>;
  /**
   * The log entry is not added when the comment's newest entry already begins with this text: the step
   * is being rerun (after a crash, or a retry after its PUT went through), not done anew.
   */
  logOnceHeadline?: string;
}

/** Body of the PUT for `answer`, given the document's current comment. */
export function documentAnswerBody(
  client: MoyskladClient,
  account: Account,
  entity: DocumentEntity,
  currentDescription: string | null | undefined,
  answer: DocumentAnswer,
  now = new Date(),
): Record<string, unknown> {
  const body: Record<string, unknown> = { ...answer.extra };
  const stateId = answer.role ? account.settings.statuses[entity][answer.role] : null;
  if (stateId) body.state = stateRef(client, entity, stateId);
  const alreadyLogged = answer.logOnceHeadline !== undefined && newestEntryStartsWith(currentDescription, answer.logOnceHeadline);
  if (answer.log?.length && !alreadyLogged) body.description = appendToComment(currentDescription ?? '', [{ at: now, lines: answer.log }]);
  return body;
}

export async function answerOnDocument(
  client: MoyskladClient,
  account: Account,
  entity: DocumentEntity,
  msId: string,
  currentDescription: string | null | undefined,
  answer: DocumentAnswer,
): Promise<void> {
  const body = documentAnswerBody(client, account, entity, currentDescription, answer);
  if (Object.keys(body).length) await client.updateDocument(entity, msId, body);
}

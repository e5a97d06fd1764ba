/**
 * A press of «Передать на склад БетаПРО» on the supply or move list (docs/bulk-send.md). MoySklad waits
 * at most 10 s for the answer, so the press only checks who pressed what, stores the batch with its
 * selected documents and queues the `bulk-send` job, all in one transaction, and answers `async: true`
 * with the batch id as `asyncProcessId`. The job requests each transfer and ends the process once.
 */
import { randomUUID } from 'node:crypto';
import type { PrismaClient } from '@/lib/db';
import { ENTITY_PLURAL_GENITIVE, type DocumentEntity } from '@/lib/core/domain';
import { logFor } from '@/lib/core/logger';
import { notifyJobEnqueued } from '@/lib/jobs/queue';
import { BULK_SEND_BUTTON, BULK_SEND_POINTS } from '@/lib/moysklad/buttons';
import { isUniqueViolation } from '@/lib/moysklad/jti-store';
import { idOfHref, permissionScope, type RightScope } from '@/lib/moysklad/app-session';
import type { MsButtonBody } from '@/lib/moysklad/schemas';
import { isOperational, loadAccount } from '@/lib/sync/account/accounts';
import { moyskladClientFor } from '@/lib/sync/account/clients';
import { bulkSendJob, enqueueAccountJob } from '@/lib/sync/jobs';

/** MoySklad lets a user tick 100 rows, or confirm «all by the filter»: a batch is capped here. */
export const BULK_SEND_MAX = 1000;

/** The employee's update right on the listed entity, kept with the batch for the per-document check. */
export interface BulkRights {
  scope: RightScope;
  employeeId: string;
  groupId?: string;
}

export type ButtonAnswer =
  | { ok: true; body: { action: 'showNotification'; async: true; params: { text: string; asyncProcessId: string } } }
  | { ok: false; message: string };

function accepted(id: string, count: number): ButtonAnswer {
  return {
    ok: true,
    body: {
      action: 'showNotification',
      async: true,
      params: { text: `Передаю документы на склад БетаПРО (${count}). Итог придёт уведомлением.`, asyncProcessId: id },
    },
  };
}

/** The update right of the employee on the entity, from MoySklad; null when there is none. */
async function updateRight(
  client: Awaited<ReturnType<typeof moyskladClientFor>>,
  entity: DocumentEntity,
  user: MsButtonBody['user'],
): Promise<BulkRights | null> {
  if (user.role === 'admin') return { scope: 'ALL', employeeId: user.employeeId };
  const security = await client.getEmployeeSecurity(user.employeeId);
  if (security.isActive === false) return null;
  const role = idOfHref(security.role?.meta.href);
  const groupId = idOfHref(security.group?.meta.href);
  if (role === 'admin') return { scope: 'ALL', employeeId: user.employeeId };
  const permissions = (role === 'individual' ? security.role?.permissions : undefined) ?? {};
  const scope = permissionScope((permissions[entity] as { update?: unknown } | undefined)?.update);
  return scope ? { scope, employeeId: user.employeeId, ...(groupId ? { groupId } : {}) } : null;
}

function selection(body: MsButtonBody): { entity: DocumentEntity; ids: string[] } | { message: string } {
  const entity = BULK_SEND_POINTS[body.extensionPoint as keyof typeof BULK_SEND_POINTS] as DocumentEntity | undefined;
  if (body.buttonName !== BULK_SEND_BUTTON || !entity) {
    return { message: 'Эта кнопка решения БетаПРО здесь не поддерживается.' };
  }
  const ids = [...new Set((body.selected ?? []).filter((s) => s.type === entity).map((s) => s.id))];
  if (!ids.length) return { message: `Выберите в списке ${ENTITY_PLURAL_GENITIVE[entity]} документы для передачи.` };
  if (ids.length > BULK_SEND_MAX) return { message: `За один раз можно передать не больше ${BULK_SEND_MAX} документов.` };
  return { entity, ids };
}

/** Handles the press; a repeated delivery (same X_Lognex_RequestId) is answered with the batch it made. */
export async function handleButtonPress(
  prisma: PrismaClient,
  accountId: string,
  body: MsButtonBody,
  requestId: string | null,
): Promise<ButtonAnswer> {
  const log = logFor({ accountId, job: 'bulk-send' });
  const requestKey = `${accountId}:${requestId ?? randomUUID()}`;
  const earlier = await prisma.bulkSend.findUnique({ where: { requestKey }, include: { _count: { select: { items: true } } } });
  if (earlier) return accepted(earlier.id, earlier._count.items);
  const picked = selection(body);
  if ('message' in picked) return { ok: false, message: picked.message };
  const account = await loadAccount(prisma, accountId);
  if (!account || !isOperational(account))
    return { ok: false, message: 'Решение БетаПРО не установлено или приостановлено в этом аккаунте.' };
  const rights = await updateRight(await moyskladClientFor(account), picked.entity, body.user);
  if (!rights) {
    return { ok: false, message: `У вас нет прав на изменение ${ENTITY_PLURAL_GENITIVE[picked.entity]} в МойСклад: передать их нельзя.` };
  }
  const id = randomUUID();
  try {
    await prisma.$transaction(async (tx) => {
      await tx.bulkSend.create({
        data: {
          id,
          accountId,
          requestKey,
          entity: picked.entity,
          buttonName: body.buttonName,
          employeeId: body.user.employeeId,
          rights: { ...rights },
        },
      });
      // One statement for the whole selection: MoySklad waits at most 10 s for the answer.
      await tx.bulkSendItem.createMany({ data: picked.ids.map((msId, position) => ({ bulkId: id, msId, position })) });
      // A moment later: MoySklad knows the process only once it has our answer.
      const runAt = new Date(Date.now() + 1_000);
      await enqueueAccountJob(tx, bulkSendJob, { accountId, bulkId: id }, { dedupeKey: `bulk-send:${id}`, runAt });
    });
  } catch (error) {
    // The same delivery arriving twice at once: the one that committed first is the batch.
    if (!isUniqueViolation(error)) throw error;
    const winner = await prisma.bulkSend.findUniqueOrThrow({ where: { requestKey } });
    return accepted(winner.id, picked.ids.length);
  }
  notifyJobEnqueued();
  log.info({ bulkId: id, entity: picked.entity, count: picked.ids.length }, 'bulk send accepted');
  return accepted(id, picked.ids.length);
}

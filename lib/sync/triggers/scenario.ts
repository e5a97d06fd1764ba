/**
 * The scenario trigger (docs/product.md §2, item 3). MoySklad retries the call for 24 h, with the same
 * X_Lognex_RequestId: a retry of an accepted call is recognised and answered the same way.
 */
import type { PrismaClient } from '@/lib/db';
import type { MsScenarioBody } from '@/lib/moysklad/schemas';
import { loadAccount } from '@/lib/sync/account/accounts';
import { requestTransfer, isDocumentEntity } from '@/lib/sync/transfer/request-transfer';
import { inboundSeen, rememberInbound } from '@/lib/sync/triggers/inbound';

export type ScenarioResult = { ok: true; state: string } | { ok: false; message: string };

export async function handleScenarioCall(
  prisma: PrismaClient,
  accountId: string,
  body: MsScenarioBody,
  requestId: string | null,
): Promise<ScenarioResult> {
  const entity = body.objectType.toLowerCase();
  if (!isDocumentEntity(entity)) {
    return {
      ok: false,
      message: `Действие «Передать в БетаПРО» работает только для приёмок, перемещений и возвратов поставщикам, а не для ${body.objectType}.`,
    };
  }
  const account = await loadAccount(prisma, accountId);
  if (!account || account.status === 'uninstalled') return { ok: false, message: 'Решение БетаПРО не установлено в аккаунте.' };
  // The request id is scoped by account: another account's call with the same id is not a retry of ours.
  const inboundKey = requestId ? `${accountId}:${requestId}` : null;
  if (inboundKey && (await inboundSeen(prisma, 'scenario', inboundKey))) {
    const existing = await prisma.syncDocument.findUnique({
      where: { accountId_entity_msId: { accountId, entity, msId: body.objectId } },
    });
    return { ok: true, state: existing?.state ?? 'queued' };
  }
  // The request id is recorded in the same transaction as the request itself: if anything fails,
  // MoySklad's retry (same id) is not mistaken for a duplicate.
  const result = await requestTransfer(
    prisma,
    { accountId, entity, msId: body.objectId, trigger: 'scenario', actor: 'сценарий' },
    inboundKey ? async (tx) => void (await rememberInbound(tx, 'scenario', inboundKey, accountId)) : undefined,
  );
  return { ok: true, state: result.state };
}

/**
 * Which way a document moves goods relative to the BetaPRO warehouse, decided from its stores
 * (docs/outbound.md): the target is a BetaPRO store and the source is not → inbound (a receipt task);
 * the source is and the target is not → outbound (a shipment task); both → no warehouse work at all.
 * Also the header problems (configuration, stores) that block a transfer before anything is sent.
 */
import { ENTITY_GENITIVE, type DocumentEntity, type TransferDirection } from '@/lib/core/domain';
import type { Problem } from '@/lib/core/views';
import type { MsDocument } from '@/lib/moysklad/schemas';
import type { Account } from '@/lib/sync/account/accounts';

export const SAME_WAREHOUSE = 'same_warehouse';

function idOf(ref: MsDocument['store']): string | null {
  const href = ref?.meta.href;
  return href ? href.slice(href.lastIndexOf('/') + 1) : null;
}

/** The store the goods go to: a supply's store, a move's target store (a return goes to its supplier). */
export function destinationStoreId(entity: DocumentEntity, document: MsDocument): string | null {
  if (entity === 'purchasereturn') return null;
  return idOf(entity === 'supply' ? document.store : document.targetStore);
}

/**
 * The store the goods leave: a move's source store, a purchase return's only store (a supply comes
 * from a supplier, not a store).
 */
export function sourceStoreId(entity: DocumentEntity, document: MsDocument): string | null {
  if (entity === 'purchasereturn') return idOf(document.store);
  return entity === 'move' ? idOf(document.sourceStore) : null;
}

/** A return to a supplier leaves its one store: always outbound, or not BetaPRO's business at all. */
function decideReturn(account: Account, document: MsDocument): DirectionDecision {
  const source = sourceStoreId('purchasereturn', document);
  const mapped = account.settings.storeIds;
  const params = { entity: 'purchasereturn' };
  if (!source) return { problem: { code: 'no_store', params, message: 'В возврате поставщику не указан склад.' } };
  // With no store marked every store counts as BetaPRO's, as for supplies (the original rule).
  if (!mapped.length || mapped.includes(source)) return { direction: 'outbound', storeId: source };
  return {
    problem: {
      code: 'store_not_mapped',
      params,
      message:
        'Склад возврата поставщику не является складом БетаПРО: возврат отгружается только со склада БетаПРО. ' +
        'Выберите склад БетаПРО или отметьте этот склад в настройках решения.',
    },
  };
}

export type DirectionDecision = { direction: TransferDirection; storeId: string } | { problem: Problem };

/**
 * An account that marked no store as BetaPRO's keeps the original behaviour: every document is a receipt
 * into the warehouse (there is no way to tell a BetaPRO source store from another one).
 */
export function decideDirection(account: Account, entity: DocumentEntity, document: MsDocument): DirectionDecision {
  if (entity === 'purchasereturn') return decideReturn(account, document);
  const target = destinationStoreId(entity, document);
  const source = sourceStoreId(entity, document);
  const mapped = account.settings.storeIds;
  const isBetapro = (id: string | null) => id !== null && (!mapped.length || mapped.includes(id));
  if (!target) {
    return {
      problem: {
        code: 'no_store',
        params: { entity },
        message: entity === 'supply' ? 'В приёмке не указан склад.' : 'В перемещении не указан склад-получатель.',
      },
    };
  }
  const sourceIsBetapro = mapped.length > 0 && source !== null && mapped.includes(source);
  if (isBetapro(target) && sourceIsBetapro) {
    // One account has one BetaPRO partner (docs/outbound.md): two of its stores are one warehouse.
    return {
      problem: {
        code: SAME_WAREHOUSE,
        params: { entity },
        message:
          'Оба склада перемещения — склады БетаПРО одного партнёра, то есть один и тот же склад: отгружать и принимать нечего. ' +
          'Проведите перемещение в МойСклад без передачи в БетаПРО или выберите склад, который не является складом БетаПРО.',
      },
    };
  }
  if (isBetapro(target)) return { direction: 'inbound', storeId: target };
  if (sourceIsBetapro) return { direction: 'outbound', storeId: source! };
  return {
    problem: {
      code: 'store_not_mapped',
      params: { entity },
      message:
        entity === 'supply'
          ? 'Склад приёмки не является складом БетаПРО. Выберите склад БетаПРО или отметьте этот склад в настройках решения.'
          : 'Ни склад-отправитель, ни склад-получатель перемещения не является складом БетаПРО. Выберите склад БетаПРО или отметьте этот склад в настройках решения.',
    },
  };
}

/** Problems of configuration and document header (the mapper reports the positions' ones). */
export function headerProblems(account: Account, entity: DocumentEntity, document: MsDocument): Problem[] {
  const problems: Problem[] = [];
  if (account.missing.length) {
    problems.push({
      code: 'not_configured',
      params: { missing: account.missing.join(', ') },
      message: `Решение не настроено: не заполнено — ${account.missing.join(', ')}. Администратор аккаунта может сделать это на странице настроек решения.`,
    });
  }
  if (!account.settings.enabledEntities.includes(entity)) {
    problems.push({
      code: 'entity_disabled',
      params: { entity },
      message: `Передача ${ENTITY_GENITIVE[entity]} в БетаПРО выключена в настройках решения.`,
    });
  }
  const decision = decideDirection(account, entity, document);
  if ('problem' in decision) problems.push(decision.problem);
  return problems;
}

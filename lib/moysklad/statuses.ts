/**
 * The four document statuses the product speaks through, per document type. "Передать" is the user's
 * command; the others are the app's answers. Found by name (so an admin may create them by hand, e.g.
 * when the solution runs with a custom scope, where MoySklad does not let it create states) and
 * created when missing and allowed.
 *
 * stateType: MoySklad marks final states Successful / Unsuccessful. "Проведён" is the successful end.
 * "Ошибка передачи" is Regular, not Unsuccessful: it is a fixable stop (the user corrects the document
 * and sets "Передать" again), not a final outcome.
 *
 * "Расхождения" (review) is optional: created with the others, but nothing stops without it. It tells in
 * MoySklad that a receipt with discrepancies waits for a decision in the widget (docs/product.md §5).
 */
import { ENTITY_PLURAL_GENITIVE, type DocumentEntity } from '@/lib/core/domain';
import { isMsPermissionError } from '@/lib/moysklad/errors';
import type { MoyskladClient, NewState } from '@/lib/moysklad/json-api';
import type { MsState } from '@/lib/moysklad/schemas';

export type StatusRole = 'transfer' | 'sent' | 'error' | 'posted' | 'review';
/** The roles every enabled document type needs. */
export const STATUS_ROLES: readonly StatusRole[] = ['transfer', 'sent', 'error', 'posted'];
/** Created with the others when allowed; missing is not a fault. */
export const OPTIONAL_STATUS_ROLES: readonly StatusRole[] = ['review'];

const rgb = (r: number, g: number, b: number) => (r << 16) | (g << 8) | b;

export const STATUS_DEFINITIONS: Record<StatusRole, NewState> = {
  transfer: { name: 'Передать', color: rgb(255, 171, 0), stateType: 'Regular' },
  sent: { name: 'Передан', color: rgb(64, 137, 219), stateType: 'Regular' },
  error: { name: 'Ошибка передачи', color: rgb(224, 67, 54), stateType: 'Regular' },
  posted: { name: 'Проведён', color: rgb(67, 160, 71), stateType: 'Successful' },
  review: { name: 'Расхождения', color: rgb(142, 36, 170), stateType: 'Regular' },
};

/** Name comparison as a person reads it: case, spaces and ё/е do not matter ("Проведен" = "Проведён"). */
export function normalizeStatusName(name: string): string {
  return name.trim().replace(/\s+/g, ' ').toLowerCase().replace(/ё/g, 'е');
}

export interface EnsureStatusesOptions {
  /** Create missing statuses (default true); false only looks. */
  create?: boolean;
  /** Names to look for instead of the defaults (settings may map a role to an existing status). */
  names?: Partial<Record<StatusRole, string>>;
}

export interface EnsureStatusesResult {
  entity: DocumentEntity;
  /** The state serving each role, when it exists. */
  states: Partial<Record<StatusRole, MsState>>;
  created: StatusRole[];
  /** Required roles still without a state (an optional one missing is not listed). */
  missing: StatusRole[];
  /** MoySklad refused to create states with this token (custom scope / no admin rights). */
  permissionDenied: boolean;
  /** Russian, for the settings page, when something is missing. */
  message?: string;
}

export function findStatus(states: MsState[], name: string): MsState | undefined {
  const wanted = normalizeStatusName(name);
  return states.find((s) => normalizeStatusName(s.name) === wanted);
}

export async function ensureStatuses(
  client: MoyskladClient,
  entity: DocumentEntity,
  options: EnsureStatusesOptions = {},
): Promise<EnsureStatusesResult> {
  const metadata = await client.getEntityMetadata(entity);
  const result: EnsureStatusesResult = { entity, states: {}, created: [], missing: [], permissionDenied: false };
  const nameOf = (role: StatusRole) => options.names?.[role]?.trim() || STATUS_DEFINITIONS[role].name;

  for (const role of [...STATUS_ROLES, ...OPTIONAL_STATUS_ROLES]) {
    const required = STATUS_ROLES.includes(role);
    const found = findStatus(metadata.states, nameOf(role));
    if (found) {
      result.states[role] = found;
      continue;
    }
    if (options.create === false || result.permissionDenied) {
      if (required) result.missing.push(role);
      continue;
    }
    try {
      result.states[role] = await client.createState(entity, { ...STATUS_DEFINITIONS[role], name: nameOf(role) });
      result.created.push(role);
    } catch (error) {
      if (!isMsPermissionError(error)) throw error;
      result.permissionDenied = true;
      if (required) result.missing.push(role);
    }
  }
  if (result.missing.length) {
    const names = result.missing.map((r) => `«${nameOf(r)}»`).join(', ');
    const what = ENTITY_PLURAL_GENITIVE[entity];
    result.message = result.permissionDenied
      ? `У решения нет прав создавать статусы ${what}. Создайте статусы ${names} в МоемСкладе вручную ` +
        '(Настройки → Статусы документов) или выберите существующие в настройках.'
      : `Нет статусов ${what}: ${names}. Создайте их или выберите существующие в настройках.`;
  }
  return result;
}

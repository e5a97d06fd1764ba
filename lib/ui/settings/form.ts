/**
 * The settings form as plain data: built from the server's view, validated with the contract's own
 * schema (settingsInputSchema) plus the server's extra rule (all four statuses of every enabled type),
 * turned into the PUT body. No React here, so it is unit-tested directly.
 */
import { settingsInputSchema, type SettingsInput, type SettingsView } from '@/lib/api/contract';
import type { Messages } from '@/lib/ui/i18n';

export type Entity = 'supply' | 'move' | 'purchasereturn';
export const ENTITIES: readonly Entity[] = ['supply', 'move', 'purchasereturn'];
export const STATUS_ROLES = ['transfer', 'sent', 'error', 'posted'] as const;
/** «Расхождения»: shown and pre-selected like the others, never required. */
export const OPTIONAL_STATUS_ROLES = ['review'] as const;
export type StatusRole = (typeof STATUS_ROLES)[number] | (typeof OPTIONAL_STATUS_ROLES)[number];
type Mapping = Record<(typeof STATUS_ROLES)[number], string | null> & { review?: string | null };

export interface SettingsForm {
  betaproBaseUrl: string;
  betaproPartnerId: string;
  /** Write-only: empty means "keep the stored one". */
  betaproPassword: string;
  storeIds: string[];
  enabledEntities: Entity[];
  statuses: Record<Entity, Mapping>;
  productKey: SettingsInput['productKey'];
  partialPolicy: SettingsInput['partialPolicy'];
  defectivePolicy: SettingsInput['defectivePolicy'];
  postingMode: SettingsInput['postingMode'];
  /** Kept as typed: validation says what is wrong with it. */
  pollIntervalSec: string;
  /** MoySklad tasks for documents that need attention (docs/discrepancy-tasks.md). */
  discrepancyTasks: boolean;
  /** '' = the document's owner. */
  taskAssigneeId: string;
}

/** Field key → messages; keys are dotted paths (`statuses.supply.transfer`), as the server sends. */
export type FieldErrors = Record<string, string[]>;

const EMPTY_MAPPING: Mapping = { transfer: null, sent: null, error: null, posted: null, review: null };

export function formFromView(view: SettingsView): SettingsForm {
  return {
    betaproBaseUrl: view.betaproBaseUrl ?? '',
    betaproPartnerId: view.betaproPartnerId ?? '',
    betaproPassword: '',
    storeIds: view.storeIds ?? [],
    enabledEntities: view.enabledEntities ?? ['supply', 'move'],
    statuses: {
      supply: { ...EMPTY_MAPPING, ...view.statuses?.supply },
      move: { ...EMPTY_MAPPING, ...view.statuses?.move },
      purchasereturn: { ...EMPTY_MAPPING, ...view.statuses?.purchasereturn },
    },
    productKey: view.productKey ?? 'article',
    partialPolicy: view.partialPolicy ?? 'final',
    defectivePolicy: view.defectivePolicy ?? 'received',
    postingMode: view.postingMode ?? 'auto',
    pollIntervalSec: String(view.pollIntervalSec ?? 60),
    discrepancyTasks: view.discrepancyTasks ?? true,
    taskAssigneeId: view.taskAssigneeId ?? '',
  };
}

/** The PUT body. An empty password is left out: the server keeps the stored one. */
export function inputFromForm(form: SettingsForm): Record<string, unknown> {
  const poll = form.pollIntervalSec.trim();
  const body: Record<string, unknown> = {
    betaproBaseUrl: form.betaproBaseUrl.trim(),
    betaproPartnerId: form.betaproPartnerId.trim(),
    storeIds: form.storeIds,
    enabledEntities: ENTITIES.filter((e) => form.enabledEntities.includes(e)),
    statuses: form.statuses,
    productKey: form.productKey,
    partialPolicy: form.partialPolicy,
    defectivePolicy: form.defectivePolicy,
    postingMode: form.postingMode,
    pollIntervalSec: /^\d+$/.test(poll) ? Number(poll) : poll === '' ? undefined : Number.NaN,
    discrepancyTasks: form.discrepancyTasks,
    taskAssigneeId: form.taskAssigneeId || null,
  };
  if (form.betaproPassword) body.betaproPassword = form.betaproPassword;
  return body;
}

function messageFor(path: string, code: string, value: unknown, t: Messages['settings']['errors']): string {
  const field = path.split('.')[0];
  switch (field) {
    case 'betaproBaseUrl':
      return value ? t.url : t.required;
    case 'betaproPartnerId':
      return code === 'too_big' ? t.tooLong : t.required;
    case 'betaproPassword':
      return code === 'too_big' ? t.tooLong : t.required;
    case 'storeIds':
      return t.storeIds;
    case 'enabledEntities':
      return t.enabledEntities;
    case 'statuses':
      return t.status;
    case 'pollIntervalSec':
      return t.poll;
    default:
      return t.invalid;
  }
}

function add(errors: FieldErrors, key: string, message: string): void {
  const list = (errors[key] ??= []);
  if (!list.includes(message)) list.push(message);
}

/** Client-side check before saving; the server checks again and its 422 wins for what it says. */
export function validateForm(form: SettingsForm, hasPassword: boolean, t: Messages['settings']['errors']): FieldErrors {
  const errors: FieldErrors = {};
  const input = inputFromForm(form);
  const result = settingsInputSchema.safeParse(input);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const path = issue.path.map(String).join('.');
      const value = issue.path.reduce<unknown>((v, k) => (v as Record<PropertyKey, unknown> | undefined)?.[k as PropertyKey], input);
      add(errors, path || 'form', messageFor(path, issue.code, value, t));
    }
  }
  if (!hasPassword && !form.betaproPassword) add(errors, 'betaproPassword', t.required);
  for (const entity of form.enabledEntities) {
    for (const role of STATUS_ROLES) {
      if (!form.statuses[entity][role]) add(errors, `statuses.${entity}.${role}`, t.status);
    }
  }
  return errors;
}

/**
 * What is still to fill, read from the form as it is now (the server's list only changes on save),
 * in the same order and words as the server's (lib/sync/account/accounts.ts missingSettings).
 */
export function missingFromForm(form: SettingsForm, hasPassword: boolean, t: Messages['settings']): string[] {
  const c = t.checklist;
  const missing: string[] = [];
  if (!form.betaproBaseUrl.trim()) missing.push(c.betaproBaseUrl);
  if (!form.betaproPartnerId.trim()) missing.push(c.betaproPartnerId);
  if (!hasPassword && !form.betaproPassword) missing.push(c.betaproPassword);
  if (!form.storeIds.length) missing.push(c.storeIds);
  if (!form.enabledEntities.length) missing.push(c.enabledEntities);
  for (const entity of ENTITIES.filter((e) => form.enabledEntities.includes(e))) {
    for (const role of STATUS_ROLES) {
      if (!form.statuses[entity][role]) missing.push(c.status(t.statuses.roles[role], c.entityGenitive[entity]));
    }
  }
  return missing;
}

/** The first message of a field, or of any field under it (`statuses` covers `statuses.supply.sent`). */
export function errorOf(errors: FieldErrors, key: string): string | undefined {
  if (errors[key]?.length) return errors[key][0];
  const nested = Object.keys(errors).find((k) => k.startsWith(`${key}.`) && errors[k].length);
  return nested ? errors[nested][0] : undefined;
}

/** Status names the app creates (lib/sync/account/accounts.ts STATUS_LABELS): used to pre-select after creating. */
export const STATUS_NAMES: Record<StatusRole, string> = {
  transfer: 'Передать',
  sent: 'Передан',
  error: 'Ошибка передачи',
  posted: 'Проведён',
  review: 'Расхождения',
};

/** After "create statuses": fill the empty roles with the statuses of those names. */
export function preselectStatuses(mapping: Mapping, options: ReadonlyArray<{ id: string; name: string }>): Mapping {
  const next = { ...mapping };
  for (const role of [...STATUS_ROLES, ...OPTIONAL_STATUS_ROLES]) {
    if (next[role]) continue;
    const match = options.find((o) => o.name.trim().toLowerCase() === STATUS_NAMES[role].toLowerCase());
    if (match) next[role] = match.id;
  }
  return next;
}

export function sameForm(a: SettingsForm, b: SettingsForm): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

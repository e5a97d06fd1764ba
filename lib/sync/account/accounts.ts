/**
 * An account as the sync engine needs it: installation state, settings with secrets decrypted, and
 * whether the configuration is complete enough to send documents.
 */
import { z } from 'zod';
import type { PrismaClient } from '@/lib/db';
import { encryptionKeyring } from '@/lib/core/config';
import { decryptSecret, type Keyring } from '@/lib/core/crypto';
import { AppError } from '@/lib/core/errors';
import { DOCUMENT_ENTITIES, type DocumentEntity, type ProductKey } from '@/lib/core/domain';

export const statusMappingSchema = z.object({
  transfer: z.string().nullable().default(null),
  sent: z.string().nullable().default(null),
  error: z.string().nullable().default(null),
  posted: z.string().nullable().default(null),
  /** Optional (docs/product.md §5): not among STATUS_ROLES, so a missing one never blocks sending. */
  review: z.string().nullable().optional(),
});
export type StatusMapping = z.infer<typeof statusMappingSchema>;
export const STATUS_ROLES = ['transfer', 'sent', 'error', 'posted'] as const;
export type StatusRole = (typeof STATUS_ROLES)[number];
/** Every status the app may set: the required roles and the optional «Расхождения». */
export type AnswerRole = StatusRole | 'review';

const statusesSchema = z
  .object({
    supply: statusMappingSchema.optional(),
    move: statusMappingSchema.optional(),
    purchasereturn: statusMappingSchema.optional(),
  })
  .catch({});

export interface AccountSettings {
  betaproBaseUrl: string | null;
  betaproPartnerId: string | null;
  betaproPassword: string | null;
  hasPassword: boolean;
  storeIds: string[];
  enabledEntities: DocumentEntity[];
  statuses: Record<DocumentEntity, StatusMapping>;
  productKey: ProductKey;
  partialPolicy: 'final' | 'progressive';
  defectivePolicy: 'received' | 'excluded';
  postingMode: 'auto' | 'review';
  pollIntervalSec: number;
  sweepIntervalSec: number;
  /** MoySklad tasks for documents that need attention (docs/discrepancy-tasks.md). */
  discrepancyTasks: boolean;
  /** Employee the tasks go to; null: the document's owner. */
  taskAssigneeId: string | null;
}

export interface Account {
  accountId: string;
  accountName: string | null;
  status: 'active' | 'suspended' | 'uninstalled';
  reportedStatus: string;
  scope: string;
  /** JSON API token; null when uninstalled. */
  token: string | null;
  /** Plain secret of the webhook URL; null for installations from before it was kept sealed. */
  webhookSecret: string | null;
  settings: AccountSettings;
  /** Names of what is still missing before documents can be sent. */
  missing: string[];
}

const EMPTY_MAPPING: StatusMapping = { transfer: null, sent: null, error: null, posted: null, review: null };

function stringArray(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

export function defaultSettings(): AccountSettings {
  return {
    betaproBaseUrl: null,
    betaproPartnerId: null,
    betaproPassword: null,
    hasPassword: false,
    storeIds: [],
    enabledEntities: ['supply', 'move'],
    statuses: { supply: { ...EMPTY_MAPPING }, move: { ...EMPTY_MAPPING }, purchasereturn: { ...EMPTY_MAPPING } },
    productKey: 'article',
    partialPolicy: 'final',
    defectivePolicy: 'received',
    postingMode: 'auto',
    pollIntervalSec: 60,
    sweepIntervalSec: 300,
    discrepancyTasks: true,
    taskAssigneeId: null,
  };
}

/** What must still be configured, as short Russian names (shown in settings and in errors). */
export function missingSettings(settings: AccountSettings): string[] {
  const missing: string[] = [];
  if (!settings.betaproBaseUrl) missing.push('адрес API БетаПРО');
  if (!settings.betaproPartnerId) missing.push('код партнёра БетаПРО');
  if (!settings.hasPassword) missing.push('пароль БетаПРО');
  if (!settings.storeIds.length) missing.push('склады МойСклад, которые являются складами БетаПРО');
  if (!settings.enabledEntities.length) missing.push('типы документов');
  for (const entity of settings.enabledEntities) {
    const mapping = settings.statuses[entity];
    const label = entity === 'supply' ? 'приёмок' : 'перемещений';
    for (const role of STATUS_ROLES) {
      if (!mapping[role]) missing.push(`статус «${STATUS_LABELS[role]}» для ${label}`);
    }
  }
  return missing;
}

export const STATUS_LABELS: Record<StatusRole, string> = {
  transfer: 'Передать',
  sent: 'Передан',
  error: 'Ошибка передачи',
  posted: 'Проведён',
};

type SettingsRow = NonNullable<Awaited<ReturnType<PrismaClient['settings']['findUnique']>>>;

export function settingsFromRow(row: SettingsRow | null, encryptionKey: Keyring = encryptionKeyring()): AccountSettings {
  const settings = defaultSettings();
  if (!row) return settings;
  const statuses = statusesSchema.parse(row.statuses);
  return {
    betaproBaseUrl: row.betaproBaseUrl,
    betaproPartnerId: row.betaproPartnerId,
    betaproPassword: row.betaproPasswordEnc ? decryptSecret(row.betaproPasswordEnc, encryptionKey) : null,
    hasPassword: Boolean(row.betaproPasswordEnc),
    storeIds: stringArray(row.storeIds),
    enabledEntities: stringArray(row.enabledEntities).filter((e): e is DocumentEntity =>
      (DOCUMENT_ENTITIES as readonly string[]).includes(e),
    ),
    statuses: {
      supply: statuses.supply ?? { ...EMPTY_MAPPING },
      move: statuses.move ?? { ...EMPTY_MAPPING },
      purchasereturn: statuses.purchasereturn ?? { ...EMPTY_MAPPING },
    },
    productKey: (['article', 'code', 'externalCode'] as const).find((k) => k === row.productKey) ?? 'article',
    partialPolicy: row.partialPolicy === 'progressive' ? 'progressive' : 'final',
    defectivePolicy: row.defectivePolicy === 'excluded' ? 'excluded' : 'received',
    postingMode: row.postingMode === 'review' ? 'review' : 'auto',
    pollIntervalSec: row.pollIntervalSec,
    sweepIntervalSec: row.sweepIntervalSec,
    discrepancyTasks: row.discrepancyTasks,
    taskAssigneeId: row.taskAssigneeId,
  };
}

export async function loadAccount(prisma: PrismaClient, accountId: string): Promise<Account | null> {
  const installation = await prisma.installation.findUnique({ where: { accountId }, include: { settings: true } });
  if (!installation) return null;
  const key = encryptionKeyring();
  const settings = settingsFromRow(installation.settings, key);
  const status = (['active', 'suspended', 'uninstalled'] as const).find((s) => s === installation.status) ?? 'uninstalled';
  return {
    accountId,
    accountName: installation.accountName,
    status,
    reportedStatus: installation.reportedStatus,
    scope: installation.scope,
    token: installation.accessTokenEnc ? decryptSecret(installation.accessTokenEnc, key) : null,
    webhookSecret: installation.webhookSecretEnc ? decryptSecret(installation.webhookSecretEnc, key) : null,
    settings,
    missing: missingSettings(settings),
  };
}

export async function loadAccountOrThrow(prisma: PrismaClient, accountId: string): Promise<Account> {
  const account = await loadAccount(prisma, accountId);
  if (!account) {
    throw new AppError('NOT_FOUND', `account ${accountId} is not installed`, {
      userMessage: 'Решение не установлено в этом аккаунте МойСклад.',
    });
  }
  return account;
}

/** The account can talk to MoySklad (installed, not suspended, has a token). */
export function isOperational(account: Account): account is Account & { token: string } {
  return account.status === 'active' && account.token !== null;
}

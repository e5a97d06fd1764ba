/**
 * The views the product builds and the widget and settings API returns (sync states, problems,
 * receipt lines, the document view, settings): zod schemas with their types, in lib/core so lib/sync
 * builds them without depending on lib/api. lib/api/contract.ts re-exports them next to the request
 * schemas; the pages parse responses with them.
 */
import { TRANSFER_CHECK_PROBLEM_CODES } from '@/lib/core/problem-codes';
import { z } from 'zod';

export const documentEntitySchema = z.enum(['supply', 'move', 'purchasereturn']);
export const localeSchema = z.enum(['ru', 'en']);

export const rightsSchema = z.object({ view: z.boolean(), update: z.boolean() });
// ---- POST /api/session -> SessionResponse ----
export const sessionResponseSchema = z.object({
  token: z.string(),
  expiresAt: z.string(),
  accountId: z.string(),
  locale: localeSchema,
  user: z.object({
    id: z.string(),
    name: z.string(),
    isAdmin: z.boolean(),
    rights: z.object({ supply: rightsSchema, move: rightsSchema, purchasereturn: rightsSchema.optional() }),
    /** May open the stock reconciliation (admin or «Просмотр остатков»). */
    stockReport: z.boolean().optional(),
  }),
});
export type SessionResponse = z.infer<typeof sessionResponseSchema>;

// ---- Document view: GET /api/widget/documents/{entity}/{id} ----
export const syncStateSchema = z.enum([
  'not_sent',
  'queued',
  'sending',
  'sent',
  'error',
  'receiving',
  'review',
  'posted',
  'cancelled',
  'expired',
]);
export type SyncState = z.infer<typeof syncStateSchema>;

/**
 * Every problem code the server produces. The Russian `message` stays for the MoySklad comment and
 * the logs; the UI renders `code` + `params` in the user's language (lib/ui/i18n/codes.ts), and a
 * unit test fails when a code here has no text in either language.
 */
// The transfer check's codes live in a module without zod: the widget's bundle needs only that list.
export { TRANSFER_CHECK_PROBLEM_CODES } from '@/lib/core/problem-codes';

export const PROBLEM_CODES = [
  ...TRANSFER_CHECK_PROBLEM_CODES,
  // transfer and receipt outcomes
  'task_arrived',
  'account_inactive',
  'posting_refused',
  'non_arrival',
  'unknown_goods',
  'hint',
  // AppError codes, lower-cased (lib/core/errors.ts)
  'bad_request',
  'validation',
  'unauthorized',
  'forbidden',
  'not_found',
  'conflict',
  'payload_too_large',
  'rate_limited',
  'document_invalid',
  'remote_rejected',
  'remote_unavailable',
  'remote_timeout',
  'remote_auth',
  'internal',
] as const;
export type ProblemCode = (typeof PROBLEM_CODES)[number];

/** Values a text is built from: names, numbers, field keys. Never a sentence in one language. */
export const textParamsSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));
export type TextParams = z.infer<typeof textParamsSchema>;

export const problemSchema = z.object({
  code: z.string(),
  /** Russian, complete (the MoySklad comment and logs); the UI falls back to it for unknown codes. */
  message: z.string(),
  params: textParamsSchema.optional(),
  /** 1-based row of the MoySklad position concerned, when there is one. */
  position: z.number().int().optional(),
});
export type Problem = z.infer<typeof problemSchema>;

/** Every kind of timeline event recordEvent writes (lib/sync/document/sync-state.ts). */
export const EVENT_KINDS = [
  'requested',
  'duplicate_ignored',
  'goods_registered',
  'task_created',
  'task_replaced',
  'resend',
  'task_deleted',
  'already_sent_answered',
  'sent',
  'failed',
  'retry_scheduled',
  'receiving',
  'receipt_stored',
  'receipt_vanished',
  'partial_receipt',
  'partial_applied',
  'review',
  'posted',
  'posting_refused',
  'cancelled',
  'cancel_failed',
  'non_arrival',
  'receipt_blocked',
  'receipt_correction',
  'unrecognized_goods',
  'unrecognized_resolved',
  'good_identified',
  'poll',
] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

export const eventSchema = z.object({
  id: z.string(),
  at: z.string(),
  kind: z.string(),
  trigger: z.string().nullable(),
  actor: z.string().nullable(),
  /** Russian (as in the MoySklad comment); the UI renders `kind` + `params` and `problems` instead. */
  message: z.string(),
  params: textParamsSchema.optional(),
  /** The reasons of a failure event, for the same grouped rendering as the document's errors. */
  problems: z.array(problemSchema).optional(),
});

export const receiptLineSchema = z.object({
  goodId: z.string(),
  name: z.string(),
  planned: z.number(),
  /**
   * «Принято» as the comment says it: good units, plus the defective ones when the defects policy counts
   * them as received (lib/sync/receipt/projection.ts acceptedQuantity).
   */
  accepted: z.number(),
  defective: z.number(),
  /** accepted − planned. */
  difference: z.number(),
  /** Not in the plan: arrived instead of / in addition to planned goods. */
  unexpected: z.boolean(),
  /** BetaPRO reported a good that has no MoySklad product with this key. */
  unknown: z.boolean(),
});
export type ReceiptLineView = z.infer<typeof receiptLineSchema>;

/** A good BetaPRO received under a temporary code for this document's task (GET /goods/recognition). */
export const unrecognizedGoodSchema = z.object({
  barcode: z.string(),
  description: z.string(),
  useful: z.number().int(),
  defective: z.number().int(),
  since: z.string().optional(),
});
export type UnrecognizedGoodView = z.infer<typeof unrecognizedGoodSchema>;

/** Why an action is disabled (lib/sync/widget/document-view.ts); `preflight_blocked` is the widget's own. */
export const ACTION_REASON_CODES = [
  'no_rights',
  'already_sent',
  'retry_after_error',
  'no_task',
  'not_sent_yet',
  'cancel_only_sent',
  'no_review',
] as const;
export type ActionReasonCode = (typeof ACTION_REASON_CODES)[number];

export const actionNameSchema = z.enum(['send', 'retry', 'check', 'cancel', 'post']);
export type ActionName = z.infer<typeof actionNameSchema>;

export const documentViewSchema = z.object({
  entity: documentEntitySchema,
  id: z.string(),
  name: z.string().nullable(),
  state: syncStateSchema,
  errorClass: z.enum(['data', 'transient']).nullable(),
  /** Reasons of the last error (data problems or the last transient cause). */
  errors: z.array(problemSchema),
  indocId: z.string().nullable(),
  lastTrigger: z.string().nullable(),
  lastActor: z.string().nullable(),
  sentAt: z.string().nullable(),
  postedAt: z.string().nullable(),
  updatedAt: z.string().nullable(),
  events: z.array(eventSchema),
  receipt: z
    .object({
      lines: z.array(receiptLineSchema),
      /** Partial parts received so far, final part not yet. */
      partial: z.boolean(),
      parts: z.number().int(),
      nonArrival: z.boolean(),
    })
    .nullable(),
  actions: z.record(
    actionNameSchema,
    z.object({
      enabled: z.boolean(),
      reason: z.string().optional(),
      /** The reason as a code the UI renders in the user's language (lib/ui/i18n/codes.ts). */
      reasonCode: z.string().optional(),
    }),
  ),
  /** Goods waiting for an admin to map them to MoySklad products; the receipt completes after. */
  unrecognized: z.array(unrecognizedGoodSchema),
  /** Work is in progress: poll again soon. */
  live: z.boolean(),
  /** The app changed the MoySklad document since this time: offer to reopen it. */
  documentChangedAt: z.string().nullable(),
  /** Which way the task moves goods (docs/outbound.md); null before a task exists. */
  direction: z.enum(['inbound', 'outbound']).nullable().optional(),
});
export type DocumentView = z.infer<typeof documentViewSchema>;

// ---- GET /api/widget/documents/{entity}/{id}/preflight -> PreflightResponse ----
export const stockShortageSchema = z.object({ goodId: z.string(), name: z.string(), needed: z.number(), have: z.number() });
export type StockShortage = z.infer<typeof stockShortageSchema>;
export const preflightResponseSchema = z.object({
  ok: z.boolean(),
  problems: z.array(problemSchema),
  /** Which way the document would move goods (docs/outbound.md), when its stores say so. */
  direction: z.enum(['inbound', 'outbound']).nullable().optional(),
  /** Outbound: goods BetaPRO has less of than the plan (it ships what it has), in the comment's Russian. */
  warnings: z.array(z.string()).optional(),
  /** The same shortages as data, for the widget's own language. */
  shortages: z.array(stockShortageSchema).optional(),
});
export type PreflightResponse = z.infer<typeof preflightResponseSchema>;

// ---- Settings: GET/PUT /api/settings ----
export const productKeySchema = z.enum(['article', 'code', 'externalCode']);
export const statusMappingSchema = z.object({
  transfer: z.string().nullable(),
  sent: z.string().nullable(),
  error: z.string().nullable(),
  posted: z.string().nullable(),
  /** Optional «Расхождения»: set while a receipt waits for a decision; null/absent = not shown. */
  review: z.string().nullable().optional(),
});
/**
 * The BetaPRO API address: an http(s) URL without user name, password, query or fragment (credentials
 * have their own fields). Whether http and internal hosts are allowed is the server's decision
 * (lib/core/remote-address.ts).
 */
export const betaproBaseUrlSchema = z
  .url({ protocol: /^https?$/ })
  .max(500)
  .refine((value) => {
    // zod runs refinements even when the URL check above failed: that failure is reported already.
    if (!URL.canParse(value)) return true;
    const url = new URL(value);
    return !url.username && !url.password && !value.includes('?') && !value.includes('#');
  }, 'Адрес API не должен содержать имя пользователя, пароль, параметры (?…) или якорь (#…)');

export const settingsInputSchema = z.object({
  betaproBaseUrl: betaproBaseUrlSchema,
  betaproPartnerId: z.string().trim().min(1).max(100),
  /** Omitted or empty: keep the stored password. */
  betaproPassword: z.string().max(200).optional(),
  storeIds: z.array(z.string()).min(1),
  enabledEntities: z.array(documentEntitySchema).min(1),
  statuses: z.object({
    supply: statusMappingSchema,
    move: statusMappingSchema,
    purchasereturn: statusMappingSchema.optional(),
  }),
  productKey: productKeySchema,
  partialPolicy: z.enum(['final', 'progressive']),
  defectivePolicy: z.enum(['received', 'excluded']),
  postingMode: z.enum(['auto', 'review']),
  pollIntervalSec: z.number().int().min(15).max(86_400),
  /** MoySklad tasks for documents that need attention (docs/discrepancy-tasks.md); omitted: unchanged. */
  discrepancyTasks: z.boolean().optional(),
  /** Employee the tasks go to; null: the document's owner; omitted: unchanged. */
  taskAssigneeId: z.string().trim().min(1).max(100).nullable().optional(),
});
export type SettingsInput = z.infer<typeof settingsInputSchema>;

export const settingsViewSchema = settingsInputSchema.partial().extend({
  hasPassword: z.boolean(),
  complete: z.boolean(),
  missing: z.array(z.string()),
});
export type SettingsView = z.infer<typeof settingsViewSchema>;

export const optionSchema = z.object({ id: z.string(), name: z.string(), color: z.number().optional() });
export const settingsResponseSchema = z.object({
  canEdit: z.boolean(),
  settings: settingsViewSchema,
  stores: z.array(optionSchema),
  states: z.object({
    supply: z.array(optionSchema),
    move: z.array(optionSchema),
    purchasereturn: z.array(optionSchema).default([]),
  }),
  /** The account's token may create statuses (admin scope). */
  canCreateStatuses: z.boolean(),
  /** Employees a discrepancy task may be assigned to (empty when MoySklad could not be read). */
  employees: z.array(optionSchema).default([]),
  /** The token's scope allows MoySklad tasks (admin). */
  canCreateTasks: z.boolean().default(true),
  health: z.object({
    installationStatus: z.string(),
    reportedStatus: z.string(),
    webhooksInstalled: z.boolean(),
    lastPollAt: z.string().nullable(),
    /** Why the last BetaPRO poll failed (Russian); null when it succeeded. The poll keeps retrying. */
    pollError: z.object({ message: z.string(), at: z.string(), failures: z.number() }).nullable(),
    documentsByState: z.record(z.string(), z.number()),
    recentErrors: z.array(
      z.object({
        at: z.string(),
        documentName: z.string().nullable(),
        message: z.string(),
        /** The event kind and its reasons, rendered in the user's language like the widget's timeline. */
        kind: z.string().optional(),
        params: textParamsSchema.optional(),
        problems: z.array(problemSchema).optional(),
      }),
    ),
    deadJobs: z.number(),
    /** The newest finished stock reconciliation (docs/stock-reconciliation.md); null before the first one. */
    stockCheck: z
      .object({ at: z.string(), state: z.enum(['done', 'failed']), differences: z.number(), goods: z.number() })
      .nullable()
      .optional(),
  }),
  scenarioHelp: z.object({ actionTitle: z.string(), steps: z.array(z.string()) }),
});
export type SettingsResponse = z.infer<typeof settingsResponseSchema>;

// ---- POST /api/settings/create-statuses -> CreateStatusesResponse ----
const statusRoleSchema = z.enum(['transfer', 'sent', 'error', 'posted', 'review']);
export const createStatusesResponseSchema = z.object({
  supply: z.array(optionSchema),
  move: z.array(optionSchema),
  purchasereturn: z.array(optionSchema).default([]),
  /** Roles of the requested type whose status was created now, and those that already existed. */
  created: z.array(statusRoleSchema),
  existing: z.array(statusRoleSchema),
});
export type CreateStatusesResponse = z.infer<typeof createStatusesResponseSchema>;

// ---- POST /api/settings/test-connection -> TestConnectionResponse ----
export const testConnectionResponseSchema = z.discriminatedUnion('ok', [
  z.object({
    ok: z.literal(true),
    rateLimits: z.object({
      concurrentRequests: z.number().nullable(),
      quotas: z.array(
        z.object({
          kind: z.string(),
          label: z.string(),
          perDay: z.number().nullable(),
          perMinute: z.number().nullable(),
        }),
      ),
    }),
  }),
  z.object({ ok: z.literal(false), message: z.string() }),
]);
export type TestConnectionResponse = z.infer<typeof testConnectionResponseSchema>;

// ---- Stock reconciliation: GET /api/stock (docs/stock-reconciliation.md) ----
export const stockRowStatusSchema = z.enum(['difference', 'explained', 'match']);
export const stockRowSchema = z.object({
  /** The BetaPRO good_id (the account's product key); null for a MoySklad product without the key. */
  goodId: z.string().nullable(),
  name: z.string(),
  /** MoySklad's stock summed over the BetaPRO stores, and per store id. */
  moysklad: z.number(),
  byStore: z.record(z.string(), z.number()),
  betapro: z.object({ useful: z.number(), defective: z.number(), quarantine: z.number() }),
  /** What MoySklad should hold by BetaPRO's stock: useful, plus defective when defects are received. */
  expected: z.number(),
  /** moysklad − expected. */
  difference: z.number(),
  status: stockRowStatusSchema,
  /** Why the good cannot be compared: no product in MoySklad with this key, no key, not at BetaPRO. */
  note: z.enum(['no_moysklad_product', 'no_key', 'not_at_betapro']).optional(),
  /** Documents sent to BetaPRO and not yet «Проведён» that carry this good (planned quantities). */
  inFlight: z.array(
    z.object({
      entity: z.enum(['supply', 'move', 'purchasereturn']),
      msId: z.string(),
      name: z.string().nullable(),
      state: z.string(),
      direction: z.enum(['inbound', 'outbound']),
      quantity: z.number(),
    }),
  ),
});
export type StockRow = z.infer<typeof stockRowSchema>;

export const stockRunSchema = z.object({
  id: z.string(),
  state: z.enum(['queued', 'running', 'done', 'failed']),
  trigger: z.enum(['manual', 'daily']),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
  goods: z.number(),
  differences: z.number(),
  explained: z.number(),
  moyskladCalls: z.number(),
  betaproCalls: z.number(),
  error: z.string().nullable(),
});
export type StockRun = z.infer<typeof stockRunSchema>;

export const stockResponseSchema = z.object({
  /** BetaPRO stores compared (id → name). */
  stores: z.array(optionSchema),
  /**
   * The newest finished run with its first rows (differences first; the CSV has them all) and how many
   * rows it has; null before the first one.
   */
  last: stockRunSchema.extend({ rows: z.array(stockRowSchema), rowsTotal: z.number() }).nullable(),
  /** A run queued or running now, if any. */
  pending: stockRunSchema.nullable(),
});
export type StockResponse = z.infer<typeof stockResponseSchema>;

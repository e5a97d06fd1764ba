/**
 * zod schemas for every MoySklad payload the product reads: JSON API 1.2 entities (documents,
 * positions, assortment, dictionaries, states, webhooks, audit), the webhook delivery body, and the
 * Vendor API bodies MoySklad sends us (activation, deactivation, scenario, /event) or answers with
 * (employee context). Unknown fields are dropped (zod's default), so MoySklad adding fields never
 * breaks parsing; only what the product relies on is required.
 *
 * Types are prefixed `Ms…` and stay inside lib/moysklad; lib/sync gets product types from mappers.
 */
import { z } from 'zod';

// ------------------------------------------------------------------ meta and references

/** `meta` of an object (href, type) or of a list (size, limit, offset, nextHref). */
export const msMetaSchema = z.object({
  href: z.string(),
  type: z.string().optional(),
  mediaType: z.string().optional(),
  metadataHref: z.string().optional(),
  uuidHref: z.string().optional(),
  downloadHref: z.string().optional(),
  size: z.number().optional(),
  limit: z.number().optional(),
  offset: z.number().optional(),
  nextHref: z.string().optional(),
  previousHref: z.string().optional(),
});
export type MsMeta = z.infer<typeof msMetaSchema>;

/** An object meta that must name its type (references in documents always do). */
export const msEntityMetaSchema = msMetaSchema.extend({ type: z.string() });

/** A reference to another object, not expanded: `{meta}` (expanded objects parse too: extra keys drop). */
export const msRefSchema = z.object({ meta: msEntityMetaSchema });
export type MsRef = z.infer<typeof msRefSchema>;

/** `{meta, rows?}`: rows are present only when the field was expanded or the response is a list. */
export function msMetaArraySchema<T extends z.ZodType>(row: T) {
  return z.object({ meta: msMetaSchema, rows: z.array(row).optional() });
}

/** A list response: `{meta: {size, limit, offset, nextHref?}, rows}`. */
export function msListSchema<T extends z.ZodType>(row: T) {
  return z.object({ meta: msMetaSchema, rows: z.array(row) });
}
export interface MsList<T> {
  meta: MsMeta;
  rows: T[];
}

// ------------------------------------------------------------------ assortment

/**
 * A barcode is an object with exactly one key naming its format (`ean13`, `ean8`, `code128`, `gtin`,
 * `upc`); a record keeps formats MoySklad may add later instead of dropping them.
 */
export const msBarcodeSchema = z.record(z.string(), z.string());
export type MsBarcode = z.infer<typeof msBarcodeSchema>;

export const msPriceSchema = z.object({
  value: z.number(),
  currency: msRefSchema.optional(),
});
export type MsPrice = z.infer<typeof msPriceSchema>;

export const msCharacteristicSchema = z.object({
  meta: msMetaSchema.optional(),
  id: z.string().optional(),
  name: z.string(),
  value: z.string(),
});
export type MsCharacteristic = z.infer<typeof msCharacteristicSchema>;

const assortmentCommon = {
  meta: msEntityMetaSchema,
  id: z.string(),
  accountId: z.string().optional(),
  name: z.string(),
  code: z.string().optional(),
  externalCode: z.string().optional(),
  barcodes: z.array(msBarcodeSchema).optional(),
  archived: z.boolean().optional(),
  updated: z.string().optional(),
  description: z.string().optional(),
};

export const msProductSchema = z.object({
  ...assortmentCommon,
  article: z.string().optional(),
  pathName: z.string().optional(),
  buyPrice: msPriceSchema.optional(),
  /** Kilograms (MoySklad's UI unit for "Вес"). */
  weight: z.number().optional(),
  /** Cubic metres ("Объём"); one number, not dimensions. */
  volume: z.number().optional(),
  variantsCount: z.number().optional(),
  weighed: z.boolean().optional(),
  uom: msRefSchema.optional(),
  packs: z
    .array(
      z.object({
        id: z.string().optional(),
        quantity: z.number().optional(),
        barcodes: z.array(msBarcodeSchema).optional(),
      }),
    )
    .optional(),
});
export type MsProduct = z.infer<typeof msProductSchema>;

/** The parent product of a variant: expanded (`expand=...product`) or only a reference. */
export const msProductRefOrExpandedSchema = z.union([msProductSchema, msRefSchema]);

export const msVariantSchema = z.object({
  ...assortmentCommon,
  /** "Артикул модификации": the variant's own article, often left empty. */
  article: z.string().optional(),
  buyPrice: msPriceSchema.optional(),
  characteristics: z.array(msCharacteristicSchema).optional(),
  product: msProductRefOrExpandedSchema,
});
export type MsVariant = z.infer<typeof msVariantSchema>;

export const msBundleSchema = z.object({
  ...assortmentCommon,
  article: z.string().optional(),
  weight: z.number().optional(),
  volume: z.number().optional(),
  components: msMetaArraySchema(z.unknown()).optional(),
});
export type MsBundle = z.infer<typeof msBundleSchema>;

export const msServiceSchema = z.object({
  ...assortmentCommon,
  buyPrice: msPriceSchema.optional(),
});
export type MsService = z.infer<typeof msServiceSchema>;

export const MS_ASSORTMENT_TYPES = ['product', 'variant', 'bundle', 'service', 'consignment'] as const;
export type MsAssortmentType = (typeof MS_ASSORTMENT_TYPES)[number];

/**
 * One row of `/entity/assortment` or one expanded `position.assortment`: any of product, variant,
 * bundle, service or consignment, told apart by `meta.type`. One permissive shape (every kind's fields
 * optional) instead of a union, so a kind MoySklad adds later still parses and is reported by the
 * mapper as "not a storable product" rather than failing the whole document.
 */
export const msAssortmentSchema = z.object({
  ...assortmentCommon,
  name: z.string(),
  article: z.string().optional(),
  buyPrice: msPriceSchema.optional(),
  weight: z.number().optional(),
  volume: z.number().optional(),
  characteristics: z.array(msCharacteristicSchema).optional(),
  /** Variants: the parent product (expanded or reference). */
  product: msProductRefOrExpandedSchema.optional(),
  /** Consignments: the product or variant the batch belongs to. */
  assortment: msRefSchema.optional(),
  /** Legacy assortment endpoint only. */
  stock: z.number().optional(),
});
export type MsAssortment = z.infer<typeof msAssortmentSchema>;

/** A position's assortment: expanded (has `id`, `name`, …) or only the reference. */
export const msAssortmentRefOrExpandedSchema = z.union([msAssortmentSchema, msRefSchema]);
export type MsAssortmentRefOrExpanded = z.infer<typeof msAssortmentRefOrExpandedSchema>;

export function isExpandedAssortment(value: MsAssortmentRefOrExpanded): value is MsAssortment {
  return typeof (value as MsAssortment).id === 'string' && typeof (value as MsAssortment).name === 'string';
}

// ------------------------------------------------------------------ dictionaries

export const msStoreSchema = z.object({
  meta: msEntityMetaSchema,
  id: z.string(),
  name: z.string(),
  code: z.string().optional(),
  externalCode: z.string().optional(),
  archived: z.boolean().optional(),
  address: z.string().optional(),
  pathName: z.string().optional(),
});
export type MsStore = z.infer<typeof msStoreSchema>;

export const msOrganizationSchema = z.object({
  meta: msEntityMetaSchema,
  id: z.string(),
  name: z.string(),
  code: z.string().optional(),
  externalCode: z.string().optional(),
  archived: z.boolean().optional(),
  inn: z.string().optional(),
  legalTitle: z.string().optional(),
});
export type MsOrganization = z.infer<typeof msOrganizationSchema>;

export const msCounterpartySchema = msOrganizationSchema.extend({
  companyType: z.string().optional(),
  email: z.string().optional(),
  phone: z.string().optional(),
});
export type MsCounterparty = z.infer<typeof msCounterpartySchema>;

export const MS_STATE_TYPES = ['Regular', 'Successful', 'Unsuccessful'] as const;
export type MsStateType = (typeof MS_STATE_TYPES)[number];

export const msStateSchema = z.object({
  meta: msEntityMetaSchema,
  id: z.string(),
  accountId: z.string().optional(),
  name: z.string(),
  /** ARGB packed into an integer (rgb(162,198,23) → 10667543). */
  color: z.number(),
  /** Known values in MS_STATE_TYPES; kept a string so a new kind does not break reading. */
  stateType: z.string(),
  entityType: z.string().optional(),
});
export type MsState = z.infer<typeof msStateSchema>;

/** `GET /entity/{supply|move}/metadata`. */
export const msEntityMetadataSchema = z.object({
  meta: msMetaSchema,
  states: z.array(msStateSchema).default([]),
  attributes: z.unknown().optional(),
  createShared: z.boolean().optional(),
});
export type MsEntityMetadata = z.infer<typeof msEntityMetadataSchema>;

// ------------------------------------------------------------------ documents and positions

/** A position of a supply (`supplyposition`) or a move (`moveposition`). */
export const msPositionSchema = z.object({
  meta: msMetaSchema.optional(),
  id: z.string(),
  accountId: z.string().optional(),
  quantity: z.number(),
  /** Kopecks per unit. */
  price: z.number().optional(),
  discount: z.number().optional(),
  vat: z.number().optional(),
  vatEnabled: z.boolean().optional(),
  assortment: msAssortmentRefOrExpandedSchema,
  pack: z.unknown().optional(),
  things: z.array(z.string()).optional(),
  /** Read-only: the document's overhead distributed over its positions. */
  overhead: z.number().optional(),
  /** Supply only: customs declaration `{ name }` and country of origin (a reference). */
  gtd: z.unknown().optional(),
  country: z.unknown().optional(),
  /** Move only. */
  sourceSlot: msRefSchema.optional(),
  targetSlot: msRefSchema.optional(),
  /** Supply only. */
  slot: msRefSchema.optional(),
});
export type MsPosition = z.infer<typeof msPositionSchema>;

/** A position's `state` is a reference; `expand=state` gives the full state (extra keys drop). */
const stateRefSchema = z.object({ meta: msEntityMetaSchema, name: z.string().optional(), id: z.string().optional() });

const documentCommon = {
  meta: msEntityMetaSchema,
  id: z.string(),
  accountId: z.string().optional(),
  name: z.string(),
  moment: z.string().optional(),
  applicable: z.boolean().optional(),
  description: z.string().optional(),
  code: z.string().optional(),
  externalCode: z.string().optional(),
  created: z.string().optional(),
  updated: z.string().optional(),
  deleted: z.string().optional(),
  sum: z.number().optional(),
  state: stateRefSchema.optional(),
  organization: msRefSchema.optional(),
  owner: msRefSchema.optional(),
  /** Owner's group and sharing: what OWN_GROUP and …_SHARED rights scopes are checked against. */
  group: msRefSchema.optional(),
  shared: z.boolean().optional(),
  project: msRefSchema.optional(),
  attributes: z.array(z.unknown()).optional(),
  positions: msMetaArraySchema(msPositionSchema).optional(),
};

export const msSupplySchema = z.object({
  ...documentCommon,
  store: msRefSchema.optional(),
  agent: msRefSchema.optional(),
  incomingNumber: z.string().optional(),
  incomingDate: z.string().optional(),
  vatEnabled: z.boolean().optional(),
  vatIncluded: z.boolean().optional(),
});
export type MsSupply = z.infer<typeof msSupplySchema>;

export const msMoveSchema = z.object({
  ...documentCommon,
  sourceStore: msRefSchema.optional(),
  targetStore: msRefSchema.optional(),
});
export type MsMove = z.infer<typeof msMoveSchema>;

/** Either document, with the fields both share plus each one's store references. */
export const msDocumentSchema = z.object({
  ...documentCommon,
  store: msRefSchema.optional(),
  agent: msRefSchema.optional(),
  sourceStore: msRefSchema.optional(),
  targetStore: msRefSchema.optional(),
  incomingNumber: z.string().optional(),
  incomingDate: z.string().optional(),
});
export type MsDocument = z.infer<typeof msDocumentSchema>;

// ------------------------------------------------------------------ webhooks and audit

export const MS_WEBHOOK_ACTIONS = ['CREATE', 'UPDATE', 'DELETE', 'PROCESSED'] as const;
export type MsWebhookAction = (typeof MS_WEBHOOK_ACTIONS)[number];

export const msWebhookSchema = z.object({
  meta: msEntityMetaSchema,
  id: z.string(),
  accountId: z.string().optional(),
  entityType: z.string(),
  url: z.string(),
  method: z.string().optional(),
  enabled: z.boolean().optional(),
  action: z.string(),
  diffType: z.string().nullable().optional(),
  authorApplication: z.object({ meta: msMetaSchema }).optional(),
});
export type MsWebhook = z.infer<typeof msWebhookSchema>;

/** One row of `GET /entity/{type}/{id}/audit`. */
export const msAuditEventSchema = z.object({
  source: z.string().optional(),
  eventType: z.string(),
  entityType: z.string().optional(),
  uid: z.string().optional(),
  moment: z.string(),
  name: z.string().optional(),
  /** Field name → {oldValue, newValue} (update events); absent on create. */
  diff: z.record(z.string(), z.unknown()).optional(),
  audit: msRefSchema.optional(),
  entity: msRefSchema.optional(),
  objectCount: z.number().optional(),
  additionalInfo: z.string().optional(),
  supportAccess: z.boolean().optional(),
});
export type MsAuditEvent = z.infer<typeof msAuditEventSchema>;

/** The body MoySklad POSTs to a webhook URL. Unsigned: re-read the entity, never trust it. */
export const msWebhookDeliverySchema = z.object({
  auditContext: z.object({ meta: msMetaSchema, moment: z.string().optional(), uid: z.string().optional() }).optional(),
  events: z.array(
    z.object({
      meta: msEntityMetaSchema,
      action: z.string(),
      accountId: z.string(),
      /** Only for UPDATE with diffType FIELDS. */
      updatedFields: z.array(z.string()).optional(),
    }),
  ),
});
export type MsWebhookDelivery = z.infer<typeof msWebhookDeliverySchema>;

// ------------------------------------------------------------------ errors

export const msErrorItemSchema = z.object({
  error: z.string(),
  code: z.number().optional(),
  parameter: z.string().optional(),
  moreInfo: z.string().optional(),
  line: z.number().optional(),
  column: z.number().optional(),
  error_message: z.string().optional(),
  dependencies: z.array(z.unknown()).optional(),
  meta: msMetaSchema.optional(),
});
export type MsErrorItem = z.infer<typeof msErrorItemSchema>;

export const msErrorBodySchema = z.object({ errors: z.array(msErrorItemSchema).min(1) });
export type MsErrorBody = z.infer<typeof msErrorBodySchema>;

// ------------------------------------------------------------------ Vendor API

/**
 * Employee permissions: entity → {view, create, update, …: "ALL" | "OWN" | … | "NO"}; some keys are
 * flags. Values are kept as unknown and interpreted by app-session.ts.
 */
export const msPermissionsSchema = z.record(z.string(), z.unknown());

/** The employee behind a widget/settings page: `POST {vendor}/context/{contextKey}` answer. */
export const msEmployeeContextSchema = z.object({
  meta: msMetaSchema.optional(),
  id: z.string(),
  accountId: z.string(),
  uid: z.string().optional(),
  email: z.string().optional(),
  name: z.string().optional(),
  fullName: z.string().optional(),
  shortFio: z.string().optional(),
  firstName: z.string().optional(),
  lastName: z.string().optional(),
  /** The employee's group (for OWN_GROUP scopes). */
  group: z.object({ meta: msMetaSchema }).optional(),
  permissions: msPermissionsSchema.default({}),
});
export type MsEmployeeContext = z.infer<typeof msEmployeeContextSchema>;

/** One row of `GET /entity/employee?filter=uid=…`: who a login (an audit's or a webhook's `uid`) is. */
export const msEmployeeSchema = z.object({
  id: z.string(),
  uid: z.string().optional(),
  name: z.string().optional(),
  fullName: z.string().optional(),
  shortFio: z.string().optional(),
});
export type MsEmployee = z.infer<typeof msEmployeeSchema>;

/**
 * `GET /entity/employee/{id}/security`: whether the employee may still use MoySklad, the group and the
 * role — a system role by its href (`…/entity/role/admin`, `…/role/cashier`, …) or an individual
 * role with its permissions.
 */
export const msEmployeeSecuritySchema = z.object({
  isActive: z.boolean().optional(),
  group: z.object({ meta: msMetaSchema }).optional(),
  role: z.object({ meta: msMetaSchema, permissions: msPermissionsSchema.nullable().optional() }).optional(),
});
export type MsEmployeeSecurity = z.infer<typeof msEmployeeSecuritySchema>;

export const msAccessSchema = z.object({
  resource: z.string(),
  scope: z.array(z.string()),
  permissions: msPermissionsSchema.optional(),
  access_token: z.string().optional(),
});
export type MsAccess = z.infer<typeof msAccessSchema>;

export const msSubscriptionSchema = z.object({
  tariffId: z.string().optional(),
  tariffName: z.string().optional(),
  trial: z.boolean().optional(),
  expiryMoment: z.string().optional(),
  notForResale: z.boolean().optional(),
  partner: z.boolean().optional(),
});

export const MS_ACTIVATION_CAUSES = ['Install', 'Resume', 'TariffChanged', 'Autoprolongation'] as const;

/**
 * `PUT …/apps/{appId}/{accountId}`. `access` is absent for TariffChanged / Autoprolongation: never
 * read `access[0].access_token` without checking.
 */
export const msActivationBodySchema = z.object({
  appUid: z.string(),
  accountName: z.string(),
  cause: z.string(),
  access: z.array(msAccessSchema).optional(),
  subscription: msSubscriptionSchema.optional(),
});
export type MsActivationBody = z.infer<typeof msActivationBodySchema>;

/** `DELETE …/apps/{appId}/{accountId}`: cause Uninstall or Suspend. */
export const msDeactivationBodySchema = z.object({
  appUid: z.string().optional(),
  accountName: z.string().optional(),
  cause: z.string(),
});
export type MsDeactivationBody = z.infer<typeof msDeactivationBodySchema>;

/** `POST …/{accountId}/scenario`. objectType is the JSON API entity name (the docs' example: "CustomerOrder"). */
export const msScenarioBodySchema = z.object({
  actionName: z.string(),
  actionType: z.string().optional(),
  objectId: z.string(),
  objectType: z.string(),
});
export type MsScenarioBody = z.infer<typeof msScenarioBodySchema>;

/** `PUT …/{accountId}/event` (declared additionalEvents): PermissionsChanged with the new access, no token. */
export const msEventBodySchema = z.object({
  appUid: z.string().optional(),
  accountName: z.string().optional(),
  cause: z.string(),
  access: z.array(msAccessSchema).optional(),
});
export type MsEventBody = z.infer<typeof msEventBodySchema>;

export const MS_INSTALLATION_STATUSES = [
  'Activating',
  'ActivationFailed',
  'SettingsRequired',
  'Activated',
  'Deactivating',
  'DeactivationFailed',
  'Suspended',
] as const;

/** `GET {vendor}/apps/{appId}/{accountId}/status`. */
export const msInstallationStatusSchema = z.object({
  status: z.string(),
  cause: z.string().optional(),
  subscription: msSubscriptionSchema.optional(),
  access: z.array(msAccessSchema).optional(),
});
export type MsInstallationStatus = z.infer<typeof msInstallationStatusSchema>;

/**
 * Options, runtime configuration and persisted-state types of the MoySklad simulator.
 * The persisted state is plain JSON (no Maps, no Dates) so that `stateFile` can be a straight dump.
 */

export interface SolutionConfig {
  /** The solution's appId (UUID) in MoySklad's catalogue. */
  appId: string;
  /** The solution's appUid, e.g. `betapro-bridge.acme`. Used as JWT `sub` and in audit uids. */
  appUid: string;
  /** Shared HS256 secret (MoySklad's "secretKey" of the solution). */
  secretKey: string;
  /** The app's public base URL (= descriptor `endpointBase`); widgets, settings and vendor endpoints hang off it. */
  appBaseUrl: string;
  /** Human-readable solution name (for `GET /context/application`). */
  name?: string;
}

export interface RateLimitConfig {
  /** Requests allowed per window per account (MoySklad: 45 per 3 s for a published solution token). */
  requests: number;
  /** Window length in ms (MoySklad: 3000). */
  windowMs: number;
  /** Concurrent requests per account (MoySklad: 5 per user/solution). */
  parallel: number;
}

export interface ScenarioRetryConfig {
  /** Attempts after the first one on non-2xx/timeouts (MoySklad retries for 24 h; kept short here). */
  retries: number;
  delayMs: number;
}

export interface SimConfig {
  rateLimit: RateLimitConfig;
  /** How long a webhook receiver may take before the attempt counts as failed (MoySklad: 1500 ms). */
  webhookTimeoutMs: number;
  /** Immediate re-attempts after a failed webhook delivery (MoySklad: 3). */
  webhookRetries: number;
  /** Globally switch webhook delivery off (events are still logged as `suppressed`). */
  webhooksEnabled: boolean;
  scenarioRetry: ScenarioRetryConfig;
  /** Timeout of lifecycle and scenario calls to the app (MoySklad: 10 s). */
  appCallTimeoutMs: number;
  /** Artificial latency added to each JSON API request while it counts as "in flight" (tests of the parallel limit). */
  responseDelayMs: number;
  /** Lifetime of context keys issued to iframes (MoySklad: 5 minutes). */
  contextKeyTtlMs: number;
}

export interface SimulatorOptions {
  port?: number;
  host?: string;
  /** Persist the whole state as JSON here; loaded on start so that a demo restart keeps its data. */
  stateFile?: string;
  solution: SolutionConfig;
  rateLimit?: Partial<RateLimitConfig>;
  webhookTimeoutMs?: number;
  config?: Partial<Omit<SimConfig, 'rateLimit'>>;
  /** Log one line per request to stderr. */
  verbose?: boolean;
}

export type DocType = 'supply' | 'move' | 'purchasereturn';
export type EntityType = DocType | 'product' | 'variant' | 'bundle' | 'service' | 'store' | 'organization' | 'counterparty';
export type EmployeeKind = 'admin' | 'clerk' | 'clerk-readonly' | 'clerk-nosupply';

/** A stored reference to another object; serialised as `{meta}` (or expanded) with the current base URL. */
export interface Ref {
  $ref: EntityType | 'state' | 'variantcharacteristic';
  id: string;
}

export interface PositionRec {
  id: string;
  quantity: number;
  price: number;
  discount: number;
  vat: number;
  vatEnabled: boolean;
  assortment: Ref;
  /** Other writable position fields kept verbatim (things, gtd, country, pack, slots ...). */
  extra: Record<string, unknown>;
}

export interface EntityRec {
  id: string;
  type: EntityType;
  created: string;
  updated: string;
  /** Writable fields; references are stored as Ref. */
  fields: Record<string, unknown>;
  /** Documents only. */
  positions?: PositionRec[];
  /** Documents only: the owner (default: the account's admin) and the owner's group, as MoySklad serialises them. */
  ownerId?: string;
  groupId?: string;
}

export interface StateRec {
  id: string;
  entityType: DocType;
  name: string;
  color: number;
  stateType: 'Regular' | 'Successful' | 'Unsuccessful';
}

export interface WebhookRec {
  id: string;
  entityType: string;
  action: 'CREATE' | 'UPDATE' | 'DELETE' | 'PROCESSED';
  url: string;
  method: 'POST';
  enabled: boolean;
  diffType?: 'NONE' | 'FIELDS';
  /** appId of the solution that created it (webhooks created with a solution token). */
  authorAppId?: string;
  /** Set while the solution is suspended: MoySklad disables the solution's webhooks and re-enables them on resume. */
  suspended?: boolean;
}

export interface AuditEventRec {
  contextId: string;
  moment: string;
  uid: string;
  source: string;
  eventType: 'create' | 'update' | 'delete';
  entityType: string;
  entityId: string;
  name: string;
  diff?: Record<string, { oldValue: unknown; newValue: unknown }>;
}

export interface AuditContextRec {
  id: string;
  moment: string;
  uid: string;
  source: string;
  eventType: string;
  entityType: string;
  objectCount: number;
}

export interface EmployeeRec {
  id: string;
  kind: EmployeeKind;
  uid: string;
  email: string;
  firstName: string;
  lastName: string;
  permissions: Record<string, unknown>;
  /** false: the employee's access to MoySklad was switched off (security `isActive`). */
  active?: boolean;
  /** The employee's group (documents of OWN_GROUP scopes). */
  groupId?: string;
}

export type InstallStatus =
  | 'NotInstalled'
  | 'Activating'
  | 'ActivationFailed'
  | 'SettingsRequired'
  | 'Activated'
  | 'Deactivating'
  | 'DeactivationFailed'
  | 'Suspended'
  | 'Uninstalled';

export interface InstallationRec {
  status: InstallStatus;
  cause?: string;
  token?: string;
  tariff: { tariffId: string; tariffName: string; trial: boolean; expiryMoment: string };
  history: Array<{ at: string; action: string; httpStatus: number | null; body: unknown; status: InstallStatus }>;
}

export interface ScenarioRec {
  id: string;
  entityType: DocType;
  /** Fires when a document's state changes to this state (by id or by name). */
  stateId?: string;
  stateName?: string;
  actionName: string;
}

/** A task (`/entity/task`), linked to a document by `operation`. */
export interface TaskRec {
  id: string;
  created: string;
  updated: string;
  description: string;
  done: boolean;
  completed?: string;
  assigneeId: string;
  dueToDate?: string;
  operation?: { type: string; id: string };
  /** The solution whose token created it. */
  authorAppId?: string;
}

export interface AccountRec {
  id: string;
  name: string;
  created: string;
  employees: Record<EmployeeKind, EmployeeRec>;
  entities: Record<string, EntityRec>;
  states: StateRec[];
  webhooks: WebhookRec[];
  auditContexts: AuditContextRec[];
  auditEvents: AuditEventRec[];
  counters: Record<string, number>;
  scenarios: ScenarioRec[];
  installation: InstallationRec;
  /**
   * Stock control («запретить отгрузку отсутствующих товаров»): store id → assortment id → quantity on
   * hand. Absent: no control, every document posts. Set by tests; posting checks it, never changes it.
   */
  stock?: Record<string, Record<string, number>>;
  /** Tasks (absent in states saved before tasks existed). */
  tasks?: TaskRec[];
}

export interface SimState {
  version: 1;
  accounts: Record<string, AccountRec>;
  /** JSON API bearer tokens (solution tokens issued on install/resume). */
  tokens: Record<string, { accountId: string; appId: string; issued: string }>;
  contextKeys: Record<string, { accountId: string; employee: EmployeeKind; expiresAt: number }>;
  /** Vendor API JWT ids already seen, with their expiry (epoch seconds). */
  usedJtis: Record<string, number>;
}

/**
 * Every environment variable the product reads, parsed once by one zod schema. A missing or malformed
 * required value stops the process with a message naming the variable and what it expects.
 */
import { z } from 'zod';

const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');

/** A whole number from the environment within [min, max], with its default and what it tunes. */
const intSetting = (min: number, max: number, fallback: number, description: string) =>
  z.coerce.number().int().min(min).max(max).default(fallback).describe(description);

const urlWithoutTrailingSlash = z.url({ protocol: /^https?$/ }).transform((v) => v.replace(/\/+$/, ''));

export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'a PostgreSQL URL like postgresql://user@host:5432/db')
    .optional()
    .describe('PostgreSQL server; absent means the embedded PGlite database in PGLITE_DIR'),
  PGLITE_DIR: z.string().min(1).default('./data/pglite'),
  APP_BASE_URL: urlWithoutTrailingSlash.describe('public https URL of this app, as in the descriptor'),
  MOYSKLAD_APP_ID: z.string().min(1).describe('solution appId from the MoySklad developer cabinet'),
  MOYSKLAD_APP_UID: z.string().min(1).describe('solution appUid, e.g. betapro-bridge.acme'),
  MOYSKLAD_SECRET_KEY: z.string().min(16).describe('solution secretKey (HS256 key for Vendor API JWTs)'),
  APP_ENCRYPTION_KEY: z
    .string()
    .regex(/^[A-Za-z0-9+/]{43}=$|^[0-9a-fA-F]{64}$/, '32 bytes as base64 (44 chars) or hex (64 chars)')
    .describe('AES-256-GCM key for tokens and passwords at rest'),
  APP_ENCRYPTION_KEYS_PREVIOUS: z
    .string()
    .regex(/^\s*((?:[A-Za-z0-9+/]{43}=|[0-9a-fA-F]{64})\s*(,\s*|$))*$/, 'comma-separated keys, each 32 bytes as base64 or hex')
    .optional()
    .describe('previous APP_ENCRYPTION_KEY values that still decrypt until `npm run keys:rotate` re-sealed everything'),
  MOYSKLAD_API_URL: urlWithoutTrailingSlash.default('https://api.moysklad.ru/api/remap/1.2'),
  MOYSKLAD_VENDOR_API_URL: urlWithoutTrailingSlash.default('https://apps-api.moysklad.ru/api/vendor/1.0'),
  FRAME_ANCESTORS: z
    .string()
    .default('https://online.moysklad.ru https://*.moysklad.ru')
    .describe('space-separated origins allowed to frame the widget and settings pages'),
  BETAPRO_ALLOW_PRIVATE_HOSTS: bool
    .default(false)
    .describe('true allows plain http and loopback/private BetaPRO addresses (demo, tests, a private network)'),
  RUN_WORKER: bool.default(true).describe('run the job worker inside the web process'),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  SWEEP_INTERVAL_SEC: z.coerce
    .number()
    .int()
    .min(1)
    .max(86_400)
    .optional()
    .describe('safety-net sweep interval for every account (default: the per-account setting, 300 s)'),
  STOCK_CHECK_INTERVAL_SEC: intSetting(
    5,
    7 * 86_400,
    86_400,
    'the stock reconciliation check runs this often per account (docs/stock-reconciliation.md)',
  ),
  RECEIPT_CHECK_MIN_INTERVAL_SEC: intSetting(0, 3600, 15, '«Проверить приёмку» at most once per this many seconds per account'),
  APP_SESSION_RIGHTS_TTL_SEC: intSetting(
    1,
    600,
    600,
    "how long an app session trusts the employee's MoySklad rights before re-reading them",
  ),
  DATABASE_POOL_SIZE: intSetting(1, 200, 10, 'PostgreSQL connections per process (web or worker)'),
  DATABASE_POOL_IDLE_SEC: intSetting(
    1,
    86_400,
    300,
    'how long a pooled PostgreSQL connection may stay unused before it is closed (a new one costs the next query a server process)',
  ),
  JOB_POLL_INTERVAL_MS: intSetting(
    10,
    3_600_000,
    500,
    'how often an idle worker looks for due jobs (ms); on PostgreSQL LISTEN/NOTIFY wakes it sooner',
  ),
  WORKER_HEARTBEAT_SEC: intSetting(1, 600, 10, 'how often each worker records that it is alive (seen by /api/health and /api/metrics)'),
  METRICS_TOKEN: z
    .string()
    .min(16)
    .optional()
    .describe('bearer token for /api/metrics (at least 16 characters); unset: /api/metrics answers 404'),
  RETENTION_DAYS: intSetting(1, 3650, 30, 'days finished jobs, processed inbound events and sync events are kept'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type AppConfig = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses an environment; throws ConfigError listing each bad variable and what it expects. */
export function parseConfig(env: Record<string, string | undefined>): AppConfig {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = configSchema.safeParse(cleaned);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = String(issue.path[0] ?? '?');
    const field = configSchema.shape[name as keyof typeof configSchema.shape];
    const expects = field?.description ? ` (${field.description})` : '';
    const what = issue.code === 'invalid_type' && !(name in cleaned) ? 'is required but not set' : issue.message;
    return `${name} ${what}${expects}`;
  });
  throw new ConfigError(problems);
}

let cached: AppConfig | undefined;

/** The process configuration; the first call validates and exits loudly on error outside tests. */
export function getConfig(): AppConfig {
  if (!cached) cached = parseConfig(process.env);
  return cached;
}

/** Keys that seal and open secrets at rest: APP_ENCRYPTION_KEY first (it seals), then the previous ones. */
export function encryptionKeyring(config: AppConfig = getConfig()): string[] {
  const previous = (config.APP_ENCRYPTION_KEYS_PREVIOUS ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean);
  return [config.APP_ENCRYPTION_KEY, ...previous.filter((k) => k !== config.APP_ENCRYPTION_KEY)];
}

/** Tests and scripts that change the environment call this to re-read it. */
export function resetConfigForTests(): void {
  cached = undefined;
}

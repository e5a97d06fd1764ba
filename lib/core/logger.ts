/**
 * Structured JSON logs (pino). Child loggers carry accountId / documentId / jobId so one document's
 * story can be followed across web and worker processes. Secrets are redacted by key name.
 */
import pino from 'pino';

const REDACT_KEYS = [
  'password',
  'token',
  'accessToken',
  'access_token',
  'authorization',
  'Authorization',
  'secret',
  'secretKey',
  'webhookSecret',
  'betaproPassword',
  'appToken',
];

export const logger = pino({
  level: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === 'test' ? 'silent' : 'info'),
  base: { service: 'betapro-bridge', pid: process.pid },
  redact: {
    paths: [...REDACT_KEYS, ...REDACT_KEYS.map((k) => `*.${k}`), ...REDACT_KEYS.map((k) => `*.*.${k}`)],
    censor: '[redacted]',
  },
  timestamp: pino.stdTimeFunctions.isoTime,
});

export type Logger = pino.Logger;

export interface LogContext {
  accountId?: string;
  documentId?: string;
  jobId?: string | number | bigint;
  [key: string]: unknown;
}

export function logFor(context: LogContext): Logger {
  const bindings: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(context)) {
    if (value !== undefined) bindings[key] = typeof value === 'bigint' ? value.toString() : value;
  }
  return logger.child(bindings);
}

import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '@/lib/core/config';

const valid = {
  APP_BASE_URL: 'https://bridge.example.com/',
  MOYSKLAD_APP_ID: 'app-id',
  MOYSKLAD_APP_UID: 'bridge.example',
  MOYSKLAD_SECRET_KEY: 'a-long-enough-secret-key',
  APP_ENCRYPTION_KEY: 'f'.repeat(64),
};

describe('configuration', () => {
  it('applies defaults and normalises URLs', () => {
    const config = parseConfig(valid);
    expect(config.APP_BASE_URL).toBe('https://bridge.example.com');
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.PGLITE_DIR).toBe('./data/pglite');
    expect(config.MOYSKLAD_API_URL).toBe('https://api.moysklad.ru/api/remap/1.2');
    expect(config.MOYSKLAD_VENDOR_API_URL).toBe('https://apps-api.moysklad.ru/api/vendor/1.0');
    expect(config.RUN_WORKER).toBe(true);
  });

  it('names every missing required variable and what it expects', () => {
    let error: unknown;
    try {
      parseConfig({});
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    for (const name of ['APP_BASE_URL', 'MOYSKLAD_APP_ID', 'MOYSKLAD_APP_UID', 'MOYSKLAD_SECRET_KEY', 'APP_ENCRYPTION_KEY']) {
      expect(message).toContain(`${name} is required but not set`);
    }
    expect(message).toContain('AES-256-GCM');
  });

  it('rejects malformed values with the variable name', () => {
    expect(() => parseConfig({ ...valid, DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL .*PostgreSQL URL/);
    expect(() => parseConfig({ ...valid, APP_ENCRYPTION_KEY: 'short' })).toThrow(/APP_ENCRYPTION_KEY .*32 bytes/);
    expect(() => parseConfig({ ...valid, APP_BASE_URL: 'not a url' })).toThrow(/APP_BASE_URL/);
    expect(() => parseConfig({ ...valid, RUN_WORKER: 'maybe' })).toThrow(/RUN_WORKER/);
  });

  it('treats empty strings as unset', () => {
    expect(parseConfig({ ...valid, DATABASE_URL: '' }).DATABASE_URL).toBeUndefined();
  });

  it('reads the pool size, poll interval, heartbeat, retention and metrics token from the environment', () => {
    const defaults = parseConfig(valid);
    expect(defaults).toMatchObject({
      DATABASE_POOL_SIZE: 10,
      JOB_POLL_INTERVAL_MS: 500,
      WORKER_HEARTBEAT_SEC: 10,
      RETENTION_DAYS: 30,
    });
    expect(defaults.METRICS_TOKEN).toBeUndefined();
    const set = parseConfig({
      ...valid,
      DATABASE_POOL_SIZE: '25',
      JOB_POLL_INTERVAL_MS: '60000',
      WORKER_HEARTBEAT_SEC: '5',
      RETENTION_DAYS: '7',
      METRICS_TOKEN: 'scrape-token-0123456789',
    });
    expect(set).toMatchObject({
      DATABASE_POOL_SIZE: 25,
      JOB_POLL_INTERVAL_MS: 60_000,
      WORKER_HEARTBEAT_SEC: 5,
      RETENTION_DAYS: 7,
      METRICS_TOKEN: 'scrape-token-0123456789',
    });
    expect(() => parseConfig({ ...valid, DATABASE_POOL_SIZE: '0' })).toThrow(/DATABASE_POOL_SIZE/);
    expect(() => parseConfig({ ...valid, METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN/);
  });
});

/**
 * BetaPRO FBox simulator for tests, benchmarks and the demo (docs/product.md §9). Never used in production.
 *
 *   const sim = await startBetaproSimulator({ partners: [{ partnerId: '1001', password: 'secret' }] });
 *   // product config: base URL sim.apiUrl, Basic auth 1001:secret
 *   await fetch(`${sim.controlUrl}/indocs/S-1/arrive`, { method: 'POST' });
 */
import type { AddressInfo } from 'node:net';
import { Faults, Stats } from './faults';
import { createSimulatorServer, IMPLEMENTED_OPERATIONS } from './http';
import {
  OPTIONAL_OUTDOC_TYPES,
  QUOTA_NAMES,
  type OptionalOutdocType,
  type PartnerSettings,
  type QuotaBand,
  type RateLimits,
} from './model';
import { RateLimiter } from './rate-limit';
import { BetaproStore } from './store';

export interface BetaproSimulatorOptions {
  /** 0 (default) = a free port. */
  port?: number;
  host?: string;
  /** Persist the state as JSON here and load it on start, so a demo restart keeps its data. */
  stateFile?: string;
  /** Created on start (idempotent; the password of an existing partner is updated). */
  partners?: { partnerId: string; password: string }[];
  /** Quotas for every partner (merged over the generous defaults); GET /settings reports them. */
  rateLimits?: { concurrent_qnt?: number } & { [K in keyof Omit<RateLimits, 'concurrent_qnt'>]?: Partial<QuotaBand> };
  goodsSurplusEnabled?: boolean;
  goodsExpirEnabled?: boolean;
  outdocTypes?: Partial<Record<OptionalOutdocType, boolean>>;
  /** HTTP status of business errors (1000, 1001); 200 by default, as BetaPRO's portal observes. */
  businessErrorHttpStatus?: number;
  /** Clock for document dates (created_at, outdoc_date, arrival). Rate limiting uses the real clock. */
  now?: () => Date;
  /** Randomness for fault injection with rate < 1. */
  random?: () => number;
}

export interface BetaproSimulator {
  /** FBox base URL, e.g. http://127.0.0.1:PORT/grh/api */
  apiUrl: string;
  /** Control API base URL, e.g. http://127.0.0.1:PORT/_sim */
  controlUrl: string;
  consoleUrl: string;
  port: number;
  /** Direct access to the state and the warehouse operations' store (see warehouse.ts). */
  state: BetaproStore;
  faults: Faults;
  stats: Stats;
  close(): Promise<void>;
}

function patch(settings: PartnerSettings, options: BetaproSimulatorOptions): void {
  if (options.goodsSurplusEnabled !== undefined) settings.goods_surplus_enabled = options.goodsSurplusEnabled;
  if (options.goodsExpirEnabled !== undefined) settings.goods_expir_enabled = options.goodsExpirEnabled;
  for (const type of OPTIONAL_OUTDOC_TYPES) {
    const value = options.outdocTypes?.[type];
    if (value !== undefined) settings.outdoc_types[type] = value;
  }
  const limits = options.rateLimits;
  if (limits) {
    if (limits.concurrent_qnt !== undefined) settings.rate_limits.concurrent_qnt = limits.concurrent_qnt;
    for (const name of QUOTA_NAMES) Object.assign(settings.rate_limits[name], limits[name] ?? {});
  }
}

export async function startBetaproSimulator(options: BetaproSimulatorOptions = {}): Promise<BetaproSimulator> {
  const store = new BetaproStore({ now: options.now, stateFile: options.stateFile });
  const config = store.data.config;
  if (options.businessErrorHttpStatus !== undefined) config.business_error_http_status = options.businessErrorHttpStatus;
  patch(config.defaults, options);
  for (const partner of Object.values(store.data.partners)) patch(partner.settings, options);
  for (const { partnerId, password } of options.partners ?? []) store.ensurePartner(partnerId, password);

  const faults = new Faults(options.random);
  const stats = new Stats();
  const server = createSimulatorServer({ store, limiter: new RateLimiter(), faults, stats });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  let closed = false;
  return {
    apiUrl: `${origin}/grh/api`,
    controlUrl: `${origin}/_sim`,
    consoleUrl: `${origin}/_sim/console`,
    port,
    state: store,
    faults,
    stats,
    async close() {
      if (closed) return;
      closed = true;
      store.flush();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Held (`timeout` fault) and keep-alive sockets would otherwise keep close() waiting.
        server.closeAllConnections();
      });
    },
  };
}

export { BetaproStore, IMPLEMENTED_OPERATIONS };
export * as warehouse from './warehouse';
export type { PartnerData, Indoc, Outdoc, OutdocLine, ReceiptItem, SimData } from './model';

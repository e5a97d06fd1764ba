/**
 * Throughput: D documents per account over A accounts, all triggered at once through the widget
 * action (bounded concurrency), workers already running. Window = first trigger → last document
 * "Передан" (its server-side sentAt). Several accounts, each with its own BetaPRO partner, so that
 * MoySklad's per-account limit (45 requests / 3 s) is not what bounds the run; the ceiling it would
 * impose is reported next to the result, with the CPU used by each process during the window.
 */
import { documentView } from '../../test/support/sandbox';
import { betaproCalls, moyskladCalls, resetCounters, settle, type CallCount } from './counters';
import {
  checkIntegrity,
  control,
  createSupply,
  msStateName,
  sleep,
  widgetAction,
  type BenchAccount,
  type BenchSandbox,
  type Integrity,
} from './fixtures';
import { postgresCpuSec, selfCpuSec, treeCpuSec } from './proc';
import { round } from './stats';

export interface ThroughputResult {
  database: 'pglite' | 'postgres';
  /** Worker processes (PGlite: the embedded worker inside the single app process). */
  workers: number;
  workerConcurrency: number;
  /** Delay both simulators added to every API response during the run (0: answers at once). */
  remoteLatencyMs: number;
  accounts: number;
  documents: number;
  positionsPerDocument: number;
  windowSec: number;
  transfersPerSec: number;
  moysklad: { calls: number; callsPerTransfer: number; callsPerSec: number; rejected429: number };
  betapro: { calls: number; callsPerTransfer: number; rejected429: number };
  /** What MoySklad's per-account limit alone would allow: accounts × 15 requests/s ÷ calls per transfer. */
  moyskladCeilingTransfersPerSec: number;
  /** CPU seconds used during the window, per process group; `capacity` = cores × window. */
  cpuSec: Record<string, number>;
  integrity: Integrity;
}

export interface CpuSource {
  name: string;
  read(): number;
}

export function cpuSources(groups: Array<{ name: string; pids: number[] }>, withPostgres: boolean): CpuSource[] {
  const sources: CpuSource[] = groups.map((g) => ({
    name: g.name,
    read: () => g.pids.reduce((s, pid) => s + treeCpuSec(pid), 0),
  }));
  sources.push({ name: 'bench+simulators', read: selfCpuSec });
  if (withPostgres) sources.push({ name: 'postgres (whole server)', read: postgresCpuSec });
  return sources;
}

async function pool<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const item = items[next++];
        await fn(item);
      }
    }),
  );
}

export async function measureThroughput(
  sandbox: BenchSandbox,
  options: {
    database: 'pglite' | 'postgres';
    workers: number;
    workerConcurrency: number;
    accounts: Array<{ account: BenchAccount; productIds: string[] }>;
    docsPerAccount: number;
    cpu: CpuSource[];
    cores: number;
    timeoutMs: number;
    /** Response delay of both simulators during the run, like real remotes' (restored to 0 after). */
    remoteLatencyMs?: number;
  },
): Promise<ThroughputResult> {
  const latency = options.remoteLatencyMs ?? 0;
  const docs: Array<{ account: BenchAccount; id: string }> = [];
  for (let d = 0; d < options.docsPerAccount; d++) {
    for (const { account, productIds } of options.accounts) docs.push({ account, id: await createSupply(sandbox, account, productIds) });
  }
  const positions = options.accounts[0].productIds.length;
  await settle(sandbox, 500);
  await resetCounters(sandbox);
  sandbox.moysklad.setConfig({ responseDelayMs: latency });
  await control(sandbox, '/config', { response_delay_ms: latency });
  const cpu0 = options.cpu.map((c) => c.read());
  const t0 = Date.now();
  await pool(docs, 24, async ({ account, id }) => {
    await widgetAction(sandbox, account, id, 'send');
  });
  const deadline = Date.now() + options.timeoutMs;
  let pending = docs;
  while (pending.length && Date.now() < deadline) {
    pending = pending.filter(({ account, id }) => msStateName(sandbox, account, id) !== 'Передан');
    // The simulators share this process: poll sparingly (the window's end is the server-side sentAt).
    if (pending.length) await sleep(250);
  }
  const seenAllAt = Date.now();
  const cpu1 = options.cpu.map((c) => c.read());
  sandbox.moysklad.setConfig({ responseDelayMs: 0 });
  await control(sandbox, '/config', { response_delay_ms: 0 });
  let lastSent = 0;
  for (const { account, id } of docs) {
    const view = await documentView(sandbox, account.adminSession, 'supply', id);
    if (view.sentAt) lastSent = Math.max(lastSent, Date.parse(view.sentAt));
  }
  const end = pending.length ? seenAllAt : Math.min(seenAllAt, lastSent || seenAllAt);
  const windowSec = (end - t0) / 1000;
  await settle(sandbox, 500);
  const ms: CallCount = moyskladCalls(
    sandbox,
    options.accounts.map((a) => a.account.accountId),
  );
  const bp: CallCount = await betaproCalls(
    sandbox,
    options.accounts.map((a) => a.account.partnerId),
  );
  const callsPerTransfer = ms.total / docs.length;
  const cpuSec: Record<string, number> = { capacity: round(options.cores * windowSec, 2) };
  options.cpu.forEach((c, i) => (cpuSec[c.name] = round(cpu1[i] - cpu0[i], 2)));
  return {
    database: options.database,
    workers: options.workers,
    workerConcurrency: options.workerConcurrency,
    remoteLatencyMs: latency,
    accounts: options.accounts.length,
    documents: docs.length,
    positionsPerDocument: positions,
    windowSec: round(windowSec, 2),
    transfersPerSec: round(docs.length / windowSec, 2),
    moysklad: {
      calls: ms.total,
      callsPerTransfer: round(callsPerTransfer, 2),
      callsPerSec: round(ms.total / windowSec, 1),
      rejected429: ms.rejected429,
    },
    betapro: { calls: bp.total, callsPerTransfer: round(bp.total / docs.length, 2), rejected429: bp.rejected429 },
    moyskladCeilingTransfersPerSec: round((options.accounts.length * 15) / Math.max(1, callsPerTransfer), 1),
    cpuSec,
    integrity: await checkIntegrity(sandbox, docs),
  };
}

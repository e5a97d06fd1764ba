/**
 * Call counting from both simulators: MoySklad JSON API requests per account and route (a 429 is a
 * request too; `rejected` counts them by error code), BetaPRO FBox requests per partner and operation
 * (outcome 429 counts the rate-limited ones). Vendor API calls (context, status) are not JSON API
 * calls and are not counted.
 */
import type { BenchSandbox } from './fixtures';
import { sleep } from './fixtures';

export interface CallCount {
  total: number;
  /** GET requests. */
  reads: number;
  /** PUT / POST / DELETE requests. */
  writes: number;
  rejected429: number;
  byRoute: Record<string, number>;
}

const empty = (): CallCount => ({ total: 0, reads: 0, writes: 0, rejected429: 0, byRoute: {} });

function add(count: CallCount, route: string, n: number): void {
  count.total += n;
  count.byRoute[route] = (count.byRoute[route] ?? 0) + n;
  if (route.startsWith('GET ')) count.reads += n;
  else count.writes += n;
}

/** MoySklad requests of the given accounts (all accounts when omitted) since the last reset. */
export function moyskladCalls(sandbox: BenchSandbox, accountIds?: string[]): CallCount {
  const stats = sandbox.moysklad.stats();
  const out = empty();
  for (const [accountId, routes] of Object.entries(stats.requests)) {
    if (accountIds && !accountIds.includes(accountId)) continue;
    for (const [route, n] of Object.entries(routes)) add(out, route, n);
  }
  for (const [accountId, codes] of Object.entries(stats.rejected)) {
    if (accountIds && !accountIds.includes(accountId)) continue;
    out.rejected429 += Object.values(codes).reduce((a, b) => a + b, 0);
  }
  return out;
}

interface BetaproStats {
  total: number;
  partners: Record<string, { total: number; operations: Record<string, number>; outcomes: Record<string, number> }>;
}

export async function betaproStats(sandbox: BenchSandbox): Promise<BetaproStats> {
  const res = await fetch(`${sandbox.betapro.controlUrl}/stats`);
  return (await res.json()) as BetaproStats;
}

/**
 * BetaPRO's FBox "reads": list/get operations are POSTs in FBox (`/goods/list`, `/outdocs/list`), so
 * reads are classified by operation, not by method.
 */
const BETAPRO_READS = [/^GET /, /\/list$/, /\/check$/];

export async function betaproCalls(sandbox: BenchSandbox, partnerIds?: string[]): Promise<CallCount> {
  const stats = await betaproStats(sandbox);
  const out = empty();
  for (const [partnerId, p] of Object.entries(stats.partners)) {
    if (partnerIds && !partnerIds.includes(partnerId)) continue;
    for (const [operation, n] of Object.entries(p.operations)) {
      out.total += n;
      out.byRoute[operation] = (out.byRoute[operation] ?? 0) + n;
      if (BETAPRO_READS.some((re) => re.test(operation))) out.reads += n;
      else out.writes += n;
    }
    out.rejected429 += p.outcomes['429'] ?? 0;
  }
  return out;
}

export async function resetCounters(sandbox: BenchSandbox): Promise<void> {
  sandbox.moysklad.resetStats();
  await fetch(`${sandbox.betapro.controlUrl}/stats/reset`, { method: 'POST' });
}

/**
 * Waits until neither simulator has seen a new request for `quietMs` (bounded by `maxMs`): follow-up
 * calls of a document (e.g. a webhook caused by our own write) are counted before the next step.
 */
export async function settle(sandbox: BenchSandbox, quietMs = 600, maxMs = 15_000): Promise<void> {
  const deadline = Date.now() + maxMs;
  const total = async () => moyskladCalls(sandbox).total + (await betaproStats(sandbox)).total;
  let last = await total();
  let quietSince = Date.now();
  while (Date.now() < deadline) {
    await sleep(100);
    await sandbox.moysklad.idle().catch(() => undefined);
    const now = await total();
    if (now !== last) {
      last = now;
      quietSince = Date.now();
    } else if (Date.now() - quietSince >= quietMs) return;
  }
}

/** Shares and totals of 429 answers over everything counted since the last reset. */
export function addCounts(a: CallCount, b: CallCount): CallCount {
  const out = empty();
  for (const c of [a, b]) {
    out.total += c.total;
    out.reads += c.reads;
    out.writes += c.writes;
    out.rejected429 += c.rejected429;
    for (const [k, v] of Object.entries(c.byRoute)) out.byRoute[k] = (out.byRoute[k] ?? 0) + v;
  }
  return out;
}

/**
 * Warehouse polling in the demo's default settings (scripts/demo.ts: embedded app on PGlite, the
 * account's poll interval 60 s, every other variable at its default): BetaPRO calls per account per
 * hour for an idle account and for one with a task in progress, and final outdoc → «Проведён» on the
 * MoySklad document without «Проверить приёмку» (the wait for the poll is the point here).
 *
 * Compressed schedule: polling is periodic (docs/product.md §8), so an hour's calls are the calls of a
 * shorter window scaled by 3600 / window, as long as the window holds several whole intervals. The
 * window is 180 s (quick: 3 idle intervals, 12 active ones) or 600 s (full). The BetaPRO quota read
 * (GET /settings) happens at most once an hour per account: it is counted once per hour, not scaled.
 */
import { betaproCalls, resetCounters, settle, type CallCount } from './counters';
import { measureTransfer } from './documents';
import { benchAccount, control, createProducts, createSupply, msStateName, sleep, type BenchAccount, type BenchSandbox } from './fixtures';
import { distribution, round, type Distribution } from './stats';

/** The demo's per-account poll interval (scripts/demo.ts saves pollIntervalSec: 60). */
export const DEMO_POLL_INTERVAL_SEC = 60;
/**
 * As lib/sync/receipt/poll-interval.ts has them (REQUESTS_PER_POLL, ACTIVE_POLL_INTERVAL_SEC): copied rather
 * than imported so the bench process loads none of the app's modules; a change there shows in the report
 * as a different time between polls.
 */
const REQUESTS_PER_POLL = 2;
const ACTIVE_POLL_INTERVAL_SEC = 15;
const POLL_ROUTE = 'POST /outdocs/list';
/** Calls that happen at most once an hour per account, whatever the window. */
const HOURLY_ROUTES = [/settings/];

export interface PollingAccountFigures {
  /** BetaPRO calls in the window, by operation. */
  windowCalls: CallCount;
  /** Periodic calls × 3600 / window + hourly calls once. */
  callsPerHour: number;
  /** Mean seconds between polls seen in the window (outdoc lists ÷ lists per poll). */
  meanPollIntervalSec: number | null;
}

export interface PollingResult {
  database: 'pglite';
  pollIntervalSec: number;
  windowSec: number;
  idle: PollingAccountFigures;
  taskInProgress: PollingAccountFigures;
  /** Final goods_supply issued by the warehouse → the MoySklad document in «Проведён», no «check now». */
  outdocToPostedMs: Distribution;
}

function perHour(calls: CallCount, windowSec: number, requestsPerPoll: number): PollingAccountFigures {
  let hourly = 0;
  let periodic = 0;
  for (const [route, n] of Object.entries(calls.byRoute)) {
    if (HOURLY_ROUTES.some((re) => re.test(route))) hourly += Math.min(n, 1);
    else periodic += n;
  }
  // Every poll lists outdocs REQUESTS_PER_POLL times (new ones, correction requests); a busy one also asks
  // for recognitions: polls are counted by their lists.
  const polls = (calls.byRoute[POLL_ROUTE] ?? 0) / requestsPerPoll;
  return {
    windowCalls: calls,
    callsPerHour: round((periodic * 3600) / windowSec + hourly, 1),
    meanPollIntervalSec: polls >= 1 ? round(windowSec / polls, 1) : null,
  };
}

/** One document: transfer, then (at a random point of the poll cycle) the warehouse's final receipt. */
async function outdocToPosted(sandbox: BenchSandbox, account: BenchAccount, productIds: string[], cycleMs: number): Promise<number> {
  const id = await createSupply(sandbox, account, productIds);
  const t = await measureTransfer(sandbox, account, id, { timeoutMs: 60_000, count: false });
  await sleep(Math.random() * cycleMs);
  await control(sandbox, `/indocs/${encodeURIComponent(t.indocId)}/receive?partner=${encodeURIComponent(account.partnerId)}`, {
    final: true,
  });
  const t1 = Date.now();
  const deadline = t1 + 10 * 60_000;
  // The simulator lives in this process: its document state is read without a request, every 50 ms.
  while (msStateName(sandbox, account, id) !== 'Проведён') {
    if (Date.now() > deadline) throw new Error(`polling: document ${id} not «Проведён» 10 min after its outdoc`);
    await sleep(50);
  }
  return Date.now() - t1;
}

export interface PollingPlan {
  windowSec: number;
  minSamples: number;
}

/**
 * Runs on a sandbox started with the demo's environment. Three accounts: idle (no documents), one task
 * in progress (sent, never received), and one that repeats transfer → final receipt for the latency.
 */
export async function measurePolling(sandbox: BenchSandbox, plan: PollingPlan, log: (...args: unknown[]) => void): Promise<PollingResult> {
  const settings = { pollIntervalSec: DEMO_POLL_INTERVAL_SEC };
  const idle = await benchAccount(sandbox, 'poll-idle', settings);
  const busy = await benchAccount(sandbox, 'poll-busy', settings);
  const latency = await benchAccount(sandbox, 'poll-latency', settings);
  const busyProducts = createProducts(sandbox, busy, 'PB', 10);
  const latencyProducts = createProducts(sandbox, latency, 'PL', 10);
  await measureTransfer(sandbox, busy, await createSupply(sandbox, busy, busyProducts), {
    timeoutMs: 60_000,
    count: false,
  });
  // The first poll after a settings change and the busy account's first quota read fall before the window.
  await sleep(DEMO_POLL_INTERVAL_SEC * 1000 + 2_000);
  await settle(sandbox, 400);
  await resetCounters(sandbox);
  const windowStart = Date.now();
  log(`polling: ${plan.windowSec} s window, idle and busy accounts counted, outdoc → «Проведён» samples meanwhile`);
  const samples: number[] = [];
  while (Date.now() - windowStart < plan.windowSec * 1000 || samples.length < plan.minSamples) {
    samples.push(await outdocToPosted(sandbox, latency, latencyProducts, ACTIVE_POLL_INTERVAL_SEC * 1000));
  }
  const left = windowStart + plan.windowSec * 1000 - Date.now();
  if (left > 0) await sleep(left);
  const windowSec = round((Date.now() - windowStart) / 1000, 1);
  const idleCalls = await betaproCalls(sandbox, [idle.partnerId]);
  const busyCalls = await betaproCalls(sandbox, [busy.partnerId]);
  return {
    database: 'pglite',
    pollIntervalSec: DEMO_POLL_INTERVAL_SEC,
    windowSec,
    idle: perHour(idleCalls, windowSec, REQUESTS_PER_POLL),
    taskInProgress: perHour(busyCalls, windowSec, REQUESTS_PER_POLL),
    outdocToPostedMs: distribution(samples),
  };
}

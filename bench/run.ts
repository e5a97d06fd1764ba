/**
 * npm run bench [-- --quick]: drives the real app (production build) and both simulators, and writes
 * bench/results/latest.json + latest.md (and prints the table). See README.md "Benchmarks".
 *
 *  1. Embedded deployment (one app process, web + worker, PGlite): webhook intake at 200 req/s,
 *     throughput over several accounts, trigger → "Передан" / outdoc → "Проведён" latency series,
 *     MoySklad and BetaPRO calls per transfer and per receipt for 10 … 5000 positions.
 *  2. Production shape on PostgreSQL (web with RUN_WORKER=false + `npm run worker` processes):
 *     webhook intake, throughput with 1 and 3 workers, a latency series and the largest document.
 *
 * Environment: NEXT_DIST_DIR (default .next-bench; rebuilt when lib/, app/ changed after the build),
 * BENCH_DATABASE_URL / TEST_DATABASE_URL (PostgreSQL server; default postgresql://postgres@127.0.0.1:5432/postgres).
 */
import '../scripts/load-env';
import { execSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

process.env.NEXT_DIST_DIR ||= '.next-bench';
process.env.TEST_DATABASE_URL ||= process.env.BENCH_DATABASE_URL || 'postgresql://postgres@127.0.0.1:5432/postgres';
const LOG_LEVEL = process.env.BENCH_LOG_LEVEL || 'info';

const { startSandbox } = await import('../test/support/sandbox');
const { startApp, readBuildId } = await import('../test/support/app-server');
const { addCounts, settle } = await import('./lib/counters');
const { benchAccount, checkIntegrity, createProducts, createSupply, sleep } = await import('./lib/fixtures');
const { measureReceipt, measureTransfer } = await import('./lib/documents');
const { measureWebhookIntake } = await import('./lib/webhook');
const { cpuSources, measureThroughput } = await import('./lib/throughput');
const { ensureWorkers, startWorker } = await import('./lib/workers');
const { treeRss, peakRssMb, rssMb, mainProcess, treeCpuSec } = await import('./lib/proc');
const { distribution, round } = await import('./lib/stats');
const { renderMarkdown } = await import('./lib/markdown');
const { SECTIONS } = await import('./lib/sections');
const { loadPrevious } = await import('./lib/previous');

type BenchSandbox = import('./lib/fixtures').BenchSandbox;
type BenchAccount = import('./lib/fixtures').BenchAccount;
type CallCount = import('./lib/counters').CallCount;
type Results = import('./lib/results').BenchResults;
type CallsRow = import('./lib/results').CallsRow;
type LatencySeries = import('./lib/results').LatencySeries;
type ProcessRss = import('./lib/results').ProcessRss;

const ROOT = path.resolve(import.meta.dirname, '..');
const QUICK = process.argv.includes('--quick');
// `--only=webhook,throughput,latency,calls,<registered section>` and/or `--only=pglite|postgres`: a partial
// run while working on one figure; it is written to bench/results/partial.* and leaves latest.* alone.
const ONLY = new Set((process.argv.find((a) => a.startsWith('--only='))?.slice(7) ?? '').split(',').filter(Boolean));
const onlySections = ['webhook', 'throughput', 'latency', 'calls', 'clerk', 'outbound', ...SECTIONS.map((s) => s.name)].filter((n) =>
  ONLY.has(n),
);
const onlyDatabases = ['pglite', 'postgres'].filter((n) => ONLY.has(n));
const want = (section: string, database: 'pglite' | 'postgres') =>
  (!onlySections.length || onlySections.includes(section)) && (!onlyDatabases.length || onlyDatabases.includes(database));
const CORES = os.cpus().length;

const PLAN = QUICK
  ? {
      sizes: [10, 100, 1000],
      latencySamples: 10,
      pgLatencySamples: Number(process.env.BENCH_PG_LATENCY_SAMPLES) || 6,
      webhookSec: 5,
      tpAccounts: 10,
      tpDocsPerAccount: 10,
      tpLatentDocsPerAccount: 6,
      pgLargest: 1000,
    }
  : {
      sizes: [10, 100, 1000, 5000],
      latencySamples: 30,
      // As many as the embedded series: the p95 of 15 samples was their slowest one. BENCH_PG_LATENCY_SAMPLES
      // overrides it (more samples for a partial run).
      pgLatencySamples: Number(process.env.BENCH_PG_LATENCY_SAMPLES) || 30,
      webhookSec: 15,
      tpAccounts: 10,
      tpDocsPerAccount: 30,
      tpLatentDocsPerAccount: 20,
      pgLargest: 5000,
    };
/** Response delay of both simulators in the worker-scaling runs: real remotes answer in tens to hundreds of ms. */
const REMOTE_LATENCY_MS = Number(process.env.REMOTE_LATENCY_MS || 200);
const WEBHOOK_RATE = 200;
const TP_POSITIONS = 10;
const WORKER_CONCURRENCY = Number(process.env.WORKER_CONCURRENCY || 4);

const started = Date.now();
const notes: string[] = [];
const log = (...args: unknown[]) => console.log(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)}s]`, ...args);
let overallMs: CallCount = { total: 0, reads: 0, writes: 0, rejected429: 0, byRoute: {} };
let overallBp: CallCount = { total: 0, reads: 0, writes: 0, rejected429: 0, byRoute: {} };
const countOverall = (ms: CallCount, bp: CallCount) => {
  overallMs = addCounts(overallMs, ms);
  overallBp = addCounts(overallBp, bp);
};

// ------------------------------------------------------------------ build freshness

function newestMtime(dir: string): number {
  let newest = 0;
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  if (existsSync(dir)) walk(dir);
  return newest;
}

function ensureFreshBuild(): void {
  const buildIdFile = path.join(ROOT, process.env.NEXT_DIST_DIR!, 'BUILD_ID');
  const built = existsSync(buildIdFile) ? statSync(buildIdFile).mtimeMs : 0;
  const sources = Math.max(
    newestMtime(path.join(ROOT, 'lib')),
    newestMtime(path.join(ROOT, 'app')),
    ...['next.config.mjs', 'proxy.ts', 'instrumentation.ts', 'package-lock.json'].map((f) =>
      existsSync(path.join(ROOT, f)) ? statSync(path.join(ROOT, f)).mtimeMs : 0,
    ),
  );
  if (!built || sources > built) {
    log(`building the app into ${process.env.NEXT_DIST_DIR} (${built ? 'sources changed since the last build' : 'no build yet'})`);
    process.env.TEST_FORCE_BUILD = '1';
  }
}

function gitDirty(): string[] {
  try {
    return execSync("git status --porcelain -- . ':(exclude)bench/results'", { cwd: ROOT }).toString().split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

// ------------------------------------------------------------------ helpers

const planOf = (n: number, prefix: string) =>
  Array.from({ length: n }, (_, i) => ({ goodId: `${prefix}-${i + 1}`, quantity: 1 + (i % 7) }));

async function warmUp(sandbox: BenchSandbox, accounts: Array<{ account: BenchAccount; productIds: string[] }>): Promise<void> {
  // One transfer per account registers its goods in BetaPRO (later documents have known goods).
  await Promise.all(
    accounts.map(async ({ account, productIds }) => {
      const id = await createSupply(sandbox, account, productIds);
      await measureTransfer(sandbox, account, id, { timeoutMs: 120_000, count: false });
    }),
  );
}

async function latencySeries(
  sandbox: BenchSandbox,
  account: BenchAccount,
  productIds: string[],
  prefix: string,
  sampleCount: number,
  meta: Pick<LatencySeries, 'database' | 'deployment' | 'workers'>,
  docs: Array<{ account: BenchAccount; id: string }>,
): Promise<LatencySeries> {
  const toSent: number[] = [];
  const toPosted: number[] = [];
  const phases = {
    toRequested: [] as number[],
    requestedToTaskCreated: [] as number[],
    taskCreatedToSent: [] as number[],
  };
  const calls = { transferMoysklad: 0, transferBetapro: 0, receiptMoysklad: 0, receiptBetapro: 0 };
  const samples: LatencySeries['samples'] = [];
  for (let i = 0; i < sampleCount; i++) {
    const id = await createSupply(sandbox, account, productIds);
    docs.push({ account, id });
    const t = await measureTransfer(sandbox, account, id, { timeoutMs: 60_000, jitterMs: 500 });
    toSent.push(t.latencyMs);
    // The calls of a sample that made more than the usual 3 MoySklad + 1 BetaPRO, by route.
    const extra = t.moysklad.total > 3 || t.betapro.total > 1;
    samples.push({
      ms: t.latencyMs,
      requested: t.phasesMs.requested,
      taskCreated: t.phasesMs.taskCreated,
      ...(extra ? { calls: { moysklad: t.moysklad.byRoute, betapro: t.betapro.byRoute } } : {}),
    });
    phases.toRequested.push(t.phasesMs.requested);
    phases.requestedToTaskCreated.push(t.phasesMs.taskCreated - t.phasesMs.requested);
    phases.taskCreatedToSent.push(t.phasesMs.sent - t.phasesMs.taskCreated);
    const r = await measureReceipt(sandbox, account, id, t.indocId, planOf(productIds.length, prefix), 'exact', {
      timeoutMs: 60_000,
      jitterMs: 500,
    });
    toPosted.push(r.latencyMs);
    calls.transferMoysklad += t.moysklad.total;
    calls.transferBetapro += t.betapro.total;
    calls.receiptMoysklad += r.moysklad.total;
    calls.receiptBetapro += r.betapro.total;
    countOverall(addCounts(t.moysklad, r.moysklad), addCounts(t.betapro, r.betapro));
  }
  return {
    ...meta,
    positions: productIds.length,
    triggerToSentMs: distribution(toSent),
    triggerToSentPhasesMs: {
      toRequested: distribution(phases.toRequested),
      requestedToTaskCreated: distribution(phases.requestedToTaskCreated),
      taskCreatedToSent: distribution(phases.taskCreatedToSent),
    },
    outdocToPostedMs: distribution(toPosted),
    meanCalls: {
      transferMoysklad: round(calls.transferMoysklad / sampleCount, 2),
      transferBetapro: round(calls.transferBetapro / sampleCount, 2),
      receiptMoysklad: round(calls.receiptMoysklad / sampleCount, 2),
      receiptBetapro: round(calls.receiptBetapro / sampleCount, 2),
    },
    samples,
  };
}

async function callsForSize(
  sandbox: BenchSandbox,
  account: BenchAccount,
  n: number,
  database: 'pglite' | 'postgres',
  docs: Array<{ account: BenchAccount; id: string }>,
): Promise<CallsRow[]> {
  const prefix = `N${n}`;
  const productIds = createProducts(sandbox, account, prefix, n);
  const plan = planOf(n, prefix);
  const timeoutMs = 60_000 + n * 60;
  const first = await createSupply(sandbox, account, productIds);
  const second = await createSupply(sandbox, account, productIds);
  docs.push({ account, id: first }, { account, id: second });
  log(`calls: ${n} positions, new goods — transfer`);
  const tNew = await measureTransfer(sandbox, account, first, { timeoutMs });
  log(`calls: ${n} positions, known goods — transfer`);
  const tKnown = await measureTransfer(sandbox, account, second, { timeoutMs });
  log(`calls: ${n} positions — receipt with differences`);
  const rDiff = await measureReceipt(sandbox, account, first, tNew.indocId, plan, 'differences', { timeoutMs });
  log(`calls: ${n} positions — receipt as planned`);
  const rExact = await measureReceipt(sandbox, account, second, tKnown.indocId, plan, 'exact', { timeoutMs });
  for (const step of [tNew, tKnown, rDiff, rExact]) countOverall(step.moysklad, step.betapro);
  for (const step of [tNew, tKnown, rDiff, rExact]) {
    if (step.moysklad.byRoute['GET /entity/supply'] || step.moysklad.byRoute['GET /entity/move']) {
      notes.push(`calls ${n} positions: a document list (safety-net sweep) fell into a measured step and is counted`);
    }
  }
  return [
    {
      database,
      positions: n,
      goods: 'new',
      transfer: { moysklad: tNew.moysklad, betapro: tNew.betapro, latencyMs: tNew.latencyMs },
      receipt: { kind: 'differences', moysklad: rDiff.moysklad, betapro: rDiff.betapro, latencyMs: rDiff.latencyMs },
    },
    {
      database,
      positions: n,
      goods: 'known',
      transfer: { moysklad: tKnown.moysklad, betapro: tKnown.betapro, latencyMs: tKnown.latencyMs },
      receipt: { kind: 'exact', moysklad: rExact.moysklad, betapro: rExact.betapro, latencyMs: rExact.latencyMs },
    },
  ];
}

function bottleneckOf(tp: import('./lib/throughput').ThroughputResult): string {
  const used =
    Object.entries(tp.cpuSec)
      .filter(([k]) => k !== 'capacity' && !k.startsWith('postgres'))
      .reduce((s, [, v]) => s + v, 0) + (tp.cpuSec['postgres (whole server)'] ?? 0);
  const cpuShare = used / Math.max(0.001, tp.cpuSec.capacity);
  // The simulators run in the bench's own process: one thread, so one core is all they can have.
  const simulators = tp.cpuSec['bench+simulators'] ?? 0;
  if (simulators >= 0.8 * tp.windowSec)
    return `the simulators: the bench process (both simulators, one thread) was ${Math.round((simulators / tp.windowSec) * 100)} % busy`;
  if (tp.transfersPerSec >= 0.8 * tp.moyskladCeilingTransfersPerSec)
    return `MoySklad per-account rate limit (${tp.transfersPerSec}/s of a ${tp.moyskladCeilingTransfersPerSec}/s ceiling)`;
  if (cpuShare >= 0.85)
    return `CPU: ${Math.round(cpuShare * 100)} % of ${CORES} cores busy (app, workers, PostgreSQL and the simulators share them); not the simulators' rate limits (${tp.transfersPerSec}/s of a ${tp.moyskladCeilingTransfersPerSec}/s MoySklad ceiling)`;
  return `workers (job concurrency ${tp.workerConcurrency} × ${tp.workers}); CPU ${Math.round(cpuShare * 100)} % busy, MoySklad ceiling ${tp.moyskladCeilingTransfersPerSec}/s`;
}

// ------------------------------------------------------------------ run

const results: Results = {
  schema: 1,
  mode: QUICK ? 'quick' : 'full',
  startedAt: new Date(started).toISOString(),
  durationSec: 0,
  environment: {
    node: process.version,
    cpus: CORES,
    memoryMb: Math.round(os.totalmem() / 1024 / 1024),
    commit: (() => {
      try {
        return execSync('git rev-parse --short HEAD', { cwd: ROOT }).toString().trim();
      } catch {
        return 'unknown';
      }
    })(),
    buildId: null,
    nextDistDir: process.env.NEXT_DIST_DIR!,
    postgres: null,
    moyskladRateLimit: { requests: 45, windowMs: 3000, parallel: 5 },
    workerConcurrency: WORKER_CONCURRENCY,
    logLevel: LOG_LEVEL,
    loadAverage: { start: round(os.loadavg()[0], 2), end: 0 },
  },
  calls: [],
  latency: [],
  webhookIntake: [],
  throughput: [],
  postgresScaling3over1: null,
  postgresScaling3over1NoLatency: null,
  rateLimited: {
    moysklad: { calls: 0, rejected429: 0, share: 0 },
    betapro: { calls: 0, rejected429: 0, share: 0 },
    total: { calls: 0, rejected429: 0, share: 0 },
  },
  rss: [],
  rssTimeline: [],
  integrity: { documents: 0, lost: 0, duplicated: 0, runs: [] },
  targets: [],
  notes,
};
const largest = new Map<string, number>();
const addRss = (role: string, database: ProcessRss['database'], pid: number) => {
  const tree = treeRss(pid);
  results.rss.push({
    role,
    database,
    peakRssMb: tree.peakRssMb,
    largestDocumentPositions: largest.get(role) ?? 0,
    processes: tree.processes.map((p) => ({ pid: p.pid, comm: p.comm, peakRssMb: p.peakRssMb })),
  });
};
const tracked: Array<{ role: string; pid: number }> = [];
const sampleRss = (after: string) => {
  for (const { role, pid } of tracked) {
    const main = mainProcess(pid);
    results.rssTimeline.push({ after, role, peakRssMb: peakRssMb(main) ?? 0, rssMb: rssMb(main) ?? 0 });
  }
  results.rssTimeline.push({
    after,
    role: 'bench (+ both simulators)',
    peakRssMb: peakRssMb(process.pid) ?? 0,
    rssMb: rssMb(process.pid) ?? 0,
  });
};
const addIntegrity = (run: string, integrity: import('./lib/fixtures').Integrity) => {
  results.integrity.runs.push({ run, ...integrity });
  results.integrity.documents += integrity.documents;
  results.integrity.lost += integrity.lost;
  results.integrity.duplicated += integrity.duplicated;
};

// `npm run bench` must leave the working tree as it found it (a build once rewrote tsconfig.json): what
// changed besides bench/results is named in the notes.
const dirtyAtStart = new Set(gitDirty());
ensureFreshBuild();
const APP_ENV = { SWEEP_INTERVAL_SEC: '3600', LOG_LEVEL, WORKER_CONCURRENCY: String(WORKER_CONCURRENCY) };

// ---------------- 1. embedded: PGlite, one process
if (['webhook', 'throughput', 'latency', 'calls', 'outbound'].some((section) => want(section, 'pglite'))) {
  log(`mode ${results.mode}; embedded app on PGlite`);
  const sandbox = await startSandbox({ appEnv: APP_ENV });
  results.environment.buildId = readBuildId() ?? null;
  tracked.splice(0, tracked.length, { role: 'app', pid: sandbox.app.process.pid! });
  const appCpu = () => treeCpuSec(sandbox.app.process.pid!);
  try {
    sampleRss('app started');
    const callsAccounts: Array<{ n: number; account: BenchAccount }> = [];
    for (const n of PLAN.sizes) callsAccounts.push({ n, account: await benchAccount(sandbox, `calls-${n}`) });
    const installedAt = Date.now();
    const latencyAccount = await benchAccount(sandbox, 'latency');
    const latencyProducts = createProducts(sandbox, latencyAccount, 'LAT', 10);
    const tpAccounts: Array<{ account: BenchAccount; productIds: string[] }> = [];
    for (let i = 0; i < PLAN.tpAccounts; i++) {
      const account = await benchAccount(sandbox, `tp-${i + 1}`);
      tpAccounts.push({ account, productIds: createProducts(sandbox, account, `TP${i + 1}`, TP_POSITIONS) });
    }
    log(`${callsAccounts.length + 1 + tpAccounts.length} accounts installed; warm-up transfers`);
    if (want('throughput', 'pglite') || want('latency', 'pglite')) {
      await warmUp(sandbox, [{ account: latencyAccount, productIds: latencyProducts }, ...tpAccounts]);
      sampleRss('accounts installed, warm-up transfers');
    }

    if (want('webhook', 'pglite')) {
      log(`webhook intake: ${WEBHOOK_RATE} req/s for ${PLAN.webhookSec} s`);
      results.webhookIntake.push(
        await measureWebhookIntake(sandbox, latencyAccount, latencyProducts, 'pglite', WEBHOOK_RATE, PLAN.webhookSec, appCpu),
      );
      await settle(sandbox, 1000, 60_000);
      sampleRss('webhook intake');
    }

    if (want('throughput', 'pglite')) {
      log(`throughput: ${tpAccounts.length} accounts × ${PLAN.tpDocsPerAccount} documents`);
      const tp = await measureThroughput(sandbox, {
        database: 'pglite',
        workers: 1,
        workerConcurrency: WORKER_CONCURRENCY,
        accounts: tpAccounts,
        docsPerAccount: PLAN.tpDocsPerAccount,
        cpu: cpuSources([{ name: 'app (web+worker)', pids: [sandbox.app.process.pid!] }], false),
        cores: CORES,
        timeoutMs: 300_000,
      });
      countOverall(
        { total: tp.moysklad.calls, reads: 0, writes: 0, rejected429: tp.moysklad.rejected429, byRoute: {} },
        { total: tp.betapro.calls, reads: 0, writes: 0, rejected429: tp.betapro.rejected429, byRoute: {} },
      );
      results.throughput.push({ ...tp, bottleneck: bottleneckOf(tp) });
      addIntegrity('throughput pglite', tp.integrity);
      sampleRss('throughput');
    }

    const latencyDocs: Array<{ account: BenchAccount; id: string }> = [];
    if (want('latency', 'pglite')) {
      log(`latency series: ${PLAN.latencySamples} documents of 10 positions`);
      results.latency.push(
        await latencySeries(
          sandbox,
          latencyAccount,
          latencyProducts,
          'LAT',
          PLAN.latencySamples,
          { database: 'pglite', deployment: 'embedded', workers: 1 },
          latencyDocs,
        ),
      );
      sampleRss('latency series');
    }

    // The first safety-net sweep of an account runs ≤ 60 s after its installation; let it pass so it
    // does not land inside a measured transfer.
    const wait = want('calls', 'pglite') ? installedAt + 62_000 - Date.now() : 0;
    if (wait > 0) {
      log(`waiting ${Math.round(wait / 1000)} s for the accounts' first sweep to pass`);
      await sleep(wait);
    }
    const callDocs: Array<{ account: BenchAccount; id: string }> = [];
    for (const { n, account } of want('calls', 'pglite') ? callsAccounts : []) {
      results.calls.push(...(await callsForSize(sandbox, account, n, 'pglite', callDocs)));
      sampleRss(`calls ${n} positions`);
    }
    if (want('outbound', 'pglite')) {
      // Outbound moves (docs/outbound.md), reported next to the inbound calls: bench/lib/outbound.ts.
      const { measureOutbound, outboundNotes } = await import('./lib/outbound');
      const rows = [];
      for (const n of [10, 1000]) {
        log(`outbound: a move of ${n} positions out of the BetaPRO store`);
        const account = await benchAccount(sandbox, `out-${n}`);
        rows.push(await measureOutbound(sandbox, account, createProducts(sandbox, account, `OUT${n}`, n), planOf(n, `OUT${n}`)));
      }
      notes.push(...outboundNotes(rows));
    }
    if (want('calls', 'pglite')) largest.set('app', Math.max(...PLAN.sizes));
    addIntegrity('latency + calls pglite', await checkIntegrity(sandbox, [...latencyDocs, ...callDocs], 'Проведён'));
    addRss('app', 'pglite', sandbox.app.process.pid!);
  } finally {
    await sandbox.stop();
  }
}

// ---------------- 2. production shape: PostgreSQL, web + worker processes
let postgresUp = false;
try {
  const client = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
  await client.connect();
  results.environment.postgres = String((await client.query('SHOW server_version')).rows[0].server_version);
  await client.end();
  postgresUp = true;
} catch (error) {
  notes.push(`PostgreSQL not reachable at ${process.env.TEST_DATABASE_URL}: ${(error as Error).message}; the PostgreSQL part was skipped`);
}
if (postgresUp && ['webhook', 'throughput', 'latency', 'calls'].some((section) => want(section, 'postgres'))) {
  const { createMigratedPostgresDatabase } = await import('../test/support/db');
  const database = await createMigratedPostgresDatabase('bridge_bench');
  log('PostgreSQL: web process (RUN_WORKER=false) + worker processes');
  const sandbox = await startSandbox({ startApp: false, databaseUrl: database.url });
  const workers: Array<Awaited<ReturnType<typeof startWorker>>> = [];
  try {
    sandbox.app = await startApp({
      port: sandbox.appPort,
      env: { ...sandbox.appEnv, ...APP_ENV, RUN_WORKER: 'false' },
    });
    workers.push(await startWorker(sandbox, APP_ENV));
    tracked.splice(0, tracked.length, { role: 'web', pid: sandbox.app.process.pid! }, { role: 'worker-1', pid: workers[0].pid });
    sampleRss('web and worker-1 started');
    const latencyAccount = await benchAccount(sandbox, 'pg-latency');
    const latencyProducts = createProducts(sandbox, latencyAccount, 'PLAT', 10);
    const largeAccount = await benchAccount(sandbox, 'pg-large');
    const tpAccounts: Array<{ account: BenchAccount; productIds: string[] }> = [];
    for (let i = 0; i < PLAN.tpAccounts; i++) {
      const account = await benchAccount(sandbox, `pg-tp-${i + 1}`);
      tpAccounts.push({ account, productIds: createProducts(sandbox, account, `PTP${i + 1}`, TP_POSITIONS) });
    }
    if (want('throughput', 'postgres') || want('latency', 'postgres')) {
      log('warm-up transfers');
      await warmUp(sandbox, [{ account: latencyAccount, productIds: latencyProducts }, ...tpAccounts]);
      sampleRss('accounts installed, warm-up transfers');
    }

    if (want('webhook', 'postgres')) {
      log(`webhook intake (web process, 1 worker draining): ${WEBHOOK_RATE} req/s for ${PLAN.webhookSec} s`);
      results.webhookIntake.push(
        await measureWebhookIntake(sandbox, latencyAccount, latencyProducts, 'postgres', WEBHOOK_RATE, PLAN.webhookSec, () =>
          treeCpuSec(sandbox.app.process.pid!),
        ),
      );
      await settle(sandbox, 1000, 60_000);
      sampleRss('webhook intake');
    }

    const runThroughput = async (count: number, remoteLatencyMs = 0) => {
      const docsPerAccount = remoteLatencyMs ? PLAN.tpLatentDocsPerAccount : PLAN.tpDocsPerAccount;
      log(
        `throughput: ${count} worker(s), ${tpAccounts.length} accounts × ${docsPerAccount} documents, remote latency ${remoteLatencyMs} ms`,
      );
      const tp = await measureThroughput(sandbox, {
        database: 'postgres',
        workers: count,
        workerConcurrency: WORKER_CONCURRENCY,
        accounts: tpAccounts,
        docsPerAccount,
        remoteLatencyMs,
        cpu: cpuSources(
          [
            { name: 'web', pids: [sandbox.app.process.pid!] },
            { name: 'workers', pids: workers.map((w) => w.pid) },
          ],
          true,
        ),
        cores: CORES,
        timeoutMs: 300_000,
      });
      countOverall(
        { total: tp.moysklad.calls, reads: 0, writes: 0, rejected429: tp.moysklad.rejected429, byRoute: {} },
        { total: tp.betapro.calls, reads: 0, writes: 0, rejected429: tp.betapro.rejected429, byRoute: {} },
      );
      results.throughput.push({ ...tp, bottleneck: bottleneckOf(tp) });
      addIntegrity(`throughput postgres ${count} worker(s), remote latency ${remoteLatencyMs} ms`, tp.integrity);
      sampleRss(`throughput ${count} worker(s), remote latency ${remoteLatencyMs} ms`);
      return tp;
    };
    const one = want('throughput', 'postgres') ? await runThroughput(1) : null;
    const oneLatent = want('throughput', 'postgres') ? await runThroughput(1, REMOTE_LATENCY_MS) : null;

    const latencyDocs: Array<{ account: BenchAccount; id: string }> = [];
    if (want('latency', 'postgres')) {
      log(`latency series (1 worker process): ${PLAN.pgLatencySamples} documents`);
      results.latency.push(
        await latencySeries(
          sandbox,
          latencyAccount,
          latencyProducts,
          'PLAT',
          PLAN.pgLatencySamples,
          { database: 'postgres', deployment: 'workers', workers: 1 },
          latencyDocs,
        ),
      );
      sampleRss('latency series');
    }

    const largeDocs: Array<{ account: BenchAccount; id: string }> = [];
    if (want('calls', 'postgres')) {
      log(`largest document on the worker: ${PLAN.pgLargest} positions`);
      const rows = await callsForSize(sandbox, largeAccount, PLAN.pgLargest, 'postgres', largeDocs);
      results.calls.push(...rows);
      largest.set('worker-1', PLAN.pgLargest);
      largest.set('web', PLAN.pgLargest);
    }
    addIntegrity('latency + largest postgres', await checkIntegrity(sandbox, [...latencyDocs, ...largeDocs], 'Проведён'));
    sampleRss(`calls ${PLAN.pgLargest} positions`);

    if (one && oneLatent) {
      workers.push(await startWorker(sandbox, APP_ENV), await startWorker(sandbox, APP_ENV));
      tracked.push({ role: 'worker-2', pid: workers[1].pid }, { role: 'worker-3', pid: workers[2].pid });
      // Fresh processes run their first jobs cold (module loading, JIT): warm the new workers up first.
      log('warm-up transfers for the new workers');
      for (let round = 0; round < 2; round++) await warmUp(sandbox, tpAccounts);
      const three = await runThroughput(3);
      const threeLatent = await runThroughput(3, REMOTE_LATENCY_MS);
      results.postgresScaling3over1 = round(threeLatent.transfersPerSec / oneLatent.transfersPerSec, 2);
      results.postgresScaling3over1NoLatency = round(three.transfersPerSec / one.transfersPerSec, 2);
    }

    if (want('latency', 'postgres')) {
      // The same series with web + 3 worker processes: claims per document let every worker claim at once.
      const added = await ensureWorkers(sandbox, workers, 3, APP_ENV);
      added.forEach((w) => tracked.push({ role: `worker-${workers.indexOf(w) + 1}`, pid: w.pid }));
      // A worker runs for days: measure warm ones. A process's first few dozen jobs run slower (V8 has not
      // optimised the hot code yet), and a new worker would otherwise meet the series after one transfer.
      for (let round = 0; round < (added.length ? 6 : 1); round++)
        await warmUp(sandbox, [{ account: latencyAccount, productIds: latencyProducts }, ...tpAccounts]);
      log(`latency series (3 worker processes): ${PLAN.pgLatencySamples} documents`);
      const latency3Docs: Array<{ account: BenchAccount; id: string }> = [];
      results.latency.push(
        await latencySeries(
          sandbox,
          latencyAccount,
          latencyProducts,
          'PLAT',
          PLAN.pgLatencySamples,
          { database: 'postgres', deployment: 'workers', workers: 3 },
          latency3Docs,
        ),
      );
      addIntegrity('latency postgres 3 workers', await checkIntegrity(sandbox, latency3Docs, 'Проведён'));
    }

    addRss('web', 'postgres', sandbox.app.process.pid!);
    workers.forEach((w, i) => addRss(`worker-${i + 1}`, 'postgres', w.pid));
  } finally {
    for (const w of workers) await w.stop();
    // startSandbox({ startApp: false }).stop() does not know the app started afterwards: stop it here.
    await sandbox.app?.stop();
    await sandbox.stop();
    await database.drop();
  }
}

// ---------------- 3. clerk latency in Chromium (bench/clerk-latency.ts), the embedded app as `npm run demo` runs it
if (want('clerk', 'pglite')) {
  const { measureClerkLatency } = await import('./clerk-latency');
  try {
    log('clerk latency in Chromium (widget, host form, receipt)');
    results.clerkLatency = await measureClerkLatency({ runs: 10, log, appEnv: { LOG_LEVEL } });
  } catch (error) {
    notes.push(`clerk latency not measured: ${error instanceof Error ? error.message : String(error)}`);
  }
}

// ---------------- 4. registered sections (bench/lib/sections.ts), each on an app of its own
for (const section of SECTIONS.filter((s) => want(s.name, s.database))) {
  log(`section ${section.name}`);
  const { createMigratedPostgresDatabase } = await import('../test/support/db');
  await section.run({
    quick: QUICK,
    results,
    log,
    postgresUrl: postgresUp ? process.env.TEST_DATABASE_URL! : null,
    startSandbox: (options) => startSandbox(options),
    createDatabase: (name) => createMigratedPostgresDatabase(name),
    countOverall,
  });
}

// ---------------- summary
results.rss.unshift({
  role: 'bench (+ both simulators)',
  database: '-',
  peakRssMb: peakRssMb(process.pid) ?? 0,
  processes: [],
  largestDocumentPositions: Math.max(...PLAN.sizes),
});
const share = (c: CallCount) => ({
  calls: c.total,
  rejected429: c.rejected429,
  share: c.total ? round((c.rejected429 / c.total) * 100, 3) / 100 : 0,
});
const overall = addCounts(overallMs, overallBp);
results.rateLimited = { moysklad: share(overallMs), betapro: share(overallBp), total: share(overall) };
results.durationSec = round((Date.now() - started) / 1000, 1);
results.environment.loadAverage.end = round(os.loadavg()[0], 2);

const changedByRun = gitDirty().filter((line) => !dirtyAtStart.has(line));
if (changedByRun.length) notes.push(`the run changed tracked or new files outside bench/results: ${changedByRun.join(', ')}`);
const { evaluateTargets } = await import('./lib/targets');
const previous = loadPrevious(ROOT, results.mode);
results.previousSource = previous?.source ?? null;
results.targets = evaluateTargets(results, previous);
if (results.clerkLatency) results.targets.push(...(await import('./clerk-latency')).clerkTargetChecks(results.clerkLatency));

mkdirSync(path.join(ROOT, 'bench', 'results'), { recursive: true });
const markdown = renderMarkdown(results, previous);
// The last run of each mode is kept too (latest.* is whichever full or quick run ran last).
for (const name of ONLY.size ? ['partial'] : ['latest', results.mode]) {
  writeFileSync(path.join(ROOT, 'bench', 'results', `${name}.json`), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(path.join(ROOT, 'bench', 'results', `${name}.md`), markdown);
}
console.log(`\n${markdown}`);
log(`done in ${results.durationSec} s: bench/results/${ONLY.size ? 'partial' : 'latest'}.json and .md`);
process.exit(0);

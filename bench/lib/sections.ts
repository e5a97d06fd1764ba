/**
 * Bench sections that run on an app of their own after the main embedded and PostgreSQL parts. A new
 * figure is one entry in SECTIONS: its `run` starts what it needs and stores its figures in the results,
 * `render` adds its Markdown (with the previous run's figures next to the new ones) and `targets` its
 * checks. `--only=<name>` runs just that section (written to bench/results/partial.*).
 */
import type { CallCount } from './counters';
import type { Previous } from './previous';
import { withPrevious } from './previous';
import type { BenchResults, TargetCheck } from './results';
import type { BenchSandbox } from './fixtures';
import { DEMO_POLL_INTERVAL_SEC, measurePolling } from './polling';
import { measureRetention, RETENTION_DAYS_FOR_RUN } from './retention';
import { measureStock } from './stock';

export interface SectionContext {
  quick: boolean;
  results: BenchResults;
  log: (...args: unknown[]) => void;
  /** PostgreSQL server for sections that need their own database; null when it is not reachable. */
  postgresUrl: string | null;
  startSandbox: (options: { appEnv?: Record<string, string>; databaseUrl?: string }) => Promise<BenchSandbox>;
  createDatabase: (name: string) => Promise<{ url: string; drop(): Promise<void> }>;
  countOverall: (moysklad: CallCount, betapro: CallCount) => void;
}

export interface BenchSection {
  name: string;
  /** Which database the section runs on (for `--only=pglite|postgres`). */
  database: 'pglite' | 'postgres';
  run(ctx: SectionContext): Promise<void>;
  render?(results: BenchResults, previous: Previous | null): string[];
  targets?(results: BenchResults, previous: Previous | null): TargetCheck[];
}

const callsLine = (c: CallCount) =>
  Object.entries(c.byRoute)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ×${v}`)
    .join(', ') || '–';

const polling: BenchSection = {
  name: 'polling',
  database: 'pglite',
  async run(ctx) {
    // The demo's environment: nothing set but the log level (scripts/demo.ts); sweeps at their default.
    const sandbox = await ctx.startSandbox({ appEnv: { LOG_LEVEL: ctx.results.environment.logLevel } });
    try {
      const result = await measurePolling(sandbox, { windowSec: ctx.quick ? 180 : 600, minSamples: ctx.quick ? 5 : 15 }, ctx.log);
      (ctx.results.polling ??= []).push(result);
    } finally {
      await sandbox.stop();
    }
  },
  render(results, previous) {
    const before = previous?.results.polling?.[0];
    const out = [
      "## Polling in the demo's default settings",
      '',
      `Embedded app on PGlite as \`npm run demo\` runs it, account poll interval ${DEMO_POLL_INTERVAL_SEC} s. BetaPRO calls of one account counted over a ` +
        'window and scaled to an hour (polling is periodic; the quota read, GET /settings, is hourly and counts once when it falls in the window). ' +
        'Idle = no documents; task in progress = one supply ' +
        "«Передан», not received. Outdoc → «Проведён» = the warehouse's final goods_supply → the MoySklad document in «Проведён», waiting for the " +
        'poll (no «Проверить приёмку»), each outdoc at a random point of the poll cycle; the first document of the series starts from an idle ' +
        'account, so it may wait for the idle interval. Previous figures in brackets.',
      '',
      '| Window s | Idle: calls/hour | Idle: s between polls | Task in progress: calls/hour | Task in progress: s between polls | Outdoc → «Проведён» p50 / p95 / max ms (samples) |',
      '|---:|---:|---:|---:|---:|---|',
    ];
    for (const p of results.polling ?? []) {
      const d = p.outdocToPostedMs;
      const pd = before?.outdocToPostedMs;
      out.push(
        `| ${p.windowSec} | ${withPrevious(p.idle.callsPerHour, before?.idle.callsPerHour)} | ${p.idle.meanPollIntervalSec ?? '–'} | ` +
          `${withPrevious(p.taskInProgress.callsPerHour, before?.taskInProgress.callsPerHour)} | ${p.taskInProgress.meanPollIntervalSec ?? '–'} | ` +
          `${withPrevious(`${d.p50} / ${d.p95} / ${d.max} (${d.samples})`, pd ? `${pd.p50} / ${pd.p95} / ${pd.max}` : undefined)} |`,
      );
      out.push(
        '',
        `Calls in the window — idle: ${callsLine(p.idle.windowCalls)}; task in progress: ${callsLine(p.taskInProgress.windowCalls)}.`,
      );
    }
    return [...out, ''];
  },
  targets(results) {
    return (results.polling ?? []).map((p) => ({
      id: 'polling_demo_defaults',
      target: `BetaPRO calls per account per hour and median outdoc → «Проведён» in the demo's default settings (poll interval ${p.pollIntervalSec} s)`,
      measured: `idle ${p.idle.callsPerHour}/h, task in progress ${p.taskInProgress.callsPerHour}/h; outdoc → «Проведён» median ${p.outdocToPostedMs.p50} ms (p95 ${p.outdocToPostedMs.p95} ms, ${p.outdocToPostedMs.samples} documents)`,
      pass: null,
      note: 'reported figure, no threshold',
    }));
  },
};

const retention: BenchSection = {
  name: 'retention',
  database: 'postgres',
  async run(ctx) {
    if (!ctx.postgresUrl) {
      ctx.results.notes.push('retention: PostgreSQL not reachable, the section was skipped');
      return;
    }
    const database = await ctx.createDatabase('bridge_bench_retention');
    const sandbox = await ctx.startSandbox({
      databaseUrl: database.url,
      appEnv: { LOG_LEVEL: ctx.results.environment.logLevel, RETENTION_DAYS: String(RETENTION_DAYS_FOR_RUN) },
    });
    try {
      const result = await measureRetention(
        sandbox,
        database.url,
        { rounds: ctx.quick ? 8 : 16, documentsPerRound: ctx.quick ? 3 : 6 },
        ctx.log,
      );
      (ctx.results.retention ??= []).push(result);
    } finally {
      await sandbox.stop();
      await database.drop();
    }
  },
  render(results, previous) {
    const before = previous?.results.retention?.[0];
    const out: string[] = [];
    for (const r of results.retention ?? []) {
      out.push(
        '## Retention across a long run',
        '',
        `PostgreSQL, embedded app, RETENTION_DAYS=${r.retentionDays}. Each round: ${r.documentsPerRound} documents transferred and received through the app, ` +
          `then the clock of the three tables moves ${r.roundHours} h forward (their timestamps are moved back) and the app's retention job runs. ` +
          "Rows after each round's retention run; previous figures in brackets.",
        '',
        '| Round | Simulated h | Jobs | Inbound events | Sync events |',
        '|---:|---:|---:|---:|---:|',
      );
      const pick = [0, Math.floor(r.samples.length / 2), r.samples.length - 1];
      for (const [label, i] of [
        ['start', pick[0]],
        ['middle', pick[1]],
        ['end', pick[2]],
      ] as const) {
        const s = r.samples[i];
        const p = before?.samples[Math.min(i, before.samples.length - 1)];
        out.push(
          `| ${label} (${s.round}) | ${s.simulatedHours} | ${withPrevious(s.jobs, p?.jobs)} | ${withPrevious(s.inboundEvents, p?.inboundEvents)} | ${withPrevious(s.syncEvents, p?.syncEvents)} |`,
        );
      }
      const w = r.withoutRetention;
      out.push(
        '',
        `Without retention the end would hold ${w.jobs} jobs, ${w.inboundEvents} inbound events, ${w.syncEvents} sync events.`,
        '',
        '<details><summary>Every round</summary>',
        '',
        r.samples.map((s) => `${s.round}: ${s.jobs} / ${s.inboundEvents} / ${s.syncEvents}`).join('; '),
        '',
        '</details>',
        '',
      );
    }
    return out;
  },
  targets(results) {
    return (results.retention ?? []).map((r) => {
      const end = r.samples[r.samples.length - 1];
      const middle = r.samples[Math.floor(r.samples.length / 2)];
      return {
        id: 'retention_bounded',
        target: 'retention keeps the job, inbound-event and sync-event tables bounded across a run',
        measured:
          `middle ${middle.jobs} / ${middle.inboundEvents} / ${middle.syncEvents}, end ${end.jobs} / ${end.inboundEvents} / ${end.syncEvents} ` +
          `(jobs / inbound / sync events, ${end.simulatedHours} h simulated, retention ${r.retentionDays} d)`,
        pass: r.bounded,
      };
    });
  },
};

const STOCK_GOODS = 10_000;

const stock: BenchSection = {
  name: 'stock',
  database: 'pglite',
  async run(ctx) {
    const sandbox = await ctx.startSandbox({ appEnv: { LOG_LEVEL: ctx.results.environment.logLevel } });
    try {
      const result = await measureStock(sandbox, STOCK_GOODS, ctx.log);
      (ctx.results.stock ??= []).push(result);
    } finally {
      await sandbox.stop();
    }
  },
  render(results, previous) {
    const before = previous?.results.stock?.[0];
    const out = [
      '## Stock reconciliation of 10,000 goods',
      '',
      'Embedded app on PGlite; one account with 10,000 products stocked at its BetaPRO store (posted supplies in the MoySklad simulator) and ' +
        'the same goods at BetaPRO (an inventory through its control API), a few planted one short. One «Сверить сейчас» until the result is ' +
        'stored. MoySklad units: every call 1, `report/stock/bystore` 5 (limit 45 per 3 s). Previous figures in brackets.',
      '',
      '| Goods | Differences found (planted) | MoySklad calls | MoySklad units | BetaPRO calls | 429 MoySklad / BetaPRO | Duration s |',
      '|---:|---:|---:|---:|---:|---|---:|',
    ];
    for (const r of results.stock ?? []) {
      out.push(
        `| ${r.goods} | ${r.differences} (${r.planted}) | ${withPrevious(r.moysklad.total, before?.moysklad.total)} | ${withPrevious(r.moyskladUnits, before?.moyskladUnits)} | ` +
          `${withPrevious(r.betapro.total, before?.betapro.total)} | ${r.moysklad.rejected429} / ${r.betapro.rejected429} | ${withPrevious(Math.round(r.durationMs / 100) / 10, before ? Math.round(before.durationMs / 100) / 10 : undefined)} |`,
      );
      out.push(
        '',
        `Calls — MoySklad: ${callsLine(r.moysklad)}; BetaPRO: ${callsLine(r.betapro)}. The run's own count: MoySklad ${r.run.moysklad}, BetaPRO ${r.run.betapro}.`,
        '',
      );
    }
    return out;
  },
  targets(results) {
    return (results.stock ?? []).map((r) => ({
      id: 'stock_10k_within_limits',
      target: 'reconciling 10,000 goods stays within both platforms’ limits (no 429) and finds exactly the planted differences',
      measured: `${r.moysklad.total} MoySklad calls (${r.moyskladUnits} units), ${r.betapro.total} BetaPRO calls, 429: ${r.moysklad.rejected429} / ${r.betapro.rejected429}, ${r.differences} of ${r.planted} found, ${Math.round(r.durationMs / 1000)} s`,
      pass: r.moysklad.rejected429 === 0 && r.betapro.rejected429 === 0 && r.differences === r.planted,
    }));
  },
};

/** Every registered section, in run order. */
export const SECTIONS: BenchSection[] = [polling, retention, stock];

/** bench/results/latest.md: the results as Markdown tables. */
import type { CallCount } from './counters';
import type { Previous } from './previous';
import type { BenchResults } from './results';
import { SECTIONS } from './sections';

const rw = (c: CallCount) => `${c.total} (${c.reads}R/${c.writes}W${c.rejected429 ? `, ${c.rejected429}×429` : ''})`;
/** «GET /entity/move/{id} ×2, PUT … ×1»: where a step's calls went. */
export const routes = (c: CallCount) =>
  Object.entries(c.byRoute)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ×${v}`)
    .join(', ');
const mark = (pass: boolean | null) => (pass === null ? '–' : pass ? '✅' : '❌');

export function renderMarkdown(r: BenchResults, previous: Previous | null = null): string {
  const out: string[] = [];
  out.push(`# Benchmark (${r.mode}) — ${r.startedAt}`, '');
  out.push(
    `Commit ${r.environment.commit}, build ${r.environment.buildId ?? '?'}, Node ${r.environment.node}, ${r.environment.cpus} CPU cores, ` +
      `PostgreSQL ${r.environment.postgres ?? 'not available'}. MoySklad simulator limit ${r.environment.moyskladRateLimit.requests} requests / ` +
      `${r.environment.moyskladRateLimit.windowMs / 1000} s, ${r.environment.moyskladRateLimit.parallel} parallel per account; worker concurrency ` +
      `${r.environment.workerConcurrency}; LOG_LEVEL ${r.environment.logLevel}. Run took ${r.durationSec} s; load average ` +
      `${r.environment.loadAverage.start} at the start, ${r.environment.loadAverage.end} at the end (other work on the machine shares the cores).`,
    '',
  );

  out.push(
    '## Targets',
    '',
    `Previous = the same target in ${previous ? previous.source : 'no committed results (none yet)'}.`,
    '',
    '| Target | Measured | Pass | Previous | Previous pass |',
    '|---|---|---|---|---|',
  );
  for (const t of r.targets) {
    const before = previous?.results.targets.find((p) => p.id === t.id);
    out.push(
      `| ${t.target} | ${t.measured}${t.note ? ` — ${t.note}` : ''} | ${mark(t.pass)} | ${before ? before.measured : '–'} | ${before ? mark(before.pass) : '–'} |`,
    );
  }
  out.push('');
  for (const section of SECTIONS) if (section.render) out.push(...section.render(r, previous));

  out.push(
    '## Calls per document',
    '',
    'Calls = HTTP requests the app made to each remote for that step (R = reads, W = writes; BetaPRO list/check POSTs count as reads). ' +
      'Transfer = widget «Передать на склад» → «Передан»; receipt = final goods_supply issued → «Проведён» (`check now`, poll wait excluded). ' +
      'Latency is server-side state time minus client-side trigger time.',
    '',
    '| DB | Positions | Goods | Transfer MoySklad | Transfer BetaPRO | → «Передан» ms | Receipt | Receipt MoySklad | Receipt BetaPRO | → «Проведён» ms |',
    '|---|---:|---|---|---|---:|---|---|---|---:|',
  );
  for (const c of r.calls) {
    out.push(
      `| ${c.database} | ${c.positions} | ${c.goods} | ${rw(c.transfer.moysklad)} | ${rw(c.transfer.betapro)} | ${c.transfer.latencyMs} | ` +
        `${c.receipt.kind} | ${rw(c.receipt.moysklad)} | ${rw(c.receipt.betapro)} | ${c.receipt.latencyMs} |`,
    );
  }
  out.push('', '<details><summary>Where the calls go</summary>', '');
  for (const c of r.calls) {
    out.push(
      `- **${c.database} ${c.positions} ${c.goods}** — transfer MoySklad: ${routes(c.transfer.moysklad) || '–'}; BetaPRO: ${routes(c.transfer.betapro) || '–'}. ` +
        `Receipt (${c.receipt.kind}) MoySklad: ${routes(c.receipt.moysklad) || '–'}; BetaPRO: ${routes(c.receipt.betapro) || '–'}.`,
    );
  }
  out.push('', '</details>', '');

  const d = (x: { p50: number; p95: number; max: number }) => `${x.p50} / ${x.p95} / ${x.max}`;
  out.push(
    '## Latency (10 positions, known goods, one document at a time)',
    '',
    "Each trigger after a random 0–500 ms pause. Phases of trigger → «Передан» from the document's events: intake (→ `requested`), " +
      'job wait + read + BetaPRO task (`requested` → `task_created`), answer on the MoySklad document (`task_created` → `sent`).',
    '',
    '| DB | Deployment | Samples | Trigger → «Передан» p50 / p95 / max ms | phases p50 / p95 / max: intake · wait+read+task · answer | Outdoc → «Проведён» p50 / p95 / max ms | Mean calls: transfer MS / BP, receipt MS / BP |',
    '|---|---|---:|---|---|---|---|',
  );
  for (const l of r.latency) {
    out.push(
      `| ${l.database} | ${l.deployment === 'embedded' ? 'embedded (web + worker)' : `web + ${l.workers} worker process`} | ${l.triggerToSentMs.samples} | ` +
        `${d(l.triggerToSentMs)} | ${d(l.triggerToSentPhasesMs.toRequested)} · ${d(l.triggerToSentPhasesMs.requestedToTaskCreated)} · ${d(l.triggerToSentPhasesMs.taskCreatedToSent)} | ${d(l.outdocToPostedMs)} | ` +
        `${l.meanCalls.transferMoysklad} / ${l.meanCalls.transferBetapro}, ${l.meanCalls.receiptMoysklad} / ${l.meanCalls.receiptBetapro} |`,
    );
  }
  out.push('');

  out.push(
    '## Webhook intake',
    '',
    'Open loop at the target rate (a request every 5 ms whatever the answers); PGlite = the embedded process (its worker drains the queued jobs meanwhile), ' +
      "PostgreSQL = the web process (RUN_WORKER=false) with one worker process draining. Deliveries are status changes (updatedFields ['state']) " +
      'of 20 supplies in rotation, each with its own requestId; the route is warmed up first by 2,000 deliveries (8 at a time). ' +
      'One at a time = 100 deliveries sent sequentially before the run.',
    '',
    '| DB | Target rate | Achieved | Requests | Errors | p50 ms | p95 ms | p99 ms | max ms | One at a time p50 / p99 ms | Receiver CPU s / window s |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|',
  );
  for (const w of r.webhookIntake) {
    out.push(
      `| ${w.database} | ${w.targetRatePerSec}/s | ${w.achievedRatePerSec}/s | ${w.requests} | ${w.errors} | ${w.latencyMs.p50} | ${w.latencyMs.p95} | ${w.latencyMs.p99} | ${w.latencyMs.max} | ` +
        `${w.sequentialLatencyMs.p50} / ${w.sequentialLatencyMs.p99} | ${w.receiverCpuSec} / ${w.windowSec} |`,
    );
  }
  out.push('');

  out.push(
    '## Throughput',
    '',
    'All documents triggered at once (widget action, 24 in flight), workers already running; window = first trigger → last «Передан». ' +
      'Each account has its own BetaPRO partner; the MoySklad ceiling is accounts × 15 requests/s ÷ MoySklad calls per transfer. ' +
      'Remote latency = delay both simulators add to every API answer during the run (real MoySklad and BetaPRO answer in tens to hundreds of ms; ' +
      "with 0 the simulators answer at once and the run measures how fast this machine's cores do the work).",
    '',
    '| DB | Workers | Remote latency ms | Accounts × docs | Positions | Window s | Transfers/s | MoySklad calls/transfer | MoySklad ceiling/s | 429 (MS/BP) | CPU s used (capacity) | Lost / dup | Bottleneck |',
    '|---|---:|---:|---|---:|---:|---:|---:|---:|---|---|---|---|',
  );
  for (const t of r.throughput) {
    const cpu = Object.entries(t.cpuSec)
      .filter(([k]) => k !== 'capacity')
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    out.push(
      `| ${t.database} | ${t.workers}${t.database === 'pglite' ? ' (embedded)' : ''} | ${t.remoteLatencyMs ?? 0} | ${t.accounts} × ${t.documents / t.accounts} | ${t.positionsPerDocument} | ${t.windowSec} | ` +
        `**${t.transfersPerSec}** | ${t.moysklad.callsPerTransfer} | ${t.moyskladCeilingTransfersPerSec} | ${t.moysklad.rejected429}/${t.betapro.rejected429} | ` +
        `${cpu} (${t.cpuSec.capacity}) | ${t.integrity.lost} / ${t.integrity.duplicated} | ${t.bottleneck} |`,
    );
  }
  if (r.postgresScaling3over1 !== null)
    out.push('', `3 workers ÷ 1 worker on PostgreSQL with remote latency: **${r.postgresScaling3over1}×**.`);
  if (r.postgresScaling3over1NoLatency != null)
    out.push('', `3 workers ÷ 1 worker on PostgreSQL, simulators answering at once: **${r.postgresScaling3over1NoLatency}×**.`);
  out.push('');

  const rl = r.rateLimited;
  out.push('## 429 responses (all measured steps)', '', '| Remote | Calls | 429 | Share |', '|---|---:|---:|---:|');
  for (const [name, v] of [
    ['MoySklad', rl.moysklad],
    ['BetaPRO', rl.betapro],
    ['Total', rl.total],
  ] as const) {
    out.push(`| ${name} | ${v.calls} | ${v.rejected429} | ${(v.share * 100).toFixed(2)} % |`);
  }
  out.push('');

  out.push(
    '## Peak RSS (VmHWM)',
    '',
    '| Process | DB | Largest document | Peak RSS MB | Processes in the tree |',
    '|---|---|---:|---:|---|',
  );
  for (const p of r.rss) {
    out.push(
      `| ${p.role} | ${p.database} | ${p.largestDocumentPositions} | ${p.peakRssMb} | ${p.processes.map((x) => `${x.comm}[${x.pid}] ${x.peakRssMb}`).join(', ') || 'this process'} |`,
    );
  }
  out.push(
    '',
    '<details><summary>RSS after each step (peak so far / current, MB)</summary>',
    '',
    '| After | Process | Peak | Current |',
    '|---|---|---:|---:|',
  );
  for (const x of r.rssTimeline) out.push(`| ${x.after} | ${x.role} | ${x.peakRssMb} | ${x.rssMb} |`);
  out.push('', '</details>', '');
  out.push(
    `Integrity: ${r.integrity.runs.map((x) => `${x.run}: ${x.documents} docs, ${x.lost} lost, ${x.duplicated} duplicated`).join('; ')}.`,
    '',
  );
  if (r.notes.length) out.push('## Notes', '', ...r.notes.map((n) => `- ${n}`), '');
  return out.join('\n');
}

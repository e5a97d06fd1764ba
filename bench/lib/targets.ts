/** Issue 9's targets, each checked against the measured figures (pass null = not measured in this run). */
import type { Previous } from './previous';
import type { BenchResults, CallsRow, TargetCheck } from './results';
import { SECTIONS } from './sections';

type Side = 'transfer' | 'receipt';
type Remote = 'moysklad' | 'betapro';

function growthCheck(results: BenchResults, remote: Remote, kind: 'reads' | 'writes'): TargetCheck {
  const per = kind === 'reads' ? 100 : 1000;
  const lines: string[] = [];
  let pass = true;
  let compared = 0;
  for (const side of ['transfer', 'receipt'] as Side[]) {
    for (const goods of ['new', 'known'] as CallsRow['goods'][]) {
      const baseline = results.calls.find((r) => r.database === 'pglite' && r.positions === 10 && r.goods === goods);
      if (!baseline) continue;
      for (const row of results.calls.filter((r) => r.goods === goods && r.positions > 10)) {
        const base = baseline[side][remote][kind];
        const allowed = base + Math.ceil(row.positions / per) - 1;
        const got = row[side][remote][kind];
        compared++;
        if (got > allowed) pass = false;
        lines.push(
          `${side} ${goods} ${row.positions}${row.database === 'postgres' ? ' (pg)' : ''}: ${got}${got > allowed ? ` > ${allowed}` : ` ≤ ${allowed}`}`,
        );
      }
    }
  }
  return {
    id: `${remote}_${kind}_growth`,
    target: `${remote === 'moysklad' ? 'MoySklad' : 'BetaPRO'} ${kind} grow with ⌈N/${per}⌉ or better: ${kind}(N) ≤ ${kind}(10) + ⌈N/${per}⌉ − 1`,
    measured: lines.join('; '),
    pass: compared ? pass : null,
  };
}

export function evaluateTargets(results: BenchResults, previous: Previous | null = null): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const small = results.calls.filter((r) => r.positions <= 100 && r.goods === 'known');
  const maxOf = (f: (r: CallsRow) => number) => (small.length ? Math.max(...small.map(f)) : NaN);
  const msMax = maxOf((r) => r.transfer.moysklad.total);
  const bpMax = maxOf((r) => r.transfer.betapro.total);
  checks.push({
    id: 'transfer_le100_known_moysklad_calls',
    target: 'transfer of ≤ 100 positions, known goods: ≤ 3 MoySklad calls',
    measured: small.map((r) => `${r.positions}: ${r.transfer.moysklad.total}`).join('; '),
    pass: small.length ? msMax <= 3 : null,
  });
  checks.push({
    id: 'transfer_le100_known_betapro_calls',
    target: 'transfer of ≤ 100 positions, known goods: ≤ 2 BetaPRO calls',
    measured: small.map((r) => `${r.positions}: ${r.transfer.betapro.total}`).join('; '),
    pass: small.length ? bpMax <= 2 : null,
  });
  checks.push(growthCheck(results, 'moysklad', 'reads'), growthCheck(results, 'moysklad', 'writes'));
  checks.push(growthCheck(results, 'betapro', 'reads'), growthCheck(results, 'betapro', 'writes'));
  for (const series of results.latency) {
    if (series.database === 'postgres') {
      checks.push({
        id: `trigger_to_sent_p95_postgres_150ms_${series.workers}w`,
        target: `PostgreSQL p95 trigger → «Передан» ≤ 150 ms (web + ${series.workers} worker process${series.workers > 1 ? 'es' : ''})`,
        measured: `p50 ${series.triggerToSentMs.p50} ms, p95 ${series.triggerToSentMs.p95} ms (${series.triggerToSentMs.samples} documents)`,
        pass: series.triggerToSentMs.p95 <= 150,
      });
    }
    checks.push({
      id: `trigger_to_sent_p95_${series.database}${series.database === 'postgres' ? `_${series.workers}w` : ''}`,
      target: `p95 trigger → «Передан» ≤ 1 s (${series.deployment === 'embedded' ? 'embedded, PGlite' : `PostgreSQL, ${series.workers} worker process`})`,
      measured: `p50 ${series.triggerToSentMs.p50} ms, p95 ${series.triggerToSentMs.p95} ms (${series.triggerToSentMs.samples} documents)`,
      pass: series.triggerToSentMs.p95 <= 1000,
    });
  }
  for (const w of results.webhookIntake) {
    checks.push({
      id: `webhook_intake_p99_${w.database}`,
      target: `webhook intake p99 ≤ 100 ms at ${w.targetRatePerSec} req/s (${w.database})`,
      measured: `p50 ${w.latencyMs.p50} ms, p99 ${w.latencyMs.p99} ms, ${w.achievedRatePerSec} req/s achieved, ${w.errors} errors`,
      pass: w.latencyMs.p99 <= 100 && w.errors === 0,
    });
  }
  const rl = results.rateLimited.total;
  checks.push({
    id: 'rate_limited_share',
    target: '429 responses ≤ 1 % of calls',
    measured: `${rl.rejected429} of ${rl.calls} (${(rl.share * 100).toFixed(2)} %); MoySklad ${results.rateLimited.moysklad.rejected429}/${results.rateLimited.moysklad.calls}, BetaPRO ${results.rateLimited.betapro.rejected429}/${results.rateLimited.betapro.calls}`,
    pass: rl.calls ? rl.share <= 0.01 : null,
  });
  const pg = results.throughput.filter((t) => t.database === 'postgres');
  const latent = pg.filter((t) => t.remoteLatencyMs > 0);
  const instant = pg.filter((t) => !t.remoteLatencyMs);
  const three = latent.find((t) => t.workers === 3);
  const threeInstant = instant.find((t) => t.workers === 3);
  checks.push({
    id: 'postgres_scaling_3_over_1',
    target: `3 workers on PostgreSQL ≥ 1.8 × the throughput of 1 (remotes answering in ${latent[0]?.remoteLatencyMs ?? '–'} ms)`,
    measured:
      results.postgresScaling3over1 === null
        ? 'not measured'
        : `${results.postgresScaling3over1}× (${latent.map((t) => `${t.workers} worker(s): ${t.transfersPerSec}/s`).join(', ')})`,
    pass: results.postgresScaling3over1 === null ? null : results.postgresScaling3over1 >= 1.8,
    note:
      [
        three ? `bottleneck with 3 workers: ${three.bottleneck}` : '',
        threeInstant && results.postgresScaling3over1NoLatency != null
          ? `with simulators answering at once: ${results.postgresScaling3over1NoLatency}× (${instant.map((t) => `${t.workers}: ${t.transfersPerSec}/s`).join(', ')}); bottleneck: ${threeInstant.bottleneck}`
          : '',
      ]
        .filter(Boolean)
        .join('; ') || undefined,
  });
  checks.push({
    id: 'no_lost_or_duplicated',
    target: 'zero lost or duplicated documents in every run',
    measured: `${results.integrity.documents} documents: ${results.integrity.lost} lost, ${results.integrity.duplicated} duplicated`,
    pass: results.integrity.lost === 0 && results.integrity.duplicated === 0,
  });
  const product = results.rss.filter((r) => !r.role.startsWith('bench'));
  const maxRss = Math.max(0, ...product.map((r) => r.peakRssMb));
  const largestDoc = Math.max(0, ...results.calls.map((r) => r.positions));
  checks.push({
    id: 'peak_rss',
    target: 'peak RSS ≤ 300 MB per process with 5,000-position documents',
    measured: product.map((r) => `${r.role}${r.database === 'pglite' ? ' (pglite)' : ''}: ${r.peakRssMb} MB`).join('; '),
    pass: product.length ? maxRss <= 300 : null,
    note: largestDoc < 5000 ? `largest document in this run: ${largestDoc} positions (the full run uses 5,000)` : undefined,
  });
  for (const section of SECTIONS) if (section.targets) checks.push(...section.targets(results, previous));
  return checks;
}

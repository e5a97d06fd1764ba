/**
 * Fault suite (issue 9): the production shape — one web process (RUN_WORKER=false) and several
 * `npm run worker` processes on PostgreSQL — under everything at once:
 *  - workers killed with SIGKILL at random points (and replaced), the web process killed once;
 *  - the database cut off mid-run (CHAOS_PG_OUTAGE=restart restarts the PostgreSQL server itself;
 *    the default `terminate` cuts off only this suite's database, see harness.ts);
 *  - BetaPRO simulator faults rotating between 5xx, timeouts, 429 and accept-then-drop;
 *  - MoySklad webhooks duplicated (same requestId), replayed late and out of order (new requestIds),
 *    scenario calls repeated (MoySklad retries them for 24 h);
 * while documents are triggered by every route (widget, status webhook, CREATE webhook, scenario,
 * sometimes two at once) and BetaPRO receives most of them with discrepancies, partial receipts and
 * unexpected goods. At the end:
 *  1. every triggered document is in BetaPRO exactly once and is «Передан» (not received) or «Проведён»;
 *  2. every outdoc is locked in BetaPRO and applied exactly once (one posting in MoySklad's audit, one
 *     posting log line, one «posted» event, every stored outdoc applied);
 *  3. every posted document equals its projection: both what we asked the warehouse to receive and
 *     projectReceipt(stored plan, stored outdocs).
 *
 * Size: CHAOS_QUICK=1 or unset → the quick run for CI (≈ 2 min); CHAOS_QUICK=0 → the long run.
 * CHAOS_SEED=<n> replays a run's choices (printed at the start). Needs TEST_DATABASE_URL.
 * Strict by default: a repeated side effect (a second «task created» event, log line or «posted»
 * event) fails the run like a broken invariant; CHAOS_STRICT=0 reports them without failing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { api, documentView, installAndConfigure, startSandbox, type ConfiguredAccount } from '../support/sandbox';
import { startApp } from '../support/app-server';
import { vendorJwt } from '../support/vendor-jwt';
import { createMigratedPostgresDatabase, TEST_DATABASE_URL } from '../support/db';
import { parseIndocId } from '@/lib/betapro/mappers/indoc-id';
import { receiptFromRaw } from '@/lib/betapro/mappers/receipt';
import { projectReceipt, type UnexpectedGood } from '@/lib/sync/receipt/projection';
import type { PlanLine } from '@/lib/core/domain';
import {
  alive,
  betaproControl,
  betaproState,
  databaseOutage,
  expireLeasesOf,
  kill,
  rng,
  sleep,
  startWorkerProcess,
  withDatabase,
  type OutageMode,
  type WorkerProcess,
} from './harness';

const QUICK = process.env.CHAOS_QUICK !== '0';
// settleMs bounds the wait for convergence after the faults stop; the loop ends as soon as every document
// converged, so a long bound costs time only when a document is stuck (transient failures of the outage
// back off for up to a minute or two on a machine whose cores are busy with other work).
const SIZE = QUICK
  ? { documents: 12, waves: 3, workers: 3, chaosMs: 40_000, outages: 1, settleMs: 240_000, outageMs: 3_000 }
  : { documents: 60, waves: 8, workers: 4, chaosMs: 180_000, outages: 3, settleMs: 420_000, outageMs: 6_000 };
const SEED = Number(process.env.CHAOS_SEED ?? Math.floor(Math.random() * 1e9));
const OUTAGE: OutageMode = process.env.CHAOS_PG_OUTAGE === 'restart' ? 'restart' : 'terminate';
/** A second «task created» event or comment line fails the run; CHAOS_STRICT=0 only reports it. */
const STRICT = process.env.CHAOS_STRICT !== '0';
/** Quick runs fast-forward a killed worker's leases instead of waiting 60 s or more (see harness.ts). */
const FAST_LEASES = process.env.CHAOS_FAST_LEASES ? process.env.CHAOS_FAST_LEASES === '1' : QUICK;
const ARTICLES = ['TS-WHITE', 'MUG-300', 'NB-A5', 'PEN-BLUE'] as const;
const FAULT_MODES = ['error500', 'timeout', 'rate429', 'acceptThenDrop'] as const;

type Sandbox = Awaited<ReturnType<typeof startSandbox>>;
type Entity = 'supply' | 'move';
type Trigger = 'widget' | 'webhook' | 'create' | 'scenario';
interface Item {
  good_id: string;
  useful_qnt: number;
  defective_qnt: number;
}
interface ChaosDoc {
  entity: Entity;
  id: string;
  trigger: Trigger;
  extraTrigger?: Trigger;
  plan: Array<{ article: string; quantity: number; price: number }>;
  receive: boolean;
  /** Widget presses still to make (retried while the web process is down). */
  pendingWidget: number;
  receipt?: { parts: Array<{ final: boolean; items: Item[] }>; expected: Map<string, number>; unexpected: string[] };
  lastCheck: number;
}

const random = rng(SEED);
const timeline: string[] = [];
const started = Date.now();
function note(what: string): void {
  timeline.push(`${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s  ${what}`);
}

describe.skipIf(!TEST_DATABASE_URL)(`chaos (${QUICK ? 'quick' : 'long'} run, seed ${SEED}, database outage: ${OUTAGE})`, () => {
  let sandbox: Sandbox;
  let database: { url: string; drop(): Promise<void> };
  let account: ConfiguredAccount;
  let scenarioState: { supply: string; move: string };
  const workers: WorkerProcess[] = [];
  const docs: ChaosDoc[] = [];
  const killedWorkerLogs: string[] = [];
  const crashed = new Set<WorkerProcess>();
  let webKilledByUs = false;

  const ms = () => sandbox.moysklad;
  const productOf = (article: string) => account.seed.products.find((p) => p.article === article)!;
  const buyPrice: Record<string, number> = { 'TS-WHITE': 45000, 'MUG-300': 18000, 'NB-A5': 9000, 'PEN-BLUE': 2500 };

  function spawnWorker(): WorkerProcess {
    const worker = startWorkerProcess(sandbox.app.env);
    workers.push(worker);
    return worker;
  }

  beforeAll(async () => {
    console.log(
      `[chaos] seed ${SEED} (CHAOS_SEED=${SEED} replays the choices), ${QUICK ? 'quick' : 'long'} run, outage mode ${OUTAGE}${STRICT ? ', strict' : ', CHAOS_STRICT=0'}`,
    );
    database = await createMigratedPostgresDatabase('bridge_chaos');
    sandbox = await startSandbox({ startApp: false, databaseUrl: database.url, appEnv: { SWEEP_INTERVAL_SEC: '3' } });
    sandbox.app = await startApp({ port: sandbox.appPort, env: { ...sandbox.appEnv, RUN_WORKER: 'false' } });
    // MoySklad retries a failed scenario call for 24 h; a minute of retries stands for that here.
    ms().setConfig({ scenarioRetry: { retries: 60, delayMs: 1000 } } as never);
    account = await installAndConfigure(sandbox, 'chaos-shop', { pollIntervalSec: 15 });
    scenarioState = {
      supply: ms().createState(account.accountId, 'supply', 'В БетаПРО (сценарий)'),
      move: ms().createState(account.accountId, 'move', 'В БетаПРО (сценарий)'),
    };
    for (const entity of ['supply', 'move'] as const) {
      ms().addScenario(account.accountId, {
        entityType: entity,
        stateId: scenarioState[entity],
        actionName: 'transfer-to-betapro',
      } as never);
    }
    await betaproControl(sandbox.betapro.controlUrl, '/config', { timeout_hold_ms: 1_500 });
    for (let i = 0; i < SIZE.workers; i++) spawnWorker();
  });

  afterAll(async () => {
    for (const w of workers) kill(w);
    // Each step's time goes into the timeline, so a slow teardown names its step.
    const timed = async (what: string, step: () => Promise<unknown> | undefined) => {
      const began = Date.now();
      await Promise.resolve(step()).catch((error) => note(`teardown: ${what} failed: ${String(error)}`));
      note(`teardown: ${what} in ${Date.now() - began} ms`);
    };
    await timed('web process stopped', () => sandbox?.app?.stop());
    await timed('simulators closed', () => sandbox?.stop());
    await timed('database dropped', () => database?.drop());
    if (timeline.length) console.log(`[chaos] timeline (seed ${SEED}):\n${timeline.join('\n')}`);
  });

  // ---------------------------------------------------------------- documents and triggers

  function createDoc(index: number): ChaosDoc {
    const entity: Entity = random.chance(0.7) ? 'supply' : 'move';
    const trigger: Trigger = (['widget', 'webhook', 'create', 'scenario'] as const)[index % 4];
    const articles = random.shuffle([...ARTICLES]).slice(0, random.int(1, 3));
    const plan = articles.map((article) => ({
      article,
      quantity: random.int(1, 12),
      price: entity === 'move' ? 0 : random.int(1, 500) * 100,
    }));
    const positions = plan.map((p) => ({
      quantity: p.quantity,
      price: p.price,
      assortment: ms().meta('product', productOf(p.article).id),
    }));
    const common =
      entity === 'supply'
        ? {
            organization: ms().meta('organization', account.seed.organizationId),
            agent: ms().meta('counterparty', account.seed.counterpartyId),
            store: ms().meta('store', account.seed.stores.betapro),
          }
        : {
            organization: ms().meta('organization', account.seed.organizationId),
            sourceStore: ms().meta('store', account.seed.stores.main),
            targetStore: ms().meta('store', account.seed.stores.betapro),
          };
    const body: Record<string, unknown> = { ...common, positions, description: `Документ хаоса №${index}` };
    if (trigger === 'create') body.state = ms().stateMeta(entity, account.seed.states[entity]['Передать']);
    const created = ms().createDocument(account.accountId, entity, body);
    const doc: ChaosDoc = {
      entity,
      id: String(created.id),
      trigger,
      plan,
      receive: random.chance(0.75),
      pendingWidget: 0,
      lastCheck: 0,
    };
    if (random.chance(0.3)) doc.extraTrigger = random.pick(['widget', 'webhook', 'scenario'] as const);
    for (const t of [doc.trigger, doc.extraTrigger]) {
      if (t === 'widget') doc.pendingWidget++;
      if (t === 'webhook')
        ms().userUpdate(account.accountId, entity, doc.id, {
          state: ms().stateMeta(entity, account.seed.states[entity]['Передать']),
        });
      if (t === 'scenario') ms().userUpdate(account.accountId, entity, doc.id, { state: ms().stateMeta(entity, scenarioState[entity]) });
    }
    return doc;
  }

  async function widget(doc: ChaosDoc, action: 'send' | 'check'): Promise<number> {
    try {
      const res = await api(sandbox.app.url, `/api/widget/documents/${doc.entity}/${doc.id}/actions`, {
        token: account.adminSession,
        body: { action },
      });
      return res.status;
    } catch {
      return 0;
    }
  }

  function msDoc(doc: ChaosDoc) {
    return ms().getDocument(account.accountId, doc.entity, doc.id) as {
      applicable?: boolean;
      description?: string;
      state?: { name?: string };
      positions?: {
        rows: Array<{ quantity: number; price: number; assortment: { article?: string; name?: string } }>;
      };
    };
  }

  /** The warehouse's receipt for one sent document: exact, with discrepancies, partial, with unexpected goods. */
  async function receive(doc: ChaosDoc, indocId: string, registered: Set<string>): Promise<void> {
    const expected = new Map<string, number>();
    const add = (good: string, n: number) => expected.set(good, (expected.get(good) ?? 0) + n);
    const parts: Array<{ final: boolean; items: Item[] }> = [];
    const unexpected: string[] = [];
    if (random.chance(0.25)) {
      parts.push({ final: true, items: [] }); // everything as planned
      for (const p of doc.plan) add(p.article, p.quantity);
    } else {
      if (doc.plan.length > 1 && random.chance(0.4)) {
        const first = doc.plan[0];
        const got = random.int(1, first.quantity);
        parts.push({ final: false, items: [{ good_id: first.article, useful_qnt: got, defective_qnt: 0 }] });
        add(first.article, got);
      }
      const items: Item[] = doc.plan.map((p) => {
        const useful = Math.max(0, p.quantity + random.int(-3, 2));
        const defective = random.chance(0.2) ? 1 : 0;
        add(p.article, useful + defective);
        return { good_id: p.article, useful_qnt: useful, defective_qnt: defective };
      });
      const spare = ARTICLES.filter((a) => !doc.plan.some((p) => p.article === a) && registered.has(a));
      if (spare.length && random.chance(0.3)) {
        const extra = random.pick(spare);
        const n = random.int(1, 3);
        items.push({ good_id: extra, useful_qnt: n, defective_qnt: 0 });
        add(extra, n);
        unexpected.push(extra);
      }
      if (![...expected.values()].some((n) => n > 0)) {
        items[0].useful_qnt = 1;
        add(items[0].good_id, 1);
      }
      parts.push({ final: true, items });
    }
    for (const part of parts) {
      await betaproControl(
        sandbox.betapro.controlUrl,
        `/indocs/${encodeURIComponent(indocId)}/receive`,
        part.items.length ? part : { final: true },
      );
    }
    for (const [good, n] of [...expected]) if (n === 0) expected.delete(good);
    doc.receipt = { parts, expected, unexpected };
    note(
      `received ${doc.entity} ${doc.id.slice(0, 8)}: ${parts.length} part(s)${unexpected.length ? `, unexpected ${unexpected.join(',')}` : ''}`,
    );
  }

  /** One pass of the clerk and the warehouse: pending widget presses, receipts of sent documents, "check now". */
  async function drive(): Promise<void> {
    for (const doc of docs) {
      while (doc.pendingWidget > 0) {
        const status = await widget(doc, 'send');
        if (status === 0 || status >= 500) break; // web process or database away: press again later
        doc.pendingWidget--;
      }
    }
    const state = await betaproState(sandbox.betapro.controlUrl);
    const partner = state.partners[0];
    const registered = new Set(partner.goods.map((g) => g.good_id));
    const indocOf = new Map<string, string>();
    for (const indoc of partner.indocs) {
      const parsed = parseIndocId(indoc.indoc_id);
      if (parsed) indocOf.set(parsed.documentId, indoc.indoc_id);
    }
    for (const doc of docs) {
      if (!doc.receive) continue;
      const indocId = indocOf.get(doc.id);
      if (!doc.receipt && indocId && msDoc(doc).state?.name === 'Передан') await receive(doc, indocId, registered);
      if (doc.receipt && msDoc(doc).state?.name !== 'Проведён' && Date.now() - doc.lastCheck > 3_000) {
        doc.lastCheck = Date.now();
        await widget(doc, 'check');
      }
    }
  }

  // ---------------------------------------------------------------- chaos

  async function killWorker(): Promise<void> {
    const living = workers.filter(alive);
    if (!living.length) {
      spawnWorker();
      return;
    }
    const victim = random.pick(living);
    kill(victim);
    killedWorkerLogs.push(victim.logs());
    const replacement = spawnWorker();
    let expired = 0;
    if (FAST_LEASES) expired = await expireLeasesOf(database.url, victim.pid);
    note(`SIGKILL worker ${victim.pid} (${expired} lease(s) fast-forwarded), started worker ${replacement.pid}`);
  }

  /** A worker that died on its own is a bug (reported at the end); like a supervisor, start another. */
  async function replaceCrashedWorkers(): Promise<void> {
    for (const w of workers) {
      if (w.killed || alive(w) || crashed.has(w)) continue;
      crashed.add(w);
      const replacement = spawnWorker();
      const expired = FAST_LEASES ? await expireLeasesOf(database.url, w.pid) : 0;
      note(
        `worker ${w.pid} exited by itself (code ${w.child.exitCode}); started worker ${replacement.pid} (${expired} lease(s) fast-forwarded)`,
      );
    }
  }

  async function killWeb(): Promise<void> {
    webKilledByUs = true;
    sandbox.app.process.kill('SIGKILL');
    await sandbox.app.stop();
    note('SIGKILL web process');
    await sleep(random.int(500, 2_000));
    sandbox.app = await startApp({ port: sandbox.appPort, env: { ...sandbox.appEnv, RUN_WORKER: 'false' } });
    webKilledByUs = false;
    note('web process back');
  }

  async function outage(): Promise<void> {
    // A server restart disturbs everything on that server: keep its window short.
    const ms = OUTAGE === 'restart' ? Math.min(SIZE.outageMs, 1_500) : SIZE.outageMs;
    note(`database outage (${OUTAGE}, ${ms} ms)`);
    await databaseOutage(OUTAGE, database.url, ms);
    note('database back');
  }

  async function rotateFaults(): Promise<void> {
    const mode = random.pick(FAULT_MODES);
    const rate = random.pick([0.1, 0.2, 0.3]);
    await betaproControl(sandbox.betapro.controlUrl, '/faults', { mode, rate });
    note(`BetaPRO faults: ${mode} ${rate}`);
  }

  /** MoySklad's deliveries again: some with the same requestId (duplicates), some as new deliveries, shuffled. */
  async function replayDeliveries(): Promise<void> {
    const log = ms().deliveries({ accountId: account.accountId });
    const hooks = random.shuffle(log.filter((d) => d.kind === 'webhook')).slice(0, random.int(2, 8));
    const scenarios = random.shuffle(log.filter((d) => d.kind === 'scenario')).slice(0, random.int(0, 3));
    const calls: Array<Promise<unknown>> = [];
    for (const d of hooks) {
      const base = d.url.split('?')[0];
      const copies = random.int(1, 3);
      for (let i = 0; i < copies; i++) {
        const requestId = random.chance(0.5) ? d.requestId : randomUUID();
        calls.push(
          fetch(`${base}?requestId=${requestId}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(d.body),
            signal: AbortSignal.timeout(5_000),
          }).catch(() => undefined),
        );
      }
    }
    for (const d of scenarios) {
      calls.push(
        (async () =>
          fetch(d.url, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              authorization: `Bearer ${await vendorJwt()}`,
              'X-Lognex-RequestId': random.chance(0.5) ? d.requestId : randomUUID(),
            },
            body: JSON.stringify(d.body),
            signal: AbortSignal.timeout(10_000),
          }))().catch(() => undefined),
      );
    }
    await Promise.all(calls);
    note(`replayed ${hooks.length} webhook(s) (duplicated, out of order) and ${scenarios.length} scenario call(s)`);
  }

  async function ensureWorkers(n: number): Promise<void> {
    while (workers.filter(alive).length < n) spawnWorker();
  }

  // ---------------------------------------------------------------- the run

  it('keeps every invariant', async () => {
    const chaosUntil = Date.now() + SIZE.chaosMs;
    const outageAt = Array.from({ length: SIZE.outages }, (_, i) => Date.now() + (SIZE.chaosMs * (i + 1)) / (SIZE.outages + 1));
    const webKillAt = Date.now() + SIZE.chaosMs * 0.3;
    let webKilled = false;
    let stop = false;

    // The clerks and the warehouse, all along.
    const driver = (async () => {
      const perWave = Math.ceil(SIZE.documents / SIZE.waves);
      const waveEvery = SIZE.chaosMs / (SIZE.waves + 1);
      let nextWave = Date.now();
      while (!stop) {
        if (docs.length < SIZE.documents && Date.now() >= nextWave) {
          for (let i = 0; i < perWave && docs.length < SIZE.documents; i++) docs.push(createDoc(docs.length));
          note(`created documents up to #${docs.length}`);
          nextWave += waveEvery;
        }
        await drive().catch((error) => note(`driver: ${String(error)}`));
        await sleep(500);
      }
    })();

    // The monkey: one fault at a time.
    await rotateFaults();
    while (Date.now() < chaosUntil) {
      await sleep(random.int(1_500, 3_500));
      await replaceCrashedWorkers();
      if (outageAt.length && Date.now() >= outageAt[0]) {
        outageAt.shift();
        await outage();
        continue;
      }
      if (!webKilled && Date.now() >= webKillAt) {
        webKilled = true;
        await killWeb();
        continue;
      }
      const roll = random.next();
      if (roll < 0.45) await killWorker();
      else if (roll < 0.65) await rotateFaults();
      else await replayDeliveries();
    }
    while (outageAt.length) {
      outageAt.shift();
      await outage();
    }

    // Calm: faults off, workers up; everything must converge.
    await betaproControl(sandbox.betapro.controlUrl, '/faults', { mode: 'none', rate: 0 });
    await ensureWorkers(2);
    note('chaos over: faults off, waiting for convergence');
    const settleUntil = Date.now() + SIZE.settleMs;
    const finalState = (doc: ChaosDoc) => (doc.receive ? 'Проведён' : 'Передан');
    while (Date.now() < settleUntil) {
      await replaceCrashedWorkers();
      const waiting = docs.filter((d) => msDoc(d).state?.name !== finalState(d) || (d.receive && !d.receipt) || d.pendingWidget > 0);
      if (!waiting.length) break;
      await sleep(1_000);
    }
    stop = true;
    await driver;
    note('settled');
    await sleep(1_500); // anything still running would show as a duplicate now

    // ------------------------------------------------------------ invariants
    const problems: string[] = [];
    /**
     * Repeated side effects of a job re-run after a crash or a lost database write, while the remote
     * effect itself happened once (one task, one posting): a second log line in the comment, a second
     * event in the timeline. They fail the run (strict mode, the default); CHAOS_STRICT=0 only reports them.
     */
    const duplicates: string[] = [];
    const state = await betaproState(sandbox.betapro.controlUrl);
    const partner = state.partners[0];
    const tasksByDoc = new Map<string, string[]>();
    for (const indoc of partner.indocs) {
      const parsed = parseIndocId(indoc.indoc_id);
      if (parsed) tasksByDoc.set(parsed.documentId, [...(tasksByDoc.get(parsed.documentId) ?? []), indoc.indoc_id]);
    }
    const audit = (
      ms().sim.account(account.accountId) as unknown as {
        auditEvents: Array<{ entityId: string; diff?: Record<string, { oldValue: unknown; newValue: unknown }> }>;
      }
    ).auditEvents;
    // Plans and outdocs are stored as gzip-compressed JSON (lib/db/packed-json.ts).
    const unpack = (packed: Buffer | null): unknown => (packed ? JSON.parse(gunzipSync(packed).toString('utf8')) : null);
    const dbDocs = (
      await withDatabase(
        database.url,
        async (c) =>
          (
            await c.query('SELECT "id", "entity", "msId", "state", "planPacked", "errors" FROM "SyncDocument" WHERE "accountId" = $1', [
              account.accountId,
            ])
          ).rows as Array<{
            id: string;
            entity: string;
            msId: string;
            state: string;
            planPacked: Buffer | null;
            errors: unknown;
          }>,
      )
    ).map((d) => ({
      ...d,
      plan: unpack(d.planPacked) as { lines: PlanLine[]; positionQuantities?: Record<string, number> } | null,
    }));
    const dbOutdocs = (
      await withDatabase(
        database.url,
        async (c) =>
          (
            await c.query('SELECT "outdocId", "documentId", "kind", "stage", "rawPacked" FROM "Outdoc" WHERE "accountId" = $1', [
              account.accountId,
            ])
          ).rows as Array<{
            outdocId: string;
            documentId: string | null;
            kind: string;
            stage: string;
            rawPacked: Buffer | null;
          }>,
      )
    ).map((o) => ({ ...o, raw: unpack(o.rawPacked) }));
    const deadJobs = await withDatabase(
      database.url,
      async (c) =>
        (await c.query(`SELECT "kind", "payload", "lastError" FROM "Job" WHERE "state" = 'dead'`)).rows as Array<{
          kind: string;
          payload: unknown;
          lastError: string;
        }>,
    );

    for (const doc of docs) {
      const label = `${doc.entity} ${doc.id} (${doc.trigger}${doc.extraTrigger ? `+${doc.extraTrigger}` : ''})`;
      const current = msDoc(doc);
      const tasks = tasksByDoc.get(doc.id) ?? [];
      // 1. In BetaPRO exactly once, «Передан» or later.
      if (tasks.length !== 1) problems.push(`${label}: ${tasks.length} BetaPRO task(s) ${tasks.join(', ')}`);
      if (current.state?.name !== finalState(doc)) {
        const view = await documentView(sandbox, account.adminSession, doc.entity, doc.id).catch(() => undefined);
        problems.push(
          `${label}: MoySklad status «${current.state?.name}», expected «${finalState(doc)}»; app state ${view?.state}, errors ${JSON.stringify(view?.errors)}`,
        );
        continue;
      }
      const view = await documentView(sandbox, account.adminSession, doc.entity, doc.id);
      const created = view.events.filter((e) => e.kind === 'task_created').length;
      if (created !== 1) duplicates.push(`${label}: ${created} "task_created" events`);
      const sentLines = (current.description ?? '').split('\n').filter((l) => l.includes('Передан в БетаПРО')).length;
      if (sentLines !== 1) duplicates.push(`${label}: ${sentLines} «Передан в БетаПРО» lines in the comment`);
      if (!doc.receive || !doc.receipt) continue;

      // 2. Applied exactly once.
      const postings = audit.filter((e) => e.entityId === doc.id && e.diff?.applicable && e.diff.applicable.newValue === true).length;
      if (postings !== 1) problems.push(`${label}: posted ${postings} times in MoySklad's audit`);
      const positionWrites = audit.filter((e) => e.entityId === doc.id && e.diff?.positions).length;
      if (positionWrites > 1) problems.push(`${label}: positions rewritten ${positionWrites} times`);
      const postLines = (current.description ?? '').split('\n').filter((l) => l.includes('Проведён по факту приёмки БетаПРО')).length;
      if (postLines !== 1) duplicates.push(`${label}: ${postLines} posting lines in the comment`);
      const postedEvents = view.events.filter((e) => e.kind === 'posted').length;
      if (postedEvents !== 1) duplicates.push(`${label}: ${postedEvents} "posted" events`);
      if (current.applicable !== true) problems.push(`${label}: not applicable`);

      // 3. The posted document equals its projection.
      const actual = new Map<string, { quantity: number; price: number }>();
      for (const row of current.positions?.rows ?? []) {
        const key = row.assortment.article ?? row.assortment.name ?? '?';
        const seen = actual.get(key);
        actual.set(key, { quantity: (seen?.quantity ?? 0) + row.quantity, price: row.price });
      }
      const asked = Object.fromEntries([...doc.receipt.expected].sort());
      const got = Object.fromEntries([...actual].map(([k, v]) => [k, v.quantity]).sort());
      if (JSON.stringify(asked) !== JSON.stringify(got))
        problems.push(`${label}: positions ${JSON.stringify(got)}, the warehouse received ${JSON.stringify(asked)}`);
      for (const p of doc.plan) {
        const row = actual.get(p.article);
        if (row && row.price !== p.price) problems.push(`${label}: ${p.article} price ${row.price}, planned ${p.price}`);
      }
      for (const extra of doc.receipt.unexpected) {
        const row = actual.get(extra);
        if (row && row.price !== buyPrice[extra])
          problems.push(`${label}: unexpected ${extra} priced ${row.price}, buy price ${buyPrice[extra]}`);
      }
      const stored = dbDocs.find((d) => d.msId === doc.id);
      if (!stored?.plan) {
        problems.push(`${label}: no stored plan`);
        continue;
      }
      const receipts = dbOutdocs.filter((o) => o.documentId === stored.id && o.kind === 'goods_supply').map((o) => receiptFromRaw(o.raw));
      const unexpected = new Map<string, UnexpectedGood>(
        doc.receipt.unexpected.map((a) => [
          a,
          {
            assortment: { href: ms().meta('product', productOf(a).id).meta.href, type: 'product' },
            name: a,
            price: buyPrice[a],
            priceSource: 'buyPrice',
          },
        ]),
      );
      const projection = projectReceipt({
        plan: stored.plan.lines,
        receipts,
        policy: { defective: 'received' },
        unexpected,
        positionQuantities: stored.plan.positionQuantities ? new Map(Object.entries(stored.plan.positionQuantities)) : undefined,
      });
      const projected = Object.fromEntries(projection.positions.map((p) => [p.goodId, p.quantity]).sort());
      if (JSON.stringify(projected) !== JSON.stringify(got))
        problems.push(`${label}: positions ${JSON.stringify(got)}, projection ${JSON.stringify(projected)}`);
    }

    // Outdocs: every one BetaPRO issued for our tasks is locked there and stored and applied here, once.
    const ourTasks = new Set([...tasksByDoc.values()].flat());
    const issued = partner.outdocs.filter((o) => !o.deleted && ourTasks.has(o.task_id ?? o.indoc_id ?? ''));
    for (const o of issued) {
      if (!o.locked) problems.push(`outdoc ${o.outdoc_id} (${o.indoc_id}) not locked in BetaPRO`);
      const rows = dbOutdocs.filter((r) => Number(r.outdocId) === o.outdoc_id);
      if (rows.length !== 1 || rows[0].stage !== 'applied')
        problems.push(`outdoc ${o.outdoc_id}: stored ${rows.length} time(s), stage ${rows.map((r) => r.stage).join(',')}`);
    }
    for (const r of dbOutdocs) {
      if (!issued.some((o) => o.outdoc_id === Number(r.outdocId)))
        problems.push(`outdoc ${r.outdocId} stored but not issued by BetaPRO for our tasks`);
    }
    // Every document of the account the app knows is one we triggered.
    for (const d of dbDocs)
      if (!docs.some((doc) => doc.id === d.msId)) problems.push(`unexpected sync document ${d.entity} ${d.msId} (${d.state})`);

    // Processes: only the ones the suite killed may have died.
    for (const w of crashed) {
      const firstError =
        w
          .logs()
          .split('\n')
          .find((l) => /Error|error/.test(l)) ?? '';
      problems.push(
        `worker process ${w.pid} exited by itself (code ${w.child.exitCode}, signal ${w.child.signalCode}): ${firstError.slice(0, 300)}`,
      );
    }
    if (!webKilledByUs && sandbox.app.process.exitCode !== null)
      problems.push(`web process exited by itself (code ${sandbox.app.process.exitCode})`);
    if (duplicates.length)
      console.warn(`[chaos] repeated side effects${STRICT ? '' : ' (reported only: CHAOS_STRICT=0)'}:\n${duplicates.join('\n')}`);
    if (STRICT) problems.push(...duplicates);

    const summary = {
      seed: SEED,
      documents: docs.length,
      received: docs.filter((d) => d.receipt).length,
      partial: docs.filter((d) => (d.receipt?.parts.length ?? 0) > 1).length,
      outdocs: issued.length,
      workersStarted: workers.length,
      workersKilled: killedWorkerLogs.length,
      workersCrashed: crashed.size,
      duplicates: duplicates.length,
      deadJobs: deadJobs.map((j) => `${j.kind}: ${j.lastError?.slice(0, 160)}`),
      elapsedSec: Math.round((Date.now() - started) / 1000),
    };
    console.log(`[chaos] summary ${JSON.stringify(summary, null, 2)}`);
    if (problems.length) {
      console.log(`[chaos] web log tail:\n${sandbox.app.logs().slice(-6000)}`);
      for (const w of workers) console.log(`[chaos] worker ${w.pid} log tail:\n${w.logs().slice(-3000)}`);
    }
    expect(problems, `invariants broken (CHAOS_SEED=${SEED} replays the choices)`).toEqual([]);
  });
});

/**
 * Webhook intake latency: MoySklad-shaped deliveries POSTed to the app's webhook URL at a fixed rate
 * (open loop: a request is sent every 1000/rate ms whether or not earlier ones answered), each with
 * its own requestId. The events are UPDATEs of a supply's description: the app accepts and queues
 * each delivery (the measured part); the queued job then finds no status change and reads nothing, so
 * the run does not leave a backlog of MoySklad reads behind it.
 */
import { distribution, round, type Distribution } from './stats';
import { createSupply, sleep, type BenchAccount, type BenchSandbox } from './fixtures';

const DOCUMENTS = 20;
const WARM_UP_REQUESTS = 2000;

export interface WebhookResult {
  database: 'pglite' | 'postgres';
  targetRatePerSec: number;
  achievedRatePerSec: number;
  requests: number;
  /** Answers other than 204 (or network errors). */
  errors: number;
  latencyMs: Distribution;
  /** 100 deliveries one at a time before the run: the cost of one intake without queueing. */
  sequentialLatencyMs: Distribution;
  /** From the first request to the last answer. */
  windowSec: number;
  /** CPU seconds the receiving app process (and, embedded, its worker draining the queued jobs) used in the window. */
  receiverCpuSec: number;
}

/** The account's webhook URL as MoySklad delivers to it (from the simulator's delivery log). */
async function webhookUrl(sandbox: BenchSandbox, account: BenchAccount, productIds: string[]): Promise<string> {
  const ms = sandbox.moysklad;
  const find = () =>
    ms
      .deliveries({ accountId: account.accountId, kind: 'webhook' })
      .map((d) => d.url)
      .find((u) => u.includes('/api/moysklad/webhooks/'));
  let url = find();
  if (!url) {
    // A document created with webhooks on makes MoySklad deliver a CREATE webhook.
    ms.createDocument(account.accountId, 'supply', {
      organization: ms.meta('organization', account.seed.organizationId),
      agent: ms.meta('counterparty', account.seed.counterpartyId),
      store: ms.meta('store', account.seed.stores.main),
      positions: [{ quantity: 1, price: 100, assortment: ms.meta('product', productIds[0]) }],
    });
    await ms.idle();
    url = find();
  }
  if (!url) throw new Error('no webhook delivery URL found for the account');
  return url.split('?')[0];
}

export async function measureWebhookIntake(
  sandbox: BenchSandbox,
  account: BenchAccount,
  productIds: string[],
  database: 'pglite' | 'postgres',
  ratePerSec: number,
  durationSec: number,
  receiverCpuSec: () => number,
): Promise<WebhookResult> {
  const base = await webhookUrl(sandbox, account, productIds);
  const docIds: string[] = [];
  for (let i = 0; i < DOCUMENTS; i++) docIds.push(await createSupply(sandbox, account, productIds.slice(0, 1)));
  const ms = sandbox.moysklad;
  const bodies = docIds.map((docId) =>
    JSON.stringify({
      auditContext: {
        meta: { type: 'audit', href: `${ms.apiUrl}/audit/bench` },
        moment: '2026-11-28 12:00:00',
        uid: 'admin@bench',
      },
      events: [
        {
          meta: { type: 'supply', href: `${ms.apiUrl}/entity/supply/${docId}` },
          action: 'UPDATE',
          accountId: account.accountId,
          updatedFields: ['state'],
        },
      ],
    }),
  );
  let sent = 0;
  const post = (requestId: string) =>
    fetch(`${base}?requestId=${requestId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: bodies[sent++ % bodies.length],
    });
  // Warm the route up: the first requests load its code, and V8 optimises the hot path only after
  // some thousand calls (until then the background compiler also takes CPU from the process). The
  // figure wanted is a running server's, not a just-started one's.
  let warm = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (warm++ < WARM_UP_REQUESTS) await (await post(crypto.randomUUID())).arrayBuffer();
    }),
  );
  const sequential: number[] = [];
  for (let i = 0; i < 100; i++) {
    const t = performance.now();
    await (await post(crypto.randomUUID())).arrayBuffer();
    sequential.push(performance.now() - t);
  }
  await sleep(2000);
  const cpu0 = receiverCpuSec();

  const total = Math.round(ratePerSec * durationSec);
  const intervalMs = 1000 / ratePerSec;
  const latencies: number[] = [];
  let errors = 0;
  const inflight: Promise<void>[] = [];
  const start = performance.now();
  for (let i = 0; i < total; i++) {
    const due = start + i * intervalMs;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    const sent = performance.now();
    inflight.push(
      post(crypto.randomUUID()).then(
        async (res) => {
          await res.arrayBuffer();
          latencies.push(performance.now() - sent);
          if (res.status !== 204) errors++;
        },
        () => {
          latencies.push(performance.now() - sent);
          errors++;
        },
      ),
    );
  }
  const sendingSec = (performance.now() - start) / 1000;
  await Promise.race([Promise.all(inflight), sleep(60_000)]);
  const windowSec = (performance.now() - start) / 1000;
  const cpu = receiverCpuSec() - cpu0;
  return {
    sequentialLatencyMs: distribution(sequential),
    windowSec: round(windowSec, 2),
    receiverCpuSec: round(cpu, 2),
    database,
    targetRatePerSec: ratePerSec,
    achievedRatePerSec: round(total / sendingSec),
    requests: total,
    errors: errors + (total - latencies.length),
    latencyMs: distribution(latencies),
  };
}

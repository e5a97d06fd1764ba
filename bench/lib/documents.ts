/**
 * One document's round trip, measured: trigger → "Передан" and final outdoc visible → "Проведён",
 * with the MoySklad and BetaPRO calls each step made (counters reset before, settled after).
 */
import { betaproCalls, moyskladCalls, resetCounters, settle, type CallCount } from './counters';
import { control, sleep, waitView, widgetAction, type BenchAccount, type BenchSandbox } from './fixtures';

export interface StepResult {
  /** Server-side time of the state change minus the client-side time of the trigger (ms). */
  latencyMs: number;
  moysklad: CallCount;
  betapro: CallCount;
}

export interface TransferResult extends StepResult {
  indocId: string;
  /** Server-side event times relative to the trigger: `requested` (intake), `task_created` (BetaPRO task made), `sent`. */
  phasesMs: { requested: number; taskCreated: number; sent: number };
}

/** Sends a supply with the widget action and waits for state `sent` ("Передан" is written just before). */
export async function measureTransfer(
  sandbox: BenchSandbox,
  account: BenchAccount,
  id: string,
  options: { timeoutMs: number; count?: boolean; jitterMs?: number },
): Promise<TransferResult> {
  if (options.count !== false) {
    await settle(sandbox, 400);
    await resetCounters(sandbox);
  }
  // A random pause so the trigger does not fall in step with the worker's idle polling.
  if (options.jitterMs) await sleep(Math.random() * options.jitterMs);
  const t0 = Date.now();
  await widgetAction(sandbox, account, id, 'send');
  const view = await waitView(sandbox, account, id, (v) => v.state === 'sent' && Boolean(v.sentAt), options.timeoutMs, 20);
  const latencyMs = Date.parse(view.sentAt!) - t0;
  const at = (kind: string) => {
    const event = view.events.find((e) => e.kind === kind);
    return event ? Date.parse(event.at) - t0 : NaN;
  };
  if (options.count !== false) await settle(sandbox);
  return {
    indocId: view.indocId!,
    phasesMs: { requested: at('requested'), taskCreated: at('task_created'), sent: latencyMs },
    latencyMs,
    moysklad: moyskladCalls(sandbox, [account.accountId]),
    betapro: await betaproCalls(sandbox, [account.partnerId]),
  };
}

export type ReceiptKind = 'exact' | 'differences';

/**
 * The warehouse issues the final goods_supply (exactly as planned, or with 1 % of the lines — at least
 * one — short by one piece); then "check now" (poll wait excluded) and wait for `posted`.
 */
export async function measureReceipt(
  sandbox: BenchSandbox,
  account: BenchAccount,
  id: string,
  indocId: string,
  plan: Array<{ goodId: string; quantity: number }>,
  kind: ReceiptKind,
  options: { timeoutMs: number; count?: boolean; jitterMs?: number },
): Promise<StepResult> {
  if (options.count !== false) {
    await settle(sandbox, 400);
    await resetCounters(sandbox);
  }
  if (options.jitterMs) await sleep(Math.random() * options.jitterMs);
  const body =
    kind === 'exact'
      ? { final: true }
      : {
          final: true,
          items: plan.map((line, i) => ({
            good_id: line.goodId,
            useful_qnt: i % 100 === 0 ? line.quantity - 1 : line.quantity,
            defective_qnt: 0,
          })),
        };
  await control(sandbox, `/indocs/${encodeURIComponent(indocId)}/receive?partner=${encodeURIComponent(account.partnerId)}`, body);
  const t1 = Date.now();
  await widgetAction(sandbox, account, id, 'check');
  let lastCheck = Date.now();
  const view = await waitView(
    sandbox,
    account,
    id,
    (v) => v.state === 'posted' && Boolean(v.postedAt),
    options.timeoutMs,
    20,
    async (v) => {
      // A check that raced an in-flight poll is repeated (bounded by the timeout); "poll wait" is excluded by design.
      if (Date.now() - lastCheck > 5_000 && v.actions.check.enabled) {
        lastCheck = Date.now();
        await widgetAction(sandbox, account, id, 'check');
      }
    },
  );
  const latencyMs = Date.parse(view.postedAt!) - t1;
  if (options.count !== false) await settle(sandbox);
  return {
    latencyMs,
    moysklad: moyskladCalls(sandbox, [account.accountId]),
    betapro: await betaproCalls(sandbox, [account.partnerId]),
  };
}

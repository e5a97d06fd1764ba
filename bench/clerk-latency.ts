/**
 * npx tsx bench/clerk-latency.ts [runs] — what a clerk waits for in the widget (issue 16, "Instant
 * feedback"), measured in Chromium on the demo's composition: the production build on the embedded
 * database with its in-process worker, both simulators, the MoySklad host page.
 *
 *  - click «Передать на склад» → «Передан» visible in the widget;
 *  - status «Передать» + Save in the host form → «Передан» visible (webhook → job → push);
 *  - a receipt applied by the worker (the document's `postedAt`, server clock) → «Проведён» visible in an
 *    open widget (same machine, same clock); the poll is started by «Проверить приёмку» from another
 *    session, as another clerk would.
 *
 * Also the click figure with the live stream blocked (what the widget did before: polling), for
 * comparison. Targets: p95 ≤ 1 s, ≤ 2 s, ≤ 2 s. `npm run bench` runs it as its "clerk" section.
 */
import { chromium, type Browser, type Page } from 'playwright-core';
import type { DocumentView } from '@/lib/api/contract';
import { chromiumArgs, findChromium } from '../test/support/chromium';
import {
  api,
  BETAPRO_PARTNER,
  createSupply,
  documentView,
  installAndConfigure,
  startSandbox,
  waitFor,
  type ConfiguredAccount,
} from '../test/support/sandbox';
import { distribution, type Distribution } from './lib/stats';

export interface ClerkLatencyResult {
  runs: number;
  clickToSentMs: Distribution;
  statusSaveToSentMs: Distribution;
  receiptAppliedToVisibleMs: Distribution;
  /** The click figure with the widget's live stream blocked (polling only), for comparison. */
  clickToSentWithoutPushMs: Distribution;
  /**
   * The part the widget controls: the document's `sentAt` (server clock, same machine) → «Передан»
   * visible, over the click and Save runs; the rest of each figure is the server's own work.
   */
  serverSentToVisibleMs: Distribution;
  serverSentToVisibleWithoutPushMs: Distribution;
}

export const CLERK_TARGETS = {
  clickToSentP95Ms: 1_000,
  statusSaveToSentP95Ms: 2_000,
  receiptAppliedToVisibleP95Ms: 2_000,
};

type Sandbox = Awaited<ReturnType<typeof startSandbox>>;

async function newPageOn(
  browser: Browser,
  sandbox: Sandbox,
  account: ConfiguredAccount,
  id: string,
  state: string,
  push = true,
): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  let streams = 0;
  if (push) page.on('response', (res) => void (res.url().endsWith(`/${id}/events`) && res.status() === 200 && (streams += 1)));
  else await page.route(`**/${id}/events`, (route) => route.abort());
  await page.goto(`${sandbox.moysklad.uiUrl}/supply/${id}?accountId=${account.accountId}&employee=admin`);
  await page.frameLocator('#widget').locator(`[data-testid="sync-state"][data-state="${state}"]`).waitFor({ timeout: 60_000 });
  // Measured from a widget at rest, as a clerk meets it: open, stream connected, first reads done.
  if (push) await waitFor('the live stream', async () => streams > 0, 20_000);
  await page.waitForTimeout(1_000);
  return page;
}

async function visibleAfter(page: Page, state: string): Promise<number> {
  await page.frameLocator('#widget').locator(`[data-testid="sync-state"][data-state="${state}"]`).waitFor({ timeout: 60_000 });
  return Date.now();
}

export async function measureClerkLatency(
  options: { runs?: number; log?: (...args: unknown[]) => void; appEnv?: Record<string, string> } = {},
): Promise<ClerkLatencyResult> {
  const runs = options.runs ?? 10;
  const log = options.log ?? (() => undefined);
  const executablePath = findChromium();
  if (!executablePath) throw new Error('No Chromium: apt-get install -y chromium');
  // «Проверить приёмку» is limited to once per 15 s per account; the receipt runs follow each other faster.
  const sandbox = await startSandbox({ appEnv: { RECEIPT_CHECK_MIN_INTERVAL_SEC: '0', ...options.appEnv } });
  const browser = await chromium.launch({ executablePath, args: chromiumArgs() });
  try {
    const account = await installAndConfigure(sandbox, 'clerk-latency');
    const product = account.seed.products.find((p) => p.article === 'NB-A5')!;
    const supply = (state?: string) => createSupply(sandbox, account, { state, positions: [{ productId: product.id, quantity: 3 }] });
    const action = (id: string, name: string) =>
      api<DocumentView>(sandbox.app.url, `/api/widget/documents/supply/${id}/actions`, {
        token: account.adminSession,
        body: { action: name },
      });

    const click: number[] = [];
    const clickPolling: number[] = [];
    const tail: number[] = [];
    const tailPolling: number[] = [];
    const sentAt = async (id: string) => Date.parse((await documentView(sandbox, account.adminSession, 'supply', id)).sentAt!);
    for (let i = 0; i < runs + Math.ceil(runs / 2); i++) {
      const push = i < runs;
      const id = supply();
      const page = await newPageOn(browser, sandbox, account, id, 'not_sent', push);
      const started = Date.now();
      await page.frameLocator('#widget').getByRole('button', { name: 'Передать на склад' }).click();
      const visibleAt = await visibleAfter(page, 'sent');
      (push ? click : clickPolling).push(visibleAt - started);
      (push ? tail : tailPolling).push(visibleAt - (await sentAt(id)));
      await page.close();
    }
    log('clerk: click → «Передан»', click, 'without push', clickPolling, 'sentAt → visible', tail, tailPolling);

    const save: number[] = [];
    for (let i = 0; i < runs; i++) {
      const id = supply('Новый');
      const page = await newPageOn(browser, sandbox, account, id, 'not_sent');
      await page.locator('#f-state').selectOption({ label: 'Передать' });
      const started = Date.now();
      await page.locator('#save').click();
      const visibleAt = await visibleAfter(page, 'sent');
      save.push(visibleAt - started);
      tail.push(visibleAt - (await sentAt(id)));
      await page.close();
    }
    log('clerk: status «Передать» + Save → «Передан»', save);

    const receipt: number[] = [];
    for (let i = 0; i < runs; i++) {
      const id = supply();
      await action(id, 'send');
      const sent = await waitFor('sent', async () => {
        const v = await documentView(sandbox, account.adminSession, 'supply', id);
        return v.state === 'sent' ? v : undefined;
      });
      const page = await newPageOn(browser, sandbox, account, id, 'sent');
      const received = await fetch(
        `${sandbox.betapro.controlUrl}/indocs/${encodeURIComponent(sent.indocId!)}/receive?partner=${encodeURIComponent(BETAPRO_PARTNER.partnerId)}`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ final: true }),
        },
      );
      if (received.status >= 300) throw new Error(`BetaPRO receive: ${received.status}`);
      await action(id, 'check');
      const visibleAt = await visibleAfter(page, 'posted');
      const posted = await documentView(sandbox, account.adminSession, 'supply', id);
      receipt.push(visibleAt - Date.parse(posted.postedAt!));
      await page.close();
    }
    log('clerk: receipt applied → visible', receipt);

    return {
      runs,
      clickToSentMs: distribution(click),
      statusSaveToSentMs: distribution(save),
      receiptAppliedToVisibleMs: distribution(receipt),
      clickToSentWithoutPushMs: distribution(clickPolling),
      serverSentToVisibleMs: distribution(tail),
      serverSentToVisibleWithoutPushMs: distribution(tailPolling),
    };
  } finally {
    await browser.close();
    await sandbox.stop();
  }
}

/** The three checks for the bench's target table. */
export function clerkTargetChecks(result: ClerkLatencyResult) {
  const check = (id: string, target: string, d: Distribution, limit: number) => ({
    id,
    target,
    measured: `p50 ${d.p50} ms, p95 ${d.p95} ms, max ${d.max} ms (${d.samples} runs)`,
    pass: d.samples ? d.p95 <= limit : null,
  });
  return [
    check(
      'clerk_click_to_sent',
      'widget click «Передать на склад» → «Передан» visible: p95 ≤ 1 s',
      result.clickToSentMs,
      CLERK_TARGETS.clickToSentP95Ms,
    ),
    check(
      'clerk_status_save_to_sent',
      'status «Передать» + Save in the host form → «Передан» visible: p95 ≤ 2 s',
      result.statusSaveToSentMs,
      CLERK_TARGETS.statusSaveToSentP95Ms,
    ),
    check(
      'clerk_receipt_to_visible',
      'receipt applied by the worker → visible in an open widget: ≤ 2 s (p95)',
      result.receiptAppliedToVisibleMs,
      CLERK_TARGETS.receiptAppliedToVisibleP95Ms,
    ),
  ];
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  const runs = Number(process.argv[2] ?? 10);
  const result = await measureClerkLatency({ runs, log: (...args) => console.error(...args) });
  console.log(JSON.stringify({ ...result, targets: clerkTargetChecks(result) }, null, 2));
  process.exit(0);
}

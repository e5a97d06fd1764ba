/**
 * npx tsx bench/widget-first-render.ts — time from opening a supply in the MoySklad host page to the
 * widget showing its sync state (production build, real app, both simulators, Chromium), and the
 * widget route's JavaScript transferred (gzip). Issue 8's targets: ≤ 1 s and ≤ 250 KB.
 */
import { chromium } from 'playwright-core';
import { chromiumArgs, findChromium } from '../test/support/chromium';
import { createSupply, installAndConfigure, startSandbox } from '../test/support/sandbox';

const executablePath = findChromium();
if (!executablePath) {
  console.error('No Chromium: apt-get install -y chromium');
  process.exit(2);
}
const sandbox = await startSandbox();
const browser = await chromium.launch({ executablePath, args: chromiumArgs() });
try {
  const account = await installAndConfigure(sandbox, 'render-shop');
  const product = account.seed.products.find((p) => p.article === 'TS-WHITE')!;
  const id = createSupply(sandbox, account, { positions: [{ productId: product.id, quantity: 3 }] });
  const samples: number[] = [];
  let scriptBytes = 0;
  for (let i = 0; i < 6; i++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    let bytes = 0;
    page.on('response', async (res) => {
      if (res.url().startsWith(sandbox.app.url) && res.request().resourceType() === 'script') {
        const size = Number((await res.allHeaders())['content-length'] ?? 0) || (await res.body().catch(() => Buffer.alloc(0))).length;
        bytes += size;
      }
    });
    const started = performance.now();
    await page.goto(`${sandbox.moysklad.uiUrl}/supply/${id}?accountId=${account.accountId}&employee=admin`);
    await page.frameLocator('#widget').locator('[data-testid="sync-state"]').waitFor({ timeout: 30_000 });
    samples.push(Math.round(performance.now() - started));
    if (i === 0) scriptBytes = bytes;
    await context.close();
  }
  const sorted = [...samples].sort((a, b) => a - b);
  console.log(
    JSON.stringify(
      {
        firstRenderMs: {
          coldFirstOpen: samples[0],
          samples,
          p50: sorted[Math.floor(sorted.length / 2)],
          max: sorted[sorted.length - 1],
        },
        widgetScriptBytesFirstOpen: scriptBytes,
      },
      null,
      2,
    ),
  );
} finally {
  await browser.close();
  await sandbox.stop();
}

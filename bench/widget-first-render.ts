/**
 * npx tsx bench/widget-first-render.ts — time from opening a supply in the MoySklad host page to the
 * widget showing its sync state (production build, real app, both simulators, Chromium), and the
 * widget route's JavaScript: every script the page loads on its first open, each gzipped (level 9, what
 * a CDN or the server would send), summed. Targets (issues 8 and 16): ≤ 1 s and ≤ 250 KB gzip.
 * Scripts loaded later on demand (next/dynamic parts, the other language) are not in that sum.
 */
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { chromiumArgs, findChromium } from '../test/support/chromium';
import { createSupply, installAndConfigure, startSandbox } from '../test/support/sandbox';

const executablePath = findChromium();
if (!executablePath) {
  console.error('No Chromium: apt-get install -y chromium');
  process.exit(2);
}
function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

const sandbox = await startSandbox();
const browser = await chromium.launch({ executablePath, args: chromiumArgs() });
try {
  const account = await installAndConfigure(sandbox, 'render-shop');
  const product = account.seed.products.find((p) => p.article === 'TS-WHITE')!;
  const id = createSupply(sandbox, account, { positions: [{ productId: product.id, quantity: 3 }] });
  const samples: number[] = [];
  let scripts: Array<{ url: string; bytes: number; gzipBytes: number }> = [];
  for (let i = 0; i < 6; i++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const loaded: Array<Promise<{ url: string; bytes: number; gzipBytes: number }>> = [];
    page.on('response', (res) => {
      if (res.url().startsWith(sandbox.app.url) && res.request().resourceType() === 'script') {
        loaded.push(
          res
            .body()
            .catch(() => Buffer.alloc(0))
            .then((body) => ({ url: new URL(res.url()).pathname, bytes: body.length, gzipBytes: gzipSync(body, { level: 9 }).length })),
        );
      }
    });
    const started = performance.now();
    await page.goto(`${sandbox.moysklad.uiUrl}/supply/${id}?accountId=${account.accountId}&employee=admin`);
    await page.frameLocator('#widget').locator('[data-testid="sync-state"]').waitFor({ timeout: 30_000 });
    samples.push(Math.round(performance.now() - started));
    if (i === 0) scripts = await Promise.all(loaded);
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
        widgetScripts: {
          count: scripts.length,
          decodedBytes: sum(scripts.map((s) => s.bytes)),
          gzipBytes: sum(scripts.map((s) => s.gzipBytes)),
          gzipKB: Math.round(sum(scripts.map((s) => s.gzipBytes)) / 102.4) / 10,
          largest: [...scripts].sort((a, b) => b.gzipBytes - a.gzipBytes).slice(0, 8),
        },
      },
      null,
      2,
    ),
  );
} finally {
  await browser.close();
  await sandbox.stop();
}

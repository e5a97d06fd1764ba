/**
 * Live updates in the MoySklad host page (Chromium, production build): the widget shows what the
 * server has as soon as it has it, through its event stream, not at the next poll. While the stream is
 * open the widget polls only once a minute, and these tests wait far less, so only the push can pass
 * them; the control case blocks the stream and sees the change arrive only by polling (later).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { DocumentView } from '@/lib/api/contract';
import { chromiumArgs, findChromium } from '../support/chromium';
import {
  api,
  BETAPRO_PARTNER,
  createSupply,
  documentView,
  installAndConfigure,
  startSandbox,
  waitFor,
  type ConfiguredAccount,
} from '../support/sandbox';

const executablePath = findChromium();

describe.skipIf(!executablePath)('widget live updates', () => {
  let sandbox: Awaited<ReturnType<typeof startSandbox>>;
  let browser: Browser;
  let account: ConfiguredAccount;

  beforeAll(async () => {
    sandbox = await startSandbox();
    browser = await chromium.launch({ executablePath, args: chromiumArgs() });
    account = await installAndConfigure(sandbox, 'live-shop');
  });
  afterAll(async () => {
    await browser?.close();
    await sandbox?.stop();
  });

  const supply = () =>
    createSupply(sandbox, account, {
      positions: [{ productId: account.seed.products.find((p) => p.article === 'NB-A5')!.id, quantity: 3 }],
    });
  const action = (id: string, name: string) =>
    api<DocumentView>(sandbox.app.url, `/api/widget/documents/supply/${id}/actions`, {
      token: account.adminSession,
      body: { action: name },
    });

  /** Opens the supply in the host page; resolves once the widget shows the state and its stream is open. */
  async function openWidget(
    id: string,
    state: string,
    lang: 'ru' | 'en' = 'ru',
  ): Promise<{ page: Page; streams: { open: number; closed: number } }> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const streams = { open: 0, closed: 0 };
    page.on('response', (res) => {
      if (res.url().endsWith(`/supply/${id}/events`) && res.status() === 200) streams.open += 1;
    });
    page.on('requestfailed', (req) => {
      if (req.url().endsWith(`/supply/${id}/events`)) streams.closed += 1;
    });
    await page.goto(
      `${sandbox.moysklad.uiUrl}/supply/${id}?accountId=${account.accountId}&employee=admin${lang === 'en' ? '&lang=en' : ''}`,
    );
    await page.frameLocator('#widget').locator(`[data-testid="sync-state"][data-state="${state}"]`).waitFor({ timeout: 30_000 });
    await waitFor('the live stream', async () => streams.open - streams.closed >= 1, 10_000);
    return { page, streams };
  }

  it('a transfer requested outside this widget appears at once, with polling once a minute', async () => {
    const id = supply();
    const { page } = await openWidget(id, 'not_sent');
    // Let the widget's own reads after opening settle: from now on only a push can bring the change.
    await page.waitForTimeout(2_500);
    const started = Date.now();
    expect((await action(id, 'send')).status).toBe(202);
    await page.frameLocator('#widget').locator('[data-testid="sync-state"][data-state="sent"]').waitFor({ timeout: 8_000 });
    expect(Date.now() - started).toBeLessThan(8_000);
    await page.close();
  });

  it('without the stream the same change waits for the poll (control: the push is what makes it fast)', async () => {
    const id = supply();
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.route(`**/supply/${id}/events`, (route) => route.abort());
    await page.goto(`${sandbox.moysklad.uiUrl}/supply/${id}?accountId=${account.accountId}&employee=admin`);
    const widget = page.frameLocator('#widget');
    await widget.locator('[data-testid="sync-state"][data-state="not_sent"]').waitFor({ timeout: 30_000 });
    await page.waitForTimeout(2_500);
    expect((await action(id, 'send')).status).toBe(202);
    await waitFor(
      'sent on the server',
      async () => (await documentView(sandbox, account.adminSession, 'supply', id)).state === 'sent',
      10_000,
    );
    // Idle polling is every 15 s: two seconds after the server had it, the widget still shows the old state.
    await page.waitForTimeout(2_000);
    expect(await widget.locator('[data-testid="sync-state"]').getAttribute('data-state')).toBe('not_sent');
    await page.close();
  });

  for (const lang of ['ru', 'en'] as const) {
    it(`[${lang}] a click on the send button shows «Передан» without waiting for a poll`, async () => {
      const id = supply();
      const { page } = await openWidget(id, 'not_sent', lang);
      const widget = page.frameLocator('#widget');
      const started = Date.now();
      await widget.getByRole('button', { name: lang === 'en' ? 'Send to warehouse' : 'Передать на склад' }).click();
      await widget.locator('[data-testid="sync-state"][data-state="sent"]').waitFor({ timeout: 8_000 });
      expect(Date.now() - started).toBeLessThan(8_000);
      await expect(widget.getByTestId('sync-state').textContent()).resolves.toContain(lang === 'en' ? 'Sent to warehouse' : 'Передан');
      await page.close();
    });
  }

  it('a receipt applied by the worker reaches the open widget', async () => {
    const id = supply();
    expect((await action(id, 'send')).status).toBe(202);
    const sent = await waitFor('sent', async () => {
      const v = await documentView(sandbox, account.adminSession, 'supply', id);
      return v.state === 'sent' ? v : undefined;
    });
    const { page } = await openWidget(id, 'sent');
    await page.waitForTimeout(2_500);
    const received = await fetch(
      `${sandbox.betapro.controlUrl}/indocs/${encodeURIComponent(sent.indocId!)}/receive?partner=${encodeURIComponent(BETAPRO_PARTNER.partnerId)}`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ final: true }),
      },
    );
    expect(received.status).toBeLessThan(300);
    // «Проверить приёмку» from elsewhere (another clerk): the worker polls, applies and posts.
    expect((await action(id, 'check')).status).toBeLessThan(300);
    await page.frameLocator('#widget').locator('[data-testid="sync-state"][data-state="posted"]').waitFor({ timeout: 8_000 });
    const posted = await documentView(sandbox, account.adminSession, 'supply', id);
    expect(posted.state).toBe('posted');
    await page.close();
  });

  it('closes the stream while the page is hidden and reopens it when shown', async () => {
    const id = supply();
    const { page, streams } = await openWidget(id, 'not_sent');
    const frame = page.frames().find((f) => f.url().includes('/widget'))!;
    const setVisibility = (state: 'hidden' | 'visible') =>
      frame.evaluate((s) => {
        Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => s });
        document.dispatchEvent(new Event('visibilitychange'));
      }, state);
    const openedBefore = streams.open;
    await setVisibility('hidden');
    await waitFor('the stream closed', async () => streams.closed >= 1, 5_000);
    expect(streams.open - streams.closed).toBe(0);
    await setVisibility('visible');
    await waitFor('the stream reopened', async () => streams.open > openedBefore, 5_000);
    await page.close();
  });
});

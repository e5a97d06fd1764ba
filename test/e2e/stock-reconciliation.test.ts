/**
 * The stock reconciliation tab of the app's main iframe in Chromium (docs/stock-reconciliation.md), in
 * the MoySklad simulator's host page against the real app and the BetaPRO simulator, in Russian and
 * English: «Сверить сейчас», the rows with differences first, the CSV download, the health summary, and
 * no tab for an employee without «Просмотр остатков».
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type FrameLocator, type Page } from 'playwright-core';
import { readFile } from 'node:fs/promises';
import { chromiumArgs, findChromium } from '../support/chromium';
import { installAndConfigure, startSandbox, type ConfiguredAccount, type Sandbox } from '../support/sandbox';
import { stockScenario } from '../support/stock';
import type { EmployeeKind } from '../sandbox/moysklad';

const executablePath = findChromium();

const WORDS = {
  ru: {
    tab: 'Сверка остатков',
    run: 'Сверить сейчас',
    difference: 'Расхождение',
    explained: 'Документы в пути',
    inFlight: /Приёмка .+: 4 шт\. в пути/,
    counts: 'Товаров: 3; расхождений: 1; объясняются документами в пути: 1',
    csvHeader: 'Код на складе;Товар;Статус',
    settingsTab: 'Настройки',
    only: 'Только расхождения',
    health: 'расхождений: 1 товар (',
  },
  en: {
    tab: 'Stock reconciliation',
    run: 'Reconcile now',
    difference: 'Difference',
    explained: 'Documents in flight',
    inFlight: /Supply .+: 4 pcs in flight/,
    counts: 'Goods: 3; differences: 1; explained by documents in flight: 1',
    csvHeader: 'Warehouse code;Product;Status',
    settingsTab: 'Settings',
    only: 'Differences only',
    health: 'differences: 1 product (',
  },
} as const;

describe.skipIf(!executablePath)('stock reconciliation in the MoySklad main iframe', () => {
  let sandbox: Sandbox;
  let browser: Browser;
  let account: ConfiguredAccount;

  beforeAll(async () => {
    sandbox = await startSandbox();
    browser = await chromium.launch({ executablePath, args: chromiumArgs() });
    account = await installAndConfigure(sandbox, 'stock-e2e');
    await stockScenario(sandbox, account);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await sandbox?.stop();
  });

  async function open(employee: EmployeeKind, lang: 'ru' | 'en'): Promise<{ page: Page; app: FrameLocator }> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    await page.goto(
      `${sandbox.moysklad.uiUrl}/settings?accountId=${account.accountId}&employee=${employee}${lang === 'en' ? '&lang=en' : ''}`,
    );
    return { page, app: page.frameLocator('#main-iframe') };
  }

  for (const lang of ['ru', 'en'] as const) {
    const w = WORDS[lang];
    it(`[${lang}] reconciles on request, lists differences first, downloads the CSV`, async () => {
      const { page, app } = await open('admin', lang);
      await app.getByRole('tab', { name: w.tab }).click();
      await app.getByTestId('stock-page').waitFor();
      await app.getByRole('button', { name: w.run }).click();
      // The button shows the run's progress, then the result replaces the previous one.
      await expect.poll(() => app.getByTestId('stock-counts').textContent(), { timeout: 60_000 }).toBe(w.counts);
      await app.getByRole('button', { name: w.run }).waitFor({ timeout: 60_000 });
      const rows = app.getByTestId('stock-row');
      await expect(rows.first().getAttribute('data-good')).resolves.toBe('MUG-300');
      await expect(rows.first().getAttribute('data-status')).resolves.toBe('difference');
      await expect(rows.first().getByTestId('stock-difference').textContent()).resolves.toBe('+2');
      await expect(rows.first().textContent()).resolves.toContain(w.difference);
      const explained = rows.nth(1);
      await expect(explained.getAttribute('data-good')).resolves.toBe('NB-A5');
      await expect(explained.textContent()).resolves.toContain(w.explained);
      await expect(explained.getByTestId('stock-in-flight').textContent()).resolves.toMatch(w.inFlight);
      await expect(app.getByTestId('stock-last-run').textContent()).resolves.toMatch(/\d{2}[./]\d{2}[./]\d{4}/);

      const [download] = await Promise.all([page.waitForEvent('download'), app.getByTestId('stock-csv').click()]);
      expect(download.suggestedFilename()).toMatch(/^stock-reconciliation-\d{4}-\d{2}-\d{2}\.csv$/);
      const csv = await readFile((await download.path())!, 'utf8');
      expect(csv.startsWith('\uFEFF')).toBe(true);
      expect(csv.slice(1).startsWith(w.csvHeader)).toBe(true);
      expect(csv).toContain('MUG-300;');

      // «Только расхождения» leaves the one unexplained row.
      await app.getByLabel(w.only).check();
      await expect.poll(() => rows.count()).toBe(1);

      // The settings tab's health panel carries the summary.
      await app.getByRole('tab', { name: w.settingsTab }).click();
      await expect.poll(() => app.getByTestId('health-stock').textContent(), { timeout: 30_000 }).toContain(w.health);
      await page.close();
    }, 120_000);
  }

  it('an employee without «Просмотр остатков» sees no tab; the clerk with it does', async () => {
    const reader = await open('clerk-readonly', 'ru');
    await reader.app.getByTestId('settings-health').waitFor();
    await expect(reader.app.getByRole('tab', { name: WORDS.ru.tab }).count()).resolves.toBe(0);
    await reader.page.close();
    const clerk = await open('clerk', 'ru');
    await clerk.app.getByRole('tab', { name: WORDS.ru.tab }).click();
    await clerk.app.getByTestId('stock-counts').waitFor();
    await clerk.page.close();
  }, 60_000);
});

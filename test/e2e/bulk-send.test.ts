/**
 * Bulk send in Chromium (docs/bulk-send.md): the MoySklad host's supply list with checkboxes and the
 * solution's list button; select, press, the immediate answer, then the notification of button/complete
 * with its link, and the selected supplies «Передан» — with the host page in Russian and in English.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { chromiumArgs, findChromium } from '../support/chromium';
import { createSupply, installAndConfigure, startSandbox, type ConfiguredAccount, type Sandbox } from '../support/sandbox';

const executablePath = findChromium();

describe.skipIf(!executablePath)('bulk send from the supply list', () => {
  let sandbox: Sandbox;
  let browser: Browser;
  let account: ConfiguredAccount;

  beforeAll(async () => {
    sandbox = await startSandbox();
    browser = await chromium.launch({ executablePath, args: chromiumArgs() });
    account = await installAndConfigure(sandbox, 'bulk-e2e');
  });
  afterAll(async () => {
    await browser?.close();
    await sandbox?.stop();
  });

  const supply = () =>
    createSupply(sandbox, account, {
      positions: [{ productId: account.seed.products.find((p) => p.article === 'MUG-300')!.id, quantity: 2 }],
    });
  const stateOf = (id: string) =>
    (sandbox.moysklad.getDocument(account.accountId, 'supply', id) as { state?: { name?: string } }).state?.name;

  /** The async process id of the press just made, from the immediate answer shown on top. */
  async function answered(page: Page): Promise<string> {
    // The answer the page has just added (older notifications are on the page from the start).
    const immediate = page.locator('#notifications [data-kind="immediate"][data-fresh]').first();
    await immediate.waitFor({ timeout: 15_000 });
    const id = await immediate.getAttribute('data-process');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    return id!;
  }

  for (const lang of ['ru', 'en'] as const) {
    it(`selects three supplies, presses the button, sees the outcome (${lang})`, async () => {
      const ids = [supply(), supply(), supply()];
      const untouched = supply();
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      await page.goto(
        `${sandbox.moysklad.uiUrl}/list/supply?accountId=${account.accountId}&employee=admin${lang === 'en' ? '&lang=en' : ''}`,
      );
      expect(await page.locator('h1').textContent()).toContain(lang === 'en' ? 'Supplies' : 'Приёмки');
      for (const id of ids) await page.locator(`input[data-select="${id}"]`).check();
      expect(await page.locator('#sel-count').textContent()).toBe('3');
      const button = page.locator('button[data-button="send_to_betapro"]');
      expect(await button.textContent()).toBe('Передать на склад БетаПРО');
      await button.click();

      await page.locator('#notifications [data-kind="immediate"]').first().waitFor({ timeout: 15_000 });
      expect(await page.locator('#notifications [data-kind="immediate"]').first().textContent()).toContain(
        'Передаю документы на склад БетаПРО (3)',
      );

      // The page reloads when button/complete arrives: the notification and the new statuses show.
      const done = page.locator('#notifications [data-kind="complete"]').first();
      await done.waitFor({ timeout: 90_000 });
      expect(await done.textContent()).toContain('Передано: 3, уже были переданы: 0, ошибки: 0');
      for (const id of ids) {
        expect(await page.locator(`tr[data-id="${id}"] [data-testid="state"]`).textContent()).toBe('Передан');
        expect(stateOf(id)).toBe('Передан');
      }
      expect(stateOf(untouched)).toBeUndefined();
      await page.close();
    });
  }

  it('the notification links to the first failed document', async () => {
    const ok = supply();
    const noArticle = sandbox.moysklad.createEntity(account.accountId, 'product', { name: 'Без артикула', code: 'E2E-NA' });
    const broken = createSupply(sandbox, account, { positions: [{ productId: noArticle, quantity: 1 }] });
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${sandbox.moysklad.uiUrl}/list/supply?accountId=${account.accountId}&employee=admin`);
    await page.locator(`input[data-select="${ok}"]`).check();
    await page.locator(`input[data-select="${broken}"]`).check();
    await page.locator('button[data-button="send_to_betapro"]').click();
    const done = page.locator(`#notifications [data-kind="complete"][data-process="${await answered(page)}"]`);
    await done.waitFor({ timeout: 90_000 });
    expect(await done.textContent()).toContain('Передано: 1, уже были переданы: 0, ошибки: 1. Первая ошибка');
    await done.locator('[data-testid="notification-link"]').click();
    await page.waitForURL(new RegExp(`/ui/supply/${broken}`));
    await page.close();
  });
});

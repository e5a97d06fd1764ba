/**
 * The settings page in Chromium, as MoySklad's main iframe in the simulator's host page, against the
 * real app and the BetaPRO simulator.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type FrameLocator, type Page } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { chromiumArgs, findChromium } from '../support/chromium';
import {
  api,
  BETAPRO_PARTNER,
  installAndConfigure,
  sessionFor,
  startSandbox,
  type ConfiguredAccount,
  type Sandbox,
} from '../support/sandbox';
import type { EmployeeKind } from '../sandbox/moysklad';
import type { SettingsResponse } from '@/lib/api/contract';

const executablePath = findChromium();

describe.skipIf(!executablePath)('settings page in the MoySklad main iframe', () => {
  let sandbox: Sandbox;
  let browser: Browser;
  let configured: ConfiguredAccount;

  beforeAll(async () => {
    sandbox = await startSandbox();
    browser = await chromium.launch({ executablePath, args: chromiumArgs() });
    configured = await installAndConfigure(sandbox, 'settings-shop');
  });

  afterAll(async () => {
    await browser?.close();
    await sandbox?.stop();
  });

  async function openSettings(
    accountId: string,
    employee: EmployeeKind = 'admin',
    lang = '',
  ): Promise<{ page: Page; settings: FrameLocator }> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${sandbox.moysklad.uiUrl}/settings?accountId=${accountId}&employee=${employee}${lang}`);
    return { page, settings: page.frameLocator('#main-iframe') };
  }

  async function readSettings(accountId: string): Promise<SettingsResponse> {
    const token = await sessionFor(sandbox, accountId, 'admin');
    const { status, body } = await api<SettingsResponse>(sandbox.app.url, '/api/settings', { token });
    expect(status).toBe(200);
    return body;
  }

  it('shows the stored configuration (password write-only) and grows the iframe to its content', async () => {
    const { page, settings } = await openSettings(configured.accountId);
    await settings.getByTestId('settings-complete').waitFor();
    await expect(settings.getByLabel('Код партнёра').inputValue()).resolves.toBe(BETAPRO_PARTNER.partnerId);
    await expect(settings.getByLabel('Пароль').inputValue()).resolves.toBe('');
    await settings.getByText('Пароль сохранён').waitFor();
    await expect(settings.getByLabel('BetaPRO Фулфилмент').isChecked()).resolves.toBe(true);
    await expect(settings.getByLabel('Основной склад').isChecked()).resolves.toBe(false);
    // {height} messages: the host makes the iframe as tall as the page, so there is no inner scrollbar.
    await expect
      .poll(async () => Number(await page.locator('#main-iframe').getAttribute('height')), { timeout: 10_000 })
      .toBeGreaterThan(1200);
    await settings.getByTestId('settings-health').getByText('установлены').waitFor();
    mkdirSync('test-results', { recursive: true });
    await page.screenshot({ path: 'test-results/settings-admin.png', fullPage: true });
    await page.close();
  });

  it('tests the BetaPRO connection and shows the rate limits', async () => {
    const { page, settings } = await openSettings(configured.accountId);
    await settings.getByTestId('settings-complete').waitFor();
    await settings.getByRole('button', { name: 'Проверить подключение' }).click();
    const result = settings.getByTestId('test-connection-result');
    await result.waitFor();
    await expect(result.textContent()).resolves.toContain('Подключение работает');
    await expect(result.locator('tbody tr').count()).resolves.toBeGreaterThan(0);
    // A wrong password is reported, not saved.
    await settings.getByLabel('Пароль').fill('wrong-password');
    await settings.getByRole('button', { name: 'Проверить подключение' }).click();
    await expect.poll(() => result.textContent()).toContain('Подключиться не удалось');
    await page.close();
  });

  it('validates next to the fields before saving, then saves and the server has the new values', async () => {
    const { page, settings } = await openSettings(configured.accountId);
    await settings.getByTestId('settings-complete').waitFor();
    const puts: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'PUT' && r.url().endsWith('/api/settings')) puts.push(r.url());
    });
    await settings.getByLabel('Адрес API БетаПРО').fill('not a url');
    await settings.getByLabel('Опрос склада, секунд').fill('5');
    await settings.getByTestId('save-settings').click();
    await settings.getByText('Укажите адрес вида https://…').waitFor();
    await settings.getByText('Число от 15 до 86400').waitFor();
    await expect(settings.getByLabel('Адрес API БетаПРО').getAttribute('aria-invalid')).resolves.toBe('true');
    expect(puts).toHaveLength(0);

    await settings.getByLabel('Адрес API БетаПРО').fill(sandbox.betapro.apiUrl);
    await settings.getByLabel('Опрос склада, секунд').fill('120');
    await settings.getByLabel('Не считать принятым').check();
    await settings.getByTestId('save-settings').click();
    await expect.poll(() => settings.getByTestId('save-result').textContent()).toContain('Настройки сохранены');
    expect(puts).toHaveLength(1);
    const stored = await readSettings(configured.accountId);
    expect(stored.settings.pollIntervalSec).toBe(120);
    expect(stored.settings.defectivePolicy).toBe('excluded');
    expect(stored.settings.hasPassword).toBe(true);
    await page.close();
  });

  it('is read-only for employees who are not admins, and says why', async () => {
    const { page, settings } = await openSettings(configured.accountId, 'clerk');
    await settings.getByTestId('read-only').waitFor();
    await expect(settings.getByLabel('Код партнёра').isDisabled()).resolves.toBe(true);
    await expect(settings.getByTestId('save-settings').count()).resolves.toBe(0);
    await expect(settings.getByTestId('reinstall-webhooks').count()).resolves.toBe(0);
    await page.close();
  });

  it('reinstalls webhooks', async () => {
    const { page, settings } = await openSettings(configured.accountId);
    await settings.getByTestId('settings-complete').waitFor();
    await settings.getByRole('button', { name: 'Переустановить вебхуки' }).click();
    await settings.getByText('Вебхуки установлены заново').waitFor();
    await page.close();
  });

  it('configures a fresh account from the page: statuses created by the app, then saved', async () => {
    const { accountId } = sandbox.moysklad.createAccount('fresh-shop');
    const seed = sandbox.moysklad.seed(accountId, { documents: false, states: false });
    const installed = await sandbox.moysklad.install(accountId);
    expect(installed.httpStatus).toBe(200);
    const { page, settings } = await openSettings(accountId);
    const missing = settings.getByTestId('settings-missing');
    await missing.waitFor();
    await expect(missing.textContent()).resolves.toContain('пароль БетаПРО');

    await settings.getByLabel('Адрес API БетаПРО').fill(sandbox.betapro.apiUrl);
    await settings.getByLabel('Код партнёра').fill(BETAPRO_PARTNER.partnerId);
    await settings.getByLabel('Пароль').fill(BETAPRO_PARTNER.password);
    await settings.getByLabel('BetaPRO Фулфилмент').check();
    await settings.getByLabel('Перемещения').uncheck();
    await settings.getByTestId('create-statuses-supply').click();
    // All were missing: the page names each one it created, the optional «Расхождения» too.
    await settings
      .getByText('Созданы: «Передать (команда)», «Передан», «Ошибка передачи», «Проведён», «Расхождения (необязательно)».')
      .waitFor();
    const transfer = settings.getByTestId('status-supply-transfer');
    await expect(transfer.locator('option:checked').textContent()).resolves.toBe('Передать');
    const review = settings.getByTestId('status-supply-review');
    await expect(review.locator('option:checked').textContent()).resolves.toBe('Расхождения');
    await expect(review.evaluate((el) => (el as HTMLSelectElement).required)).resolves.toBe(false);
    await settings.getByTestId('save-settings').click();
    await expect.poll(() => settings.getByTestId('save-result').textContent()).toContain('Настройки сохранены');
    await settings.getByTestId('settings-complete').waitFor();
    const stored = await readSettings(accountId);
    expect(stored.settings.complete).toBe(true);
    expect(stored.settings.storeIds).toEqual([seed.stores.betapro]);
    expect(stored.settings.enabledEntities).toEqual(['supply']);
    await page.close();
  });

  for (const lang of ['ru', 'en'] as const) {
    const words = {
      ru: {
        password: 'пароль БетаПРО',
        partner: 'код партнёра БетаПРО',
        passwordLabel: 'Пароль',
        partnerLabel: 'Код партнёра',
        created: 'Созданы: «Передан», «Ошибка передачи», «Проведён», «Расхождения (необязательно)».',
        existing: 'Уже были: «Передать (команда)».',
        transferStatus: 'статус «Передать (команда)» для приёмок',
      },
      en: {
        password: 'BetaPRO password',
        partner: 'BetaPRO partner id',
        passwordLabel: 'Password',
        partnerLabel: 'Partner id',
        created: 'Created: «Sent», «Transfer error», «Posted», «Discrepancies (optional)».',
        existing: 'Already existed: «Transfer (command)».',
        transferStatus: 'status “Transfer (command)” for supplies',
      },
    }[lang];

    it(`[${lang}] the checklist follows the form, and «Создать статусы» says which it created and which existed`, async () => {
      const { accountId } = sandbox.moysklad.createAccount(`checklist-${lang}`);
      sandbox.moysklad.seed(accountId, { documents: false, states: false });
      // One of the four exists already (made by hand in MoySklad).
      sandbox.moysklad.createState(accountId, 'supply', 'Передать');
      expect((await sandbox.moysklad.install(accountId)).httpStatus).toBe(200);
      const { page, settings } = await openSettings(accountId, 'admin', lang === 'en' ? '&lang=en' : '');
      const missing = settings.getByTestId('settings-missing');
      await missing.waitFor();
      const items = () => missing.locator('li').allTextContents();
      await expect.poll(items).toContain(words.password);
      await expect.poll(items).toContain(words.transferStatus);
      // Typing fills the checklist in at once, before any save.
      await settings.getByLabel(words.passwordLabel).fill('secret');
      await expect.poll(items).not.toContain(words.password);
      await expect.poll(items).toContain(words.partner);
      await settings.getByLabel(words.partnerLabel).fill('partner-1');
      await expect.poll(items).not.toContain(words.partner);

      await settings.getByTestId('create-statuses-supply').click();
      const result = settings.getByTestId('statuses-supply').getByRole('status');
      await expect.poll(() => result.textContent()).toBe(`${words.created} ${words.existing}`);
      await expect.poll(items).not.toContain(words.transferStatus);
      // The page's language reaches <html lang> and the title too.
      const frame = page.frames().find((f) => f !== page.mainFrame() && f.url().includes('/settings'))!;
      await expect(frame.evaluate(() => document.documentElement.lang)).resolves.toBe(lang);
      await expect(frame.title()).resolves.toBe(lang === 'en' ? 'BetaPRO for MoySklad — settings' : 'БетаПРО для МойСклад — настройки');
      await page.close();
    });
  }

  for (const lang of ['ru', 'en'] as const) {
    const words = {
      ru: {
        title: 'Задачи по расхождениям',
        enabled: 'Ставить задачи в МойСклад',
        assignee: 'Исполнитель',
        owner: 'Владелец документа',
        saved: 'Настройки сохранены',
      },
      en: {
        title: 'Discrepancy tasks',
        enabled: 'Create tasks in MoySklad',
        assignee: 'Assignee',
        owner: 'Owner of the document',
        saved: 'Settings saved',
      },
    }[lang];

    it(`[${lang}] discrepancy tasks: on by default for the owner; switched off and an employee chosen, saved`, async () => {
      const account = await installAndConfigure(sandbox, `tasks-${lang}`);
      const clerk = sandbox.moysklad.employeeId(account.accountId, 'clerk');
      const { page, settings } = await openSettings(account.accountId, 'admin', lang === 'en' ? '&lang=en' : '');
      const section = settings.getByTestId('settings-tasks');
      await section.getByRole('heading', { name: words.title }).waitFor();
      const enabled = section.getByLabel(words.enabled);
      await expect(enabled.isChecked()).resolves.toBe(true);
      const assignee = section.getByLabel(words.assignee);
      await expect(assignee.inputValue()).resolves.toBe('');
      await expect(assignee.locator('option').first().textContent()).resolves.toBe(words.owner);

      await assignee.selectOption(clerk);
      await enabled.uncheck();
      await expect(assignee.isDisabled()).resolves.toBe(true);
      await settings.getByTestId('save-settings').click();
      await expect.poll(() => settings.getByTestId('save-result').textContent()).toContain(words.saved);
      const stored = await readSettings(account.accountId);
      expect(stored.settings.discrepancyTasks).toBe(false);
      expect(stored.settings.taskAssigneeId).toBe(clerk);
      await page.close();
    });
  }

  it('speaks English when MoySklad says en_US', async () => {
    const { page, settings } = await openSettings(configured.accountId, 'admin', '&lang=en');
    await settings.getByRole('heading', { name: 'BetaPRO for MoySklad — settings' }).waitFor();
    await settings.getByRole('button', { name: 'Test connection' }).waitFor();
    await page.close();
  });
});

/**
 * Widget flows that start outside the widget: the status command set in MoySklad's own form, and a
 * clerk who may look at supplies but not change them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { chromiumArgs, findChromium } from '../support/chromium';
import { api, documentView, installAndConfigure, sessionFor, startSandbox, waitFor, type ConfiguredAccount } from '../support/sandbox';
import type { SyncState } from '@/lib/api/contract';

const executablePath = findChromium();

describe.skipIf(!executablePath)('widget flows in the MoySklad host page', () => {
  let sandbox: Awaited<ReturnType<typeof startSandbox>>;
  let browser: Browser;
  let account: ConfiguredAccount;

  beforeAll(async () => {
    sandbox = await startSandbox();
    browser = await chromium.launch({ executablePath, args: chromiumArgs() });
    account = await installAndConfigure(sandbox, 'flows-shop');
  });
  afterAll(async () => {
    await browser?.close();
    await sandbox?.stop();
  });

  function newSupply(): string {
    const ms = sandbox.moysklad;
    const product = account.seed.products.find((p) => p.article === 'NB-A5')!;
    return String(
      ms.createDocument(account.accountId, 'supply', {
        organization: ms.meta('organization', account.seed.organizationId),
        agent: ms.meta('counterparty', account.seed.counterpartyId),
        store: ms.meta('store', account.seed.stores.betapro),
        state: ms.stateMeta('supply', account.seed.states.supply['Новый']),
        positions: [{ quantity: 5, price: 100, assortment: ms.meta('product', product.id) }],
      }).id,
    );
  }

  const url = (id: string, employee: string) =>
    `${sandbox.moysklad.uiUrl}/supply/${id}?accountId=${account.accountId}&employee=${employee}`;

  it('setting the status «Передать» in the document form has the same effect as the button', async () => {
    const id = newSupply();
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(url(id, 'clerk'));
    const widget = page.frameLocator('#widget');
    await widget.locator('[data-testid="sync-state"][data-state="not_sent"]').waitFor();
    await page.locator('#f-state').selectOption({ label: 'Передать' });
    await page.locator('#save').click();
    await widget.locator('[data-testid="sync-state"][data-state="sent"]').waitFor({ timeout: 30_000 });
    expect(await widget.getByTestId('trigger').textContent()).toContain('смена статуса');
    const doc = sandbox.moysklad.getDocument(account.accountId, 'supply', id) as { state?: { name?: string } };
    expect(doc.state?.name).toBe('Передан');
    await page.close();
  });

  it('a clerk who may only view supplies sees the actions disabled with the reason, and the API refuses them', async () => {
    const id = newSupply();
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(url(id, 'clerk-readonly'));
    const widget = page.frameLocator('#widget');
    await widget.locator('[data-testid="sync-state"][data-state="not_sent"]').waitFor();
    const send = widget.getByRole('button', { name: 'Передать на склад' });
    await expect(send.isDisabled()).resolves.toBe(true);
    await expect(widget.getByText('Нет прав на изменение документа в МойСклад').count()).resolves.toBeGreaterThan(0);
    const readonly = await sessionFor(sandbox, account.accountId, 'clerk-readonly');
    const refused = await api(sandbox.app.url, `/api/widget/documents/supply/${id}/actions`, {
      token: readonly,
      body: { action: 'send' },
    });
    expect(refused.status).toBe(403);
    await page.close();
  });

  // ---- issue 16: the clerk's language, no contradictions, short texts ----

  const product = (article: string) => account.seed.products.find((p) => p.article === article)!;
  function supplyOf(positions: Array<{ quantity: number; type: 'product' | 'service'; id: string }>): string {
    const ms = sandbox.moysklad;
    return String(
      ms.createDocument(account.accountId, 'supply', {
        organization: ms.meta('organization', account.seed.organizationId),
        agent: ms.meta('counterparty', account.seed.counterpartyId),
        store: ms.meta('store', account.seed.stores.betapro),
        positions: positions.map((p) => ({ quantity: p.quantity, price: 100, assortment: ms.meta(p.type, p.id) })),
      }).id,
    );
  }
  const reachState = (id: string, wanted: SyncState) =>
    waitFor(`state ${wanted}`, async () => (await documentView(sandbox, account.adminSession, 'supply', id)).state === wanted);
  const open = async (id: string, lang: 'ru' | 'en') => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(url(id, 'admin') + (lang === 'en' ? '&lang=en' : ''));
    return { page, widget: page.frameLocator('#widget') };
  };

  it('an error shows its reasons and a one-line history with details on demand in either language; fixed, the old box goes', async () => {
    const service = account.seed.products.find((p) => p.type === 'service')!;
    const id = supplyOf([
      { quantity: 5, type: 'product', id: product('NB-A5').id },
      { quantity: 1, type: 'service', id: service.id },
    ]);
    const sent = await api(sandbox.app.url, `/api/widget/documents/supply/${id}/actions`, {
      token: account.adminSession,
      body: { action: 'send' },
    });
    expect(sent.status).toBeLessThan(300);
    await reachState(id, 'error');

    const words = {
      ru: { reason: '«Доставка до склада» — услуга', label: 'Ошибка', details: 'Подробнее', retry: 'Повторить' },
      en: { reason: '«Доставка до склада» — a service', label: 'Error', details: 'Details', retry: 'Retry' },
    };
    for (const lang of ['ru', 'en'] as const) {
      const { page, widget } = await open(id, lang);
      await widget.locator('[data-testid="sync-state"][data-state="error"]').waitFor();
      await expect
        .poll(() => widget.getByTestId('errors').locator('li').allTextContents())
        .toEqual([expect.stringContaining(words[lang].reason)]);
      // Pre-flight still finds the service: Retry would fail the same way.
      await widget.getByTestId('preflight').locator('[data-testid="preflight-same"]').waitFor();
      await expect(widget.getByRole('button', { name: words[lang].retry }).isDisabled()).resolves.toBe(true);
      const failed = widget.locator('[data-testid="event"][data-kind="failed"]');
      await expect(failed.locator('span').first().textContent()).resolves.toBe(words[lang].label);
      await expect(failed.getByTestId('event-details').count()).resolves.toBe(0);
      await failed.getByRole('button', { name: words[lang].details }).click();
      await expect(failed.getByTestId('event-details').textContent()).resolves.toContain(words[lang].reason);
      if (lang === 'en') {
        const history = (
          await widget.getByTestId('timeline').locator('[data-testid="event"] > div > span:first-child').allTextContents()
        ).join(' ');
        expect(history).not.toMatch(/[а-яё]/i);
      }
      await page.close();
    }

    // The clerk removes the service: pre-flight passes, the old reasons are gone and Retry is offered.
    sandbox.moysklad.userUpdate(account.accountId, 'supply', id, {
      positions: [{ quantity: 5, price: 100, assortment: sandbox.moysklad.meta('product', product('NB-A5').id) }],
    });
    const { page, widget } = await open(id, 'ru');
    await widget.getByTestId('preflight-ok').waitFor();
    await expect(widget.getByTestId('errors').count()).resolves.toBe(0);
    await expect(widget.getByRole('button', { name: 'Повторить' }).isEnabled()).resolves.toBe(true);
    await page.close();
  });

  it('one name per user: a status set in the form and a button press name the clerk alike, in either language', async () => {
    const clerk = sandbox.moysklad.sim.accountSummary(account.accountId).employees.find((e) => e.kind === 'clerk')!;
    const [lastName, firstName] = clerk.name.split(' ');
    const clerkName = `${lastName} ${firstName[0]}.`;
    // The clerk sets «Передать» in MoySklad's form and saves (webhook: MoySklad names the clerk by login) …
    const byStatus = newSupply();
    const form = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await form.goto(url(byStatus, 'clerk'));
    await form.frameLocator('#widget').locator('[data-testid="sync-state"][data-state="not_sent"]').waitFor();
    await form.locator('#f-state').selectOption({ label: 'Передать' });
    await form.locator('#save').click();
    await form.frameLocator('#widget').locator('[data-testid="sync-state"][data-state="sent"]').waitFor({ timeout: 30_000 });
    await form.close();
    // … and presses «Передать на склад» in the widget of another supply.
    const byButton = newSupply();
    const button = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await button.goto(url(byButton, 'clerk'));
    await button.frameLocator('#widget').getByRole('button', { name: 'Передать на склад' }).click();
    await button.frameLocator('#widget').locator('[data-testid="sync-state"][data-state="sent"]').waitFor({ timeout: 30_000 });
    await button.close();

    const labels = {
      ru: { webhook: 'смена статуса', widget: 'кнопка в виджете' },
      en: { webhook: 'status change', widget: 'widget button' },
    };
    for (const lang of ['ru', 'en'] as const) {
      for (const [id, how] of [
        [byStatus, 'webhook'],
        [byButton, 'widget'],
      ] as const) {
        const { page, widget } = await open(id, lang);
        await widget.locator('[data-testid="sync-state"][data-state="sent"]').waitFor();
        // The audit's confirmation replaces the webhook's claim shortly after the request: wait for it.
        const requested = widget.locator('[data-testid="event"][data-kind="requested"]').getByTestId('event-who');
        await expect.poll(() => requested.textContent(), { timeout: 15_000 }).toBe(`${labels[lang][how]}, ${clerkName}`);
        await expect.poll(() => widget.getByTestId('trigger').textContent()).toBe(`${labels[lang][how]}, ${clerkName}`);
        await expect(widget.getByTestId('timeline').textContent()).resolves.not.toContain(clerk.uid);
        await page.close();
      }
    }
  });

  for (const lang of ['ru', 'en'] as const) {
    it(`[${lang}] one time zone: the timeline shows the comment's times whatever the browser's zone; the request notice goes once sent`, async () => {
      const id = newSupply();
      // A browser far from Moscow: the widget must still show the account's time, as the comment does.
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, timezoneId: 'America/New_York' });
      await page.goto(url(id, 'admin') + (lang === 'en' ? '&lang=en' : ''));
      const widget = page.frameLocator('#widget');
      await widget.getByRole('button', { name: lang === 'en' ? 'Send to warehouse' : 'Передать на склад' }).click();
      await widget.locator('[data-testid="sync-state"][data-state="sent"]').waitFor({ timeout: 30_000 });
      // «Передача запрошена» answered the click; once the state moved on it no longer shows.
      await expect.poll(() => widget.getByTestId('action-notice').count()).toBe(0);
      const shown = await widget.locator('[data-testid="event"][data-kind="sent"] time').textContent();
      const comment = (sandbox.moysklad.getDocument(account.accountId, 'supply', id) as { description?: string }).description ?? '';
      const logged = /(\d{2})\.(\d{2})\.(\d{4}) (\d{2}):(\d{2}) Передан в БетаПРО/.exec(comment);
      expect(logged, comment).not.toBeNull();
      // ru «01.12.2026, 05:03», en «01/12/2026, 05:03»: the same day and minute (a minute apart at most).
      const inWidget = /(\d{2})[./](\d{2})[./](\d{4}),? (\d{2}):(\d{2})/.exec(shown ?? '');
      expect(inWidget, shown ?? '').not.toBeNull();
      const minutes = (m: RegExpExecArray) => Date.UTC(+m[3], +m[2] - 1, +m[1], +m[4], +m[5]) / 60_000;
      expect(Math.abs(minutes(inWidget!) - minutes(logged!))).toBeLessThanOrEqual(1);
      await page.close();
    });
  }

  it('a good outside the plan that exists in MoySklad is named with its code and never «не будет проведён» once posted', async () => {
    // The warehouse knows the notebook from an earlier task; the substitute must be a good it knows.
    const earlier = newSupply();
    await api(sandbox.app.url, `/api/widget/documents/supply/${earlier}/actions`, {
      token: account.adminSession,
      body: { action: 'send' },
    });
    await reachState(earlier, 'sent');
    const id = supplyOf([{ quantity: 2, type: 'product', id: product('TS-WHITE').id }]);
    await api(sandbox.app.url, `/api/widget/documents/supply/${id}/actions`, {
      token: account.adminSession,
      body: { action: 'send' },
    });
    await reachState(id, 'sent');
    const view = await documentView(sandbox, account.adminSession, 'supply', id);
    // The warehouse got notebooks instead of T-shirts: a substitute that exists in MoySklad.
    const received = await fetch(`${sandbox.betapro.controlUrl}/indocs/${view.indocId}/receive`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        final: true,
        items: [
          { good_id: 'TS-WHITE', useful_qnt: 0, defective_qnt: 0 },
          { good_id: 'NB-A5', useful_qnt: 2, defective_qnt: 0 },
        ],
      }),
    });
    expect(received.ok).toBe(true);
    await api(sandbox.app.url, `/api/widget/documents/supply/${id}/actions`, {
      token: account.adminSession,
      body: { action: 'check' },
    });
    await reachState(id, 'posted');
    for (const lang of ['ru', 'en'] as const) {
      const { page, widget } = await open(id, lang);
      await widget.locator('[data-testid="sync-state"][data-state="posted"]').waitFor();
      const pen = widget.locator('[data-testid="receipt-line"]').filter({ hasText: 'Блокнот А5 в клетку' });
      await pen.waitFor();
      await expect(pen.getAttribute('data-unknown')).resolves.toBeNull();
      await expect(pen.getByTestId('good-code').textContent()).resolves.toContain('NB-A5');
      await expect(pen.textContent()).resolves.toContain(lang === 'en' ? 'not planned' : 'не было в плане');
      await expect(widget.getByTestId('receipt').textContent()).resolves.not.toMatch(/не будет проведён|will not be posted/);
      await page.close();
    }
  });
});

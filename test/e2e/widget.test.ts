/**
 * The widget in Chromium, inside the MoySklad simulator's document page (which speaks the host side of
 * the postMessage protocol), against the real app and the BetaPRO simulator.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type FrameLocator, type Page } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { chromiumArgs, findChromium } from '../support/chromium';
import { api, BETAPRO_PARTNER, documentView, sessionFor, startSandbox, waitFor, type Sandbox } from '../support/sandbox';
import type { SeedResult } from '../sandbox/moysklad';
import type { SyncState } from '@/lib/api/contract';
import { formatLogDate } from '@/lib/sync/document/comment-log';

const executablePath = findChromium();

describe.skipIf(!executablePath)('document widget in the MoySklad host page', () => {
  let sandbox: Sandbox;
  let browser: Browser;
  let accountId: string;
  let seed: SeedResult;
  let admin: string;

  beforeAll(async () => {
    sandbox = await startSandbox();
    browser = await chromium.launch({ executablePath, args: chromiumArgs() });
    ({ accountId } = sandbox.moysklad.createAccount('widget-shop'));
    seed = sandbox.moysklad.seed(accountId);
    const installed = await sandbox.moysklad.install(accountId);
    if (installed.httpStatus !== 200) throw new Error(`install failed: ${JSON.stringify(installed)}`);
    admin = await sessionFor(sandbox, accountId, 'admin');
    const statuses = (entity: 'supply' | 'move') => ({
      transfer: seed.states[entity]['Передать'],
      sent: seed.states[entity]['Передан'],
      error: seed.states[entity]['Ошибка передачи'],
      posted: seed.states[entity]['Проведён'],
    });
    const saved = await api(sandbox.app.url, '/api/settings', {
      method: 'PUT',
      token: admin,
      body: {
        betaproBaseUrl: sandbox.betapro.apiUrl,
        betaproPartnerId: BETAPRO_PARTNER.partnerId,
        betaproPassword: BETAPRO_PARTNER.password,
        storeIds: [seed.stores.betapro],
        enabledEntities: ['supply', 'move'],
        statuses: { supply: statuses('supply'), move: statuses('move') },
        productKey: 'article',
        partialPolicy: 'final',
        defectivePolicy: 'received',
        postingMode: 'auto',
        pollIntervalSec: 3600,
      },
    });
    if (saved.status !== 200) throw new Error(`settings failed: ${JSON.stringify(saved.body)}`);
  });

  afterAll(async () => {
    await browser?.close();
    await sandbox?.stop();
  });

  const docUrl = (entity: 'supply' | 'move', id: string, extra = '') =>
    `${sandbox.moysklad.uiUrl}/${entity}/${id}?accountId=${accountId}&employee=admin${extra}`;

  async function openDocument(
    entity: 'supply' | 'move',
    id: string,
    extra = '',
    timezoneId?: string,
  ): Promise<{ page: Page; widget: FrameLocator }> {
    const page = await browser.newPage({
      viewport: { width: 1280, height: 900 },
      ...(timezoneId ? { timezoneId } : {}),
    });
    await page.goto(docUrl(entity, id, extra));
    return { page, widget: page.frameLocator('#widget') };
  }

  const state = (widget: FrameLocator, s: SyncState) => widget.locator(`[data-testid="sync-state"][data-state="${s}"]`);

  async function shot(page: Page, name: string) {
    mkdirSync('test-results', { recursive: true });
    await page.locator('#widget-box').screenshot({ path: `test-results/widget-${name}.png` });
  }

  it('answers Open with OpenFeedback, shows the state and the pre-flight check of an unsent document', async () => {
    const { page, widget } = await openDocument('supply', seed.supplies[0]);
    await state(widget, 'not_sent').waitFor();
    // The host hides its loader only after OpenFeedback with the right correlationId.
    await page.locator('#loader').waitFor({ state: 'hidden' });
    await widget.getByTestId('preflight-ok').waitFor();
    await expect(widget.getByRole('button', { name: 'Передать на склад' }).isEnabled()).resolves.toBe(true);
    await shot(page, 'not-sent');
    await page.close();
  });

  it('lists every reason that blocks sending, next to its position', async () => {
    const { page, widget } = await openDocument('supply', seed.supplies[1]);
    await state(widget, 'not_sent').waitFor();
    const problems = widget.getByTestId('preflight-problems').locator('li');
    await problems.first().waitFor();
    const texts = await problems.allTextContents();
    // Three variants without their own article share one line; the service has its own.
    expect(texts).toContain('Толстовка с капюшоном: S, M, L — у модификаций не заполнен артикул');
    expect(texts.join('\n')).toMatch(/«Доставка до склада» — услуга/);
    expect(texts).toHaveLength(2);
    await page.close();
  });

  for (const lang of ['ru', 'en'] as const) {
    const words = {
      ru: {
        variants: 'Толстовка с капюшоном: S, M, L — у модификаций не заполнен артикул',
        service: /услуга/,
        reason: 'Сначала устраните причины',
        send: 'Передать на склад',
      },
      en: {
        variants: 'Толстовка с капюшоном: S, M, L — the variants have no article',
        service: /a service/,
        reason: 'First fix the reasons',
        send: 'Send to warehouse',
      },
    }[lang];

    it(`[${lang}] groups identical blockers on one line and disables Send, saying why`, async () => {
      const { page, widget } = await openDocument('supply', seed.supplies[1], lang === 'en' ? '&lang=en' : '');
      await state(widget, 'not_sent').waitFor();
      const problems = widget.getByTestId('preflight-problems').locator('li');
      await problems.first().waitFor();
      const texts = await problems.allTextContents();
      expect(texts).toEqual([words.variants, expect.stringMatching(words.service)]);
      if (lang === 'en') expect(texts.join(' ')).not.toMatch(/модификац|услуг|Позиция/);
      await expect(widget.getByRole('button', { name: words.send }).isDisabled()).resolves.toBe(true);
      const reason = widget.getByTestId('action-send-reason');
      await expect(reason.getAttribute('data-reason-code')).resolves.toBe('preflight_blocked');
      await expect(reason.textContent()).resolves.toContain(words.reason);
      await page.close();
    });
  }

  it('sends with the button, follows the state live and offers to reopen the changed document', async () => {
    const id = seed.supplies[0];
    const { page, widget } = await openDocument('supply', id);
    await state(widget, 'not_sent').waitFor();
    await widget.getByRole('button', { name: 'Передать на склад' }).click();
    await state(widget, 'sent').waitFor({ timeout: 30_000 });
    // «Передача запрошена» answered the click; once the state moved on it is gone.
    await expect(widget.getByTestId('action-notice').count()).resolves.toBe(0);
    const indocId = (await widget.getByTestId('indoc-id').textContent())?.trim();
    expect(indocId).toBeTruthy();
    expect(await widget.getByTestId('trigger').textContent()).toContain('кнопка в виджете');
    await expect(widget.locator('[data-testid="event"][data-kind="task_created"]').count()).resolves.toBe(1);
    // The app set the status "Передан" behind the open form: the widget says so and offers a reload.
    const doc = sandbox.moysklad.getDocument(accountId, 'supply', id) as { state?: { meta?: { href?: string } } };
    expect(doc.state?.meta?.href).toContain(seed.states.supply['Передан']);
    await widget.getByTestId('document-changed').waitFor();
    await shot(page, 'sent');
    // NavigateRequest → the host reloads the same document; the fresh widget has no notice.
    await Promise.all([
      page.waitForEvent('framenavigated', { predicate: (f) => f === page.mainFrame() }),
      widget.getByTestId('reopen').click(),
    ]);
    expect(new URL(page.url()).pathname).toBe(`/ui/supply/${id}`);
    await state(page.frameLocator('#widget'), 'sent').waitFor();
    await expect(page.frameLocator('#widget').getByTestId('document-changed').count()).resolves.toBe(0);
    await expect(page.locator('#title').textContent()).resolves.toContain('Приёмка');
    await page.close();
  });

  it('cancels a sent task only after the user confirms in the MoySklad dialog', async () => {
    const id = seed.supplies[0];
    await waitFor('sent', async () => (await documentView(sandbox, admin, 'supply', id)).state === 'sent');
    const { page, widget } = await openDocument('supply', id);
    await state(widget, 'sent').waitFor();
    // First time: the user closes the dialog — nothing happens.
    await widget.getByRole('button', { name: 'Отменить задание' }).click();
    const modal = page.locator('.modal[role="dialog"]');
    await modal.waitFor();
    await expect(modal.textContent()).resolves.toContain('Отменить задание на оприходование');
    await modal.locator('[data-close]').click();
    await page.waitForTimeout(500);
    expect((await documentView(sandbox, admin, 'supply', id)).state).toBe('sent');
    // Second time: confirmed.
    await widget.getByRole('button', { name: 'Отменить задание' }).click();
    await modal.locator('button[data-name="yes"]').click();
    await state(widget, 'cancelled').waitFor({ timeout: 30_000 });
    await expect(widget.getByRole('button', { name: 'Передать на склад' }).isEnabled()).resolves.toBe(true);
    await page.close();
  });

  it('shows the plan-vs-fact table once BetaPRO reports the receipt (check now)', async () => {
    const id = seed.supplies[0];
    const { page, widget } = await openDocument('supply', id, '', 'America/New_York');
    await state(widget, 'cancelled').waitFor();
    await widget.getByRole('button', { name: 'Передать на склад' }).click();
    await state(widget, 'sent').waitFor({ timeout: 30_000 });
    const view = await documentView(sandbox, admin, 'supply', id);
    const received = await fetch(`${sandbox.betapro.controlUrl}/indocs/${view.indocId}/receive`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        final: true,
        items: [
          { good_id: 'TS-WHITE', useful_qnt: 9, defective_qnt: 1 },
          { good_id: 'MUG-300', useful_qnt: 20, defective_qnt: 0 },
          { good_id: 'NB-A5', useful_qnt: 50, defective_qnt: 0 },
        ],
      }),
    });
    expect(received.ok).toBe(true);
    await widget.getByRole('button', { name: 'Проверить приёмку' }).click();
    await state(widget, 'posted').waitFor({ timeout: 30_000 });
    const rows = widget.getByTestId('receipt-line');
    await expect(rows.count()).resolves.toBe(3);
    const mug = rows.filter({ hasText: 'Кружка' });
    await expect(mug.locator('td').nth(4).textContent()).resolves.toBe('−4');
    // «Принято» is the document's number: the defective shirt counts as received (default policy).
    const shirt = rows
      .filter({ hasText: 'TS-WHITE' })
      .or(rows.filter({ hasText: 'Футболка' }))
      .first();
    const shirtRow = (
      sandbox.moysklad.getDocument(accountId, 'supply', id) as {
        positions?: { rows: Array<{ quantity: number; assortment: { article?: string } }> };
      }
    ).positions!.rows.find((r) => r.assortment.article === 'TS-WHITE')!;
    await expect(shirt.locator('td').nth(2).textContent()).resolves.toBe(String(shirtRow.quantity));
    await expect(shirt.locator('td').nth(3).textContent()).resolves.toBe('1');
    // The browser runs in New York; the widget still tells Moscow time, as the comment log does.
    const posted = (await documentView(sandbox, admin, 'supply', id)).events.find((e) => e.kind === 'posted')!;
    const shown = await widget.locator('[data-testid="event"][data-kind="posted"] time').first().textContent();
    expect(shown).toBe(formatLogDate(new Date(posted.at)).replace(' ', ', '));
    await shot(page, 'posted');
    await page.close();
    // In English the same columns carry the same numbers: «Принято» / Accepted is the document's quantity.
    const english = await openDocument('supply', id, '&lang=en');
    await state(english.widget, 'posted').waitFor({ timeout: 30_000 });
    await expect(english.widget.getByRole('columnheader', { name: 'Accepted' }).count()).resolves.toBe(1);
    const enRows = english.widget.getByTestId('receipt-line');
    await expect(enRows.filter({ hasText: 'Кружка' }).locator('td').nth(4).textContent()).resolves.toBe('−4');
    const enShirt = enRows.filter({ hasText: 'Футболка' }).first();
    await expect(enShirt.locator('td').nth(2).textContent()).resolves.toBe(String(shirtRow.quantity));
    await expect(enShirt.locator('td').nth(3).textContent()).resolves.toBe('1');
    await english.page.close();
  });

  it('lets an admin map goods the warehouse received without a card, and the receipt then posts', async () => {
    const ms = sandbox.moysklad;
    const productId = (article: string) => seed.products.find((p) => p.article === article)!.id;
    const id = String(
      ms.createDocument(accountId, 'supply', {
        organization: ms.meta('organization', seed.organizationId),
        agent: ms.meta('counterparty', seed.counterpartyId),
        store: ms.meta('store', seed.stores.betapro),
        positions: [{ quantity: 2, price: 100, assortment: ms.meta('product', productId('TS-WHITE')) }],
      }).id,
    );
    const { page, widget } = await openDocument('supply', id);
    await widget.getByRole('button', { name: 'Передать на склад' }).click();
    await state(widget, 'sent').waitFor({ timeout: 30_000 });
    const view = await documentView(sandbox, admin, 'supply', id);
    const received = await fetch(`${sandbox.betapro.controlUrl}/indocs/${view.indocId}/receive`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        final: true,
        unknown: [{ barcode: '2000000099999', descrip: 'Ручка без упаковки', useful_qnt: 5 }],
      }),
    });
    expect(received.ok).toBe(true);
    await widget.getByRole('button', { name: 'Проверить приёмку' }).click();
    const good = widget.locator('[data-testid="unrecognized-good"][data-barcode="2000000099999"]');
    await good.waitFor({ timeout: 30_000 });
    await expect(good.textContent()).resolves.toContain('Ручка без упаковки');
    await shot(page, 'unrecognized');
    await good.getByTestId('unrecognized-key').fill('PEN-BLUE');
    const identified = page.waitForResponse((r) => r.url().endsWith('/recognition') && r.request().method() === 'POST');
    await good.getByTestId('unrecognized-identify').click();
    expect((await identified).status()).toBe(200);
    // No wait for the notice «Товар сопоставлен: склад завершит приёмку»: it belongs to the state it
    // answered, and when the warehouse finishes the receipt before the answer is drawn (a loaded
    // machine), the widget goes straight to «Проведён» without it. The history keeps the step either way.
    await state(widget, 'posted').waitFor({ timeout: 30_000 });
    await widget.locator('[data-testid="event"][data-kind="good_identified"]').first().waitFor({ state: 'attached', timeout: 10_000 });
    await expect(widget.getByTestId('unrecognized').count()).resolves.toBe(0);
    const lines = widget.getByTestId('receipt-line');
    await expect(lines.count()).resolves.toBe(2);
    await page.close();
  });

  it('resets on every Open: the host reuses one iframe and one session for several documents', async () => {
    const sessions: string[] = [];
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('request', (r) => {
      if (r.url().endsWith('/api/session')) sessions.push(r.url());
    });
    await page.goto(docUrl('supply', seed.supplies[1]));
    const widget = page.frameLocator('#widget');
    const panelOf = (id: string) => widget.locator(`[data-testid="document-panel"][data-document-id="${id}"]`);
    await panelOf(seed.supplies[1]).waitFor();
    const frameUrl = page
      .frames()
      .find((f) => f.url().includes('/widget/'))
      ?.url();
    const hostDocId = () => page.evaluate(() => (window as unknown as { __host: { doc: { id: string } } }).__host.doc.id);
    // The host page switches documents in place (like MoySklad) and posts a new Open each time.
    const visited = [seed.supplies[1]];
    for (const button of ['#prev', '#next', '#next', '#prev']) {
      if (await page.locator(button).isDisabled()) continue;
      await page.locator(button).click();
      const id = await waitFor('host switched', async () => {
        const now = await hostDocId();
        return now !== visited[visited.length - 1] ? now : undefined;
      });
      visited.push(id);
      await panelOf(id).waitFor();
      const expected = (await documentView(sandbox, admin, 'supply', id)).state;
      await state(widget, expected).waitFor();
    }
    expect(new Set(visited).size).toBeGreaterThan(1);
    expect(
      page
        .frames()
        .find((f) => f.url().includes('/widget/'))
        ?.url(),
    ).toBe(frameUrl);
    // One contextKey exchange for the iframe's life, however many documents it shows.
    expect(sessions).toHaveLength(1);
    await page.close();
  });

  it('speaks English when MoySklad says en_US', async () => {
    const { page, widget } = await openDocument('move', seed.moves[0], '&lang=en');
    await state(widget, 'not_sent').waitFor();
    await widget.getByRole('button', { name: 'Send to warehouse' }).waitFor();
    await expect(widget.getByTestId('sync-state').textContent()).resolves.toBe('Not sent');
    await page.close();
  });

  it('says the session expired when the contextKey is refused', async () => {
    const page = await browser.newPage();
    await page.goto(`${sandbox.app.url}/widget/supply?contextKey=spent-key&appUid=x&appId=y&userLocale=ru_RU`);
    await page.getByTestId('session-expired').waitFor();
    await expect(page.getByTestId('session-expired').textContent()).resolves.toContain('Сессия истекла');
    await page.close();
  });

  it('outside MoySklad, without a contextKey, explains where the page belongs', async () => {
    const page = await browser.newPage();
    await page.goto(`${sandbox.app.url}/widget/move`);
    await page.getByText('внутри МойСклад').waitFor();
    await page.close();
  });
});

/**
 * The widget of documents whose goods leave BetaPRO (docs/outbound.md), in Chromium inside the MoySklad
 * simulator's document page, against the real app and the BetaPRO simulator: an outbound move before
 * sending (the direction and the warehouse's stock warning), sent, shipped short and posted with the
 * shortage in the plan-vs-shipped table, and a purchase return posted — in Russian and in English; and
 * the settings page's list of document types per direction.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type FrameLocator, type Page } from 'playwright-core';
import type { SyncState } from '@/lib/api/contract';
import { chromiumArgs, findChromium } from '../support/chromium';
import { installAndConfigure, startSandbox, type ConfiguredAccount, type Sandbox } from '../support/sandbox';
import {
  checkUntil,
  createMove,
  createPurchaseReturn,
  documentAction,
  enableReturns,
  settle,
  ship,
  stockUp,
  type OutboundEntity,
} from '../support/outbound';

const executablePath = findChromium();

const WORDS = {
  ru: {
    direction: 'Отгрузка со склада БетаПРО',
    stockShort: 'На складе БетаПРО не хватает товара',
    shortLine: /\(MUG-300\): нужно 20, на складе 7/,
    send: 'Передать на склад',
    sentHint: 'Задание на отгрузку создано',
    shipped: 'Отгружено',
    postedHint: 'Документ исправлен по факту отгрузки и проведён.',
    check: 'Проверить отгрузку',
    actions: 'Действия',
  },
  en: {
    direction: 'Shipment from the BetaPRO warehouse',
    stockShort: 'The BetaPRO warehouse is short of these goods',
    shortLine: /\(MUG-300\): 20 needed, 7 in stock/,
    send: 'Send to warehouse',
    sentHint: 'The shipment task is created',
    shipped: 'Shipped',
    postedHint: 'The document was corrected to what was shipped and posted.',
    check: 'Check the shipment',
    actions: 'Actions',
  },
} as const;

describe.skipIf(!executablePath)('outbound documents in the widget', () => {
  let sandbox: Sandbox;
  let browser: Browser;
  let account: ConfiguredAccount;
  /** Documents in each state, made once through the API and opened in both languages. */
  const docs = { notSent: '', sent: '', posted: '', returned: '' };

  beforeAll(async () => {
    sandbox = await startSandbox();
    browser = await chromium.launch({ executablePath, args: chromiumArgs() });
    account = await installAndConfigure(sandbox, 'outbound-widget-shop');
    await enableReturns(sandbox, account);
    // BetaPRO knows the goods and has 2 notebooks, 10 mugs and 5 pens.
    await stockUp(sandbox, account, [
      ['NB-A5', 2],
      ['MUG-300', 10],
      ['PEN-BLUE', 5],
    ]);
    docs.notSent = createMove(sandbox, account, [
      ['PEN-BLUE', 1],
      ['MUG-300', 20],
    ]);
    docs.sent = createMove(sandbox, account, [['MUG-300', 2]]);
    await documentAction(sandbox, account, 'move', docs.sent, 'send');
    await settle(sandbox, account, 'move', docs.sent, ['sent']);
    // Shipped short: the plan is 5 notebooks (and 1 pen), the warehouse has 2 of them.
    docs.posted = createMove(sandbox, account, [
      ['NB-A5', 5],
      ['PEN-BLUE', 1],
    ]);
    await documentAction(sandbox, account, 'move', docs.posted, 'send');
    const sent = await settle(sandbox, account, 'move', docs.posted, ['sent']);
    await ship(sandbox, sent.indocId!);
    await checkUntil(sandbox, account, 'move', docs.posted, (v) => v.state === 'posted');
    docs.returned = createPurchaseReturn(sandbox, account, [['MUG-300', 3]]);
    await documentAction(sandbox, account, 'purchasereturn', docs.returned, 'send');
    const returned = await settle(sandbox, account, 'purchasereturn', docs.returned, ['sent']);
    await ship(sandbox, returned.indocId!);
    await checkUntil(sandbox, account, 'purchasereturn', docs.returned, (v) => v.state === 'posted');
    // Left in BetaPRO now: 0 notebooks, 7 mugs (10 − 3 returned; the sent move is not shipped yet), 4 pens.
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await sandbox?.stop();
  });

  async function open(
    entity: OutboundEntity,
    id: string,
    lang: 'ru' | 'en',
    state: SyncState,
  ): Promise<{ page: Page; widget: FrameLocator }> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(
      `${sandbox.moysklad.uiUrl}/${entity}/${id}?accountId=${account.accountId}&employee=admin${lang === 'en' ? '&lang=en' : ''}`,
    );
    const widget = page.frameLocator('#widget');
    await widget.locator(`[data-testid="sync-state"][data-state="${state}"]`).waitFor({ timeout: 30_000 });
    return { page, widget };
  }

  /** The plan-vs-shipped table: header texts and [planned, shipped, difference] per row. */
  async function table(widget: FrameLocator) {
    const receipt = widget.getByTestId('receipt');
    await receipt.getByTestId('receipt-line').first().waitFor();
    const header = await receipt.locator('thead th').allTextContents();
    const rows = await receipt
      .getByTestId('receipt-line')
      .evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td')).map((td) => (td.textContent ?? '').trim())));
    return { header, rows };
  }

  it('the settings page lists the document types per direction, returns enabled', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${sandbox.moysklad.uiUrl}/settings?accountId=${account.accountId}&employee=admin`);
    const list = page.frameLocator('#main-iframe').getByTestId('entities-by-direction');
    await list.waitFor({ timeout: 30_000 });
    const inbound = list.getByTestId('direction-inbound');
    const outbound = list.getByTestId('direction-outbound');
    expect(await inbound.textContent()).toBe('Приёмка на склад БетаПРО:приёмки; перемещения на склад БетаПРО');
    expect(await outbound.textContent()).toBe('Отгрузка со склада БетаПРО:перемещения со склада БетаПРО; возвраты поставщикам');
    // Switching returns off (not saved) marks them as off in the list at once.
    await page.frameLocator('#main-iframe').locator('input[name="enabled-purchasereturn"]').uncheck();
    await outbound.locator('[data-entity="purchasereturn"]:not([data-enabled])').waitFor();
    expect(await outbound.textContent()).toContain('возвраты поставщикам (выключено)');
    await page.close();
  });

  for (const lang of ['ru', 'en'] as const) {
    const w = WORDS[lang];

    it(`${lang}: an outbound move not sent yet names the direction and warns about the warehouse's stock`, async () => {
      const { page, widget } = await open('move', docs.notSent, lang, 'not_sent');
      const preflight = widget.getByTestId('preflight');
      await preflight.getByTestId('preflight-ok').waitFor({ timeout: 30_000 });
      expect(await preflight.getByTestId('preflight-direction').textContent()).toBe(w.direction);
      const stock = preflight.getByTestId('preflight-stock');
      expect(await stock.textContent()).toContain(w.stockShort);
      // Only the mugs are short (20 wanted, 7 left); the one pen is there.
      const lines = await stock.locator('li').allTextContents();
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(w.shortLine);
      // A warning, not a blocker: the warehouse ships what it has.
      await expect(widget.getByRole('button', { name: w.send }).isEnabled()).resolves.toBe(true);
      await page.close();
    });

    it(`${lang}: a sent outbound move shows «${w.direction}» and the shipment task`, async () => {
      const { page, widget } = await open('move', docs.sent, lang, 'sent');
      expect(await widget.getByTestId('direction').textContent()).toBe(w.direction);
      expect(await widget.getByTestId('indoc-id').textContent()).toMatch(/^MSM/);
      expect(await widget.getByTestId('state-hint').textContent()).toContain(w.sentHint);
      expect(await widget.getByTestId('document-panel').getAttribute('data-direction')).toBe('outbound');
      await expect(widget.getByRole('button', { name: w.check }).isEnabled()).resolves.toBe(true);
      await page.close();
    });

    it(`${lang}: shipped short → posted, with the shortage in the plan-vs-shipped table`, async () => {
      const { page, widget } = await open('move', docs.posted, lang, 'posted');
      expect(await widget.getByTestId('direction').textContent()).toBe(w.direction);
      expect(await widget.getByTestId('state-hint').textContent()).toBe(w.postedHint);
      const { header, rows } = await table(widget);
      expect(header).toContain(w.shipped);
      const shippedColumn = header.indexOf(w.shipped);
      const byPlan = rows.map((r) => [r[1], r[shippedColumn], r[r.length - 1]]).sort();
      // NB-A5: plan 5, shipped 2, −3 (a real minus sign); the pen left in full.
      expect(byPlan).toEqual([
        ['1', '1', '0'],
        ['5', '2', '−3'],
      ]);
      await page.close();
    });

    it(`${lang}: a purchase return shipped in full → posted`, async () => {
      const { page, widget } = await open('purchasereturn', docs.returned, lang, 'posted');
      expect(await widget.getByTestId('direction').textContent()).toBe(w.direction);
      expect(await widget.getByTestId('indoc-id').textContent()).toMatch(/^MSR/);
      const { header, rows } = await table(widget);
      expect(header).toContain(w.shipped);
      expect(rows.map((r) => [r[1], r[header.indexOf(w.shipped)]])).toEqual([['3', '3']]);
      // The one action left checks the shipment, not a receipt.
      expect(await widget.getByRole('group', { name: w.actions }).getByRole('button').allTextContents()).toEqual([w.check]);
      await page.close();
    });
  }
});

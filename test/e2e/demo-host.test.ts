/**
 * The demo as a newcomer plays with it, in Chromium, with no API call: create documents with the
 * MoySklad host page's forms, send one through the widget, edit a product's article and variants in
 * its card, and read the BetaPRO console's input formats.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { chromiumArgs, findChromium } from '../support/chromium';
import { installAndConfigure, startSandbox, type ConfiguredAccount, type Sandbox } from '../support/sandbox';
import { DOC_TYPES } from '../sandbox/moysklad/user-edits';

const executablePath = findChromium();

type Meta = { meta: { href: string } };
const idOf = (ref: Meta | undefined) => ref?.meta.href.split('/').pop();

interface DocRead {
  name: string;
  store?: Meta;
  sourceStore?: Meta;
  targetStore?: Meta;
  applicable: boolean;
  positions: { rows: Array<{ quantity: number; price: number; assortment: { name: string; article?: string } }> };
}

describe.skipIf(!executablePath)('demo: the MoySklad host page forms and the BetaPRO console', () => {
  let sandbox: Sandbox;
  let browser: Browser;
  let account: ConfiguredAccount;

  beforeAll(async () => {
    sandbox = await startSandbox();
    browser = await chromium.launch({ executablePath, args: chromiumArgs() });
    account = await installAndConfigure(sandbox, 'demo-shop');
  });
  afterAll(async () => {
    await browser?.close();
    await sandbox?.stop();
  });

  const q = () => `?accountId=${account.accountId}&employee=admin`;
  const docIdOf = (page: Page, type: string) => new RegExp(`/ui/${type}/([0-9a-f-]{36})`).exec(page.url())?.[1];

  /** Fills the "new document" form: each reference select by label, then quantities by product name. */
  async function createThroughForm(
    page: Page,
    type: string,
    refs: Record<string, string>,
    quantities: Record<string, number>,
  ): Promise<string> {
    await page.goto(`${sandbox.moysklad.uiUrl}${q()}`);
    await page.locator(`#create a[data-new="${type}"]`).click();
    await page.waitForURL(new RegExp(`/ui/new/${type}`));
    for (const [field, label] of Object.entries(refs)) await page.locator(`#ref-${field}`).selectOption({ label });
    for (const [name, qty] of Object.entries(quantities)) {
      await page.locator('#new-goods tr', { hasText: name }).first().locator('input[data-id]').fill(String(qty));
    }
    await page.locator('#create-doc').click();
    await page.waitForURL(new RegExp(`/ui/${type}/[0-9a-f-]{36}`));
    return docIdOf(page, type)!;
  }

  it('offers a "new document" form for every document type the simulator stores', async () => {
    const page = await browser.newPage();
    await page.goto(`${sandbox.moysklad.uiUrl}${q()}`);
    const links = await page.locator('#create a[data-new]').evaluateAll((as) => as.map((a) => (a as HTMLElement).dataset.new));
    expect(links).toEqual(DOC_TYPES);
    expect(links).toEqual(expect.arrayContaining(['supply', 'move']));
    await page.close();
  });

  it('creates a supply with the form, and the widget sends it to BetaPRO', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const id = await createThroughForm(
      page,
      'supply',
      { store: 'BetaPRO Фулфилмент' },
      { 'Футболка хлопковая белая': 3, 'Кружка керамическая': 2 },
    );
    const doc = sandbox.moysklad.getDocument(account.accountId, 'supply', id) as unknown as DocRead;
    expect(idOf(doc.store)).toBe(account.seed.stores.betapro);
    // Not posted by default: the app posts it after the warehouse's receipt.
    expect(doc.applicable).toBe(false);
    expect(doc.positions.rows.map((r) => [r.assortment.article, r.quantity, r.price]).sort()).toEqual([
      ['MUG-300', 2, 18000],
      ['TS-WHITE', 3, 45000],
    ]);
    // The created document opens with the app's widget, which sends it.
    const widget = page.frameLocator('#widget');
    await widget.getByTestId('preflight-ok').waitFor({ timeout: 30_000 });
    await widget.getByRole('button', { name: 'Передать на склад' }).click();
    await widget.locator('[data-testid="sync-state"][data-state="sent"]').waitFor({ timeout: 30_000 });
    const indocId = (await widget.getByTestId('indoc-id').textContent())?.trim();
    expect(indocId).toBeTruthy();
    await page.close();
  });

  it('creates a move between two stores with the form', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const id = await createThroughForm(
      page,
      'move',
      { sourceStore: 'Основной склад', targetStore: 'BetaPRO Фулфилмент' },
      { 'Блокнот А5': 7 },
    );
    const doc = sandbox.moysklad.getDocument(account.accountId, 'move', id) as unknown as DocRead;
    expect([idOf(doc.sourceStore), idOf(doc.targetStore)]).toEqual([account.seed.stores.main, account.seed.stores.betapro]);
    expect(doc.positions.rows.map((r) => [r.assortment.article, r.quantity])).toEqual([['NB-A5', 7]]);
    await page.frameLocator('#widget').locator('[data-testid="sync-state"][data-state="not_sent"]').waitFor({ timeout: 30_000 });
    await expect(page.locator('#title').textContent()).resolves.toContain('Перемещение');
    await page.close();
  });

  it('says what is wrong when the form has no goods, and creates nothing', async () => {
    const page = await browser.newPage();
    const documents = async () => {
      await page.goto(`${sandbox.moysklad.uiUrl}${q()}`);
      return page.locator('#docs tr[data-id]').count();
    };
    const before = await documents();
    await page.goto(`${sandbox.moysklad.uiUrl}/new/supply${q()}`);
    await page.locator('#create-doc').click();
    await expect.poll(() => page.locator('#create-result').textContent()).toContain('Добавьте хотя бы один товар');
    expect(page.url()).toContain('/ui/new/supply');
    await expect(documents()).resolves.toBe(before);
    await page.close();
  });

  it("edits a product's article and gives a variant its own article, which clears the widget's pre-flight problem", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    // A supply of hoodie size S: the variant has no article of its own, so the app cannot send it.
    const id = await createThroughForm(page, 'supply', { store: 'BetaPRO Фулфилмент' }, { 'Толстовка с капюшоном (S)': 1 });
    const problems = page.frameLocator('#widget').getByTestId('preflight-problems');
    await problems.waitFor({ timeout: 30_000 });

    await page.goto(`${sandbox.moysklad.uiUrl}/products${q()}`);
    await page.locator('#products a', { hasText: 'Толстовка с капюшоном' }).click();
    await page.locator('#p-article').fill('HOODIE-2');
    const small = page.locator('#variants tr', { has: page.locator('input[data-key="characteristic"][value="S"]') });
    await small.locator('input[data-key="article"]').fill('HOODIE-S');
    // The empty last row adds a variant.
    const fresh = page.locator('#variants tr[data-variant=""]');
    await fresh.locator('input[data-key="characteristic"]').fill('XL');
    await fresh.locator('input[data-key="barcode"]').fill('4600000000091');
    // The form saves with a PUT and then reloads; the XL row carries a value attribute only once the
    // reloaded page has drawn it (a typed value is a property), so polling for it waits for the reload.
    const saved = page.waitForResponse((r) => r.url().includes('/ui/api/product/') && r.request().method() === 'PUT');
    await page.locator('#save-product').click();
    expect((await saved).status()).toBe(200);
    await expect.poll(() => page.locator('#variants input[data-key="characteristic"][value="XL"]').count(), { timeout: 30_000 }).toBe(1);
    await expect.poll(() => page.locator('#p-article').inputValue()).toBe('HOODIE-2');

    const card = (await fetch(
      `${sandbox.moysklad.origin}/_sim/accounts/${account.accountId}/product/${account.seed.products.find((p) => p.article === 'HOODIE')!.id}`,
    ).then((r) => r.json())) as {
      article: string;
      variants: Array<{ characteristic: string; article: string; barcode: string }>;
    };
    expect(card.article).toBe('HOODIE-2');
    expect(card.variants.find((v) => v.characteristic === 'S')?.article).toBe('HOODIE-S');
    expect(card.variants.find((v) => v.characteristic === 'XL')?.barcode).toBe('4600000000091');
    expect(card.variants.find((v) => v.characteristic === 'M')?.article).toBe('');

    // Back in the supply, the widget's check now passes.
    await page.goto(`${sandbox.moysklad.uiUrl}/supply/${id}${q()}`);
    await page.frameLocator('#widget').getByTestId('preflight-ok').waitFor({ timeout: 30_000 });
    await page.close();
  });

  it('refuses a malformed barcode with a readable message and keeps the card as it was', async () => {
    const page = await browser.newPage();
    const mug = account.seed.products.find((p) => p.article === 'MUG-300')!;
    await page.goto(`${sandbox.moysklad.uiUrl}/product/${mug.id}${q()}`);
    await page.locator('#p-barcode').fill('46-ABC');
    await page.locator('#save-product').click();
    await expect.poll(() => page.locator('#product-result').textContent()).toContain('Штрихкод: только цифры');
    const card = (await fetch(`${sandbox.moysklad.origin}/_sim/accounts/${account.accountId}/product/${mug.id}`).then((r) => r.json())) as {
      barcode: string;
    };
    expect(card.barcode).toBe(mug.barcode);
    await page.close();
  });

  it('the BetaPRO console shows the input format next to each field', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(sandbox.betapro.consoleUrl);
    // The supply sent above is a task with the "receive with discrepancies" form.
    const receipt = page.locator('form.receipt').first();
    await page.locator('summary', { hasText: 'Принять с расхождениями' }).first().click();
    await expect(receipt.locator('label', { hasText: 'Принято' }).locator('+ small.hint').textContent()).resolves.toContain(
      'good_id норма [брак]',
    );
    await expect(receipt.locator('label', { hasText: 'Неизвестные товары' }).locator('+ small.hint').textContent()).resolves.toContain(
      'штрихкод норма [брак] [описание]',
    );
    await expect(page.locator('form[action="/_sim/faults"] small.hint').allTextContents()).resolves.toEqual(
      expect.arrayContaining([expect.stringContaining('от 0 до 1'), expect.stringContaining('rate429')]),
    );
    await page.locator('form[action="/_sim/partners"] small.hint', { hasText: 'partner_id' }).waitFor();
    await page.close();
  });
});

/**
 * Widget flows that start outside the widget: the status command set in MoySklad's own form, and a
 * clerk who may look at supplies but not change them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { chromiumArgs, findChromium } from '../support/chromium';
import { api, installAndConfigure, sessionFor, startSandbox, type ConfiguredAccount } from '../support/sandbox';

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
    return String(ms.createDocument(account.accountId, 'supply', {
      organization: ms.meta('organization', account.seed.organizationId),
      agent: ms.meta('counterparty', account.seed.counterpartyId),
      store: ms.meta('store', account.seed.stores.betapro),
      state: ms.stateMeta('supply', account.seed.states.supply['Новый']),
      positions: [{ quantity: 5, price: 100, assortment: ms.meta('product', product.id) }],
    }).id);
  }

  const url = (id: string, employee: string) => `${sandbox.moysklad.uiUrl}/supply/${id}?accountId=${account.accountId}&employee=${employee}`;

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
    const refused = await api(sandbox.app.url, `/api/widget/documents/supply/${id}/actions`, { token: readonly, body: { action: 'send' } });
    expect(refused.status).toBe(403);
    await page.close();
  });
});

/**
 * Regenerates the screenshots in this folder: the real app (production build) with both simulators,
 * the widget inside the MoySklad simulator's document page in several states, and the settings page.
 *
 *   npx next build && npx tsx docs/screenshots/capture.ts
 *
 * (NEXT_DIST_DIR picks another build folder.) Needs Chromium (/usr/bin/chromium or CHROMIUM_PATH).
 */
import { chromium, type Page } from 'playwright-core';
import path from 'node:path';
import { chromiumArgs, findChromium } from '../../test/support/chromium';
import { api, BETAPRO_PARTNER, documentView, installAndConfigure, sessionFor, startSandbox, waitFor } from '../../test/support/sandbox';
import { stockScenario } from '../../test/support/stock';
import { checkUntil, createMove, createPurchaseReturn, documentAction, settle, ship, stockUp } from '../../test/support/outbound';
import type { SyncState } from '../../lib/api/contract';

const OUT = path.resolve(import.meta.dirname);
const executablePath = findChromium();
if (!executablePath) throw new Error('Chromium not found');

const sandbox = await startSandbox();
const browser = await chromium.launch({ executablePath, args: chromiumArgs() });
try {
  const { moysklad, betapro, app } = sandbox;
  const { accountId } = moysklad.createAccount('shop');
  const seed = moysklad.seed(accountId);
  const installed = await moysklad.install(accountId);
  if (installed.httpStatus !== 200) throw new Error(`install failed: ${JSON.stringify(installed)}`);
  const admin = await sessionFor(sandbox, accountId, 'admin');

  // The settings page before anything is configured.
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${moysklad.uiUrl}/settings?accountId=${accountId}&employee=admin`);
  const settingsFrame = page.frameLocator('#main-iframe');
  await settingsFrame.getByTestId('settings-missing').waitFor();
  await page.waitForTimeout(500);
  await page.screenshot({ path: path.join(OUT, 'settings-empty.png'), fullPage: true });

  const statuses = (entity: 'supply' | 'move' | 'purchasereturn') => ({
    transfer: seed.states[entity]['Передать'], sent: seed.states[entity]['Передан'],
    error: seed.states[entity]['Ошибка передачи'], posted: seed.states[entity]['Проведён'],
  });
  const saved = await api(app.url, '/api/settings', {
    method: 'PUT', token: admin,
    body: {
      betaproBaseUrl: betapro.apiUrl, betaproPartnerId: BETAPRO_PARTNER.partnerId, betaproPassword: BETAPRO_PARTNER.password,
      storeIds: [seed.stores.betapro], enabledEntities: ['supply', 'move', 'purchasereturn'],
      statuses: { supply: statuses('supply'), move: statuses('move'), purchasereturn: statuses('purchasereturn') },
      productKey: 'article', partialPolicy: 'final', defectivePolicy: 'received', postingMode: 'review', pollIntervalSec: 3600,
    },
  });
  if (saved.status !== 200) throw new Error(`settings: ${JSON.stringify(saved.body)}`);

  const docUrl = (entity: string, id: string, extra = '') => `${moysklad.uiUrl}/${entity}/${id}?accountId=${accountId}&employee=admin${extra}`;
  async function widgetShot(p: Page, name: string, state: SyncState) {
    const frame = p.frameLocator('#widget');
    await frame.locator(`[data-testid="sync-state"][data-state="${state}"]`).waitFor({ timeout: 30_000 });
    await p.waitForTimeout(600);
    await p.locator('#widget-box').screenshot({ path: path.join(OUT, `${name}.png`) });
  }
  const waitState = (entity: 'supply' | 'move', id: string, state: SyncState) =>
    waitFor(`${id} ${state}`, async () => {
      const v = await documentView(sandbox, admin, entity, id);
      return v.state === state ? v : undefined;
    });
  const act = (entity: 'supply' | 'move', id: string, action: string) =>
    api(app.url, `/api/widget/documents/${entity}/${id}/actions`, { token: admin, body: { action } });

  const [s1, s2] = seed.supplies;
  // 1. Not sent yet: pre-flight passes.
  await page.goto(docUrl('supply', s1));
  await page.frameLocator('#widget').getByTestId('preflight-ok').waitFor();
  await widgetShot(page, 'widget-not-sent', 'not_sent');
  await page.screenshot({ path: path.join(OUT, 'widget-in-document.png') });

  // 2. A document with data problems: error with reasons and the pre-flight list.
  await act('supply', s2, 'send');
  await waitState('supply', s2, 'error');
  await page.goto(docUrl('supply', s2));
  await page.frameLocator('#widget').getByTestId('preflight-same').waitFor();
  await widgetShot(page, 'widget-error', 'error');

  // 3. Sent through the widget button (the app changed the document: the notice shows).
  await page.goto(docUrl('supply', s1));
  const frame = page.frameLocator('#widget');
  await frame.getByTestId('action-send').click();
  await frame.getByTestId('document-changed').waitFor({ timeout: 30_000 });
  await widgetShot(page, 'widget-sent', 'sent');

  // 4. Received with discrepancies and held for review (postingMode review).
  const view = await waitState('supply', s1, 'sent');
  await fetch(`${betapro.controlUrl}/indocs/${view.indocId}/receive`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ final: true, items: [
      { good_id: seed.products[0].article, useful_qnt: 9, defective_qnt: 1 },
      { good_id: seed.products[1].article, useful_qnt: 20, defective_qnt: 0 },
      { good_id: seed.products[2].article, useful_qnt: 52, defective_qnt: 0 },
    ] }),
  });
  await act('supply', s1, 'check');
  await waitState('supply', s1, 'review');
  await page.goto(docUrl('supply', s1));
  await widgetShot(page, 'widget-review', 'review');

  // 5. Posted with discrepancies.
  await act('supply', s1, 'post');
  await waitState('supply', s1, 'posted');
  await page.goto(docUrl('supply', s1));
  await widgetShot(page, 'widget-posted', 'posted');
  // The whole host page with the posted supply: the comment log and the corrected positions next to the widget.
  await page.screenshot({ path: path.join(OUT, 'demo-host-supply.png') });

  // 6. English, a move.
  await page.goto(docUrl('move', seed.moves[0], '&lang=en'));
  await widgetShot(page, 'widget-move-en', 'not_sent');

  // Discrepancy tasks (docs/discrepancy-tasks.md): the simulator's task list after the supply flows above (before the
  // outbound ones add their own) — the transfer error of step 2 has an open task, the review of step 4 a task closed by the posting of step 5.
  await waitFor('two discrepancy tasks', async () => moysklad.tasks(accountId).length === 2 && moysklad.tasks(accountId).some((t) => t.done));
  await page.goto(`${moysklad.uiUrl}/tasks?accountId=${accountId}&employee=admin`);
  await page.locator('#tasks').waitFor();
  await page.screenshot({ path: path.join(OUT, 'discrepancy-tasks.png'), fullPage: true });

  // 7. Goods leaving BetaPRO (docs/outbound.md). BetaPRO has what supply 1 brought (52 notebooks, 20 mugs)
  // and now receives 2 pens.
  const account = { accountId, seed, adminSession: admin };
  await stockUp(sandbox, account, [['PEN-BLUE', 2]]);
  // 7a. An outbound move before sending: the direction and the warehouse's stock warning (5 pens wanted).
  const outMove = createMove(sandbox, account, [['NB-A5', 10], ['PEN-BLUE', 5]]);
  await page.goto(docUrl('move', outMove));
  await page.frameLocator('#widget').getByTestId('preflight-stock').waitFor({ timeout: 30_000 });
  await widgetShot(page, 'widget-outbound-not-sent', 'not_sent');
  // 7b. Sent: a shipment task.
  await documentAction(sandbox, account, 'move', outMove, 'send');
  const outSent = await settle(sandbox, account, 'move', outMove, ['sent']);
  await page.goto(docUrl('move', outMove));
  await widgetShot(page, 'widget-outbound-sent', 'sent');
  // 7c. Shipped short (2 of 5 pens), reviewed and posted: the shortage in the plan-vs-shipped table.
  await ship(sandbox, outSent.indocId!);
  await checkUntil(sandbox, account, 'move', outMove, (v) => v.state === 'review' || v.state === 'posted');
  await act('move', outMove, 'post');
  await waitState('move', outMove, 'posted');
  await page.goto(docUrl('move', outMove));
  await widgetShot(page, 'widget-outbound-posted', 'posted');
  // 7d. A purchase return shipped in full and posted, in English.
  const ret = createPurchaseReturn(sandbox, account, [['MUG-300', 3]]);
  await documentAction(sandbox, account, 'purchasereturn', ret, 'send');
  const retSent = await settle(sandbox, account, 'purchasereturn', ret, ['sent']);
  await ship(sandbox, retSent.indocId!);
  await checkUntil(sandbox, account, 'purchasereturn', ret, (v) => v.state === 'posted');
  await page.goto(docUrl('purchasereturn', ret, '&lang=en'));
  await widgetShot(page, 'widget-return-posted-en', 'posted');

  // 8. Settings, configured, as admin and as a clerk (read only).
  await page.goto(`${moysklad.uiUrl}/settings?accountId=${accountId}&employee=admin`);
  await page.frameLocator('#main-iframe').getByTestId('settings-complete').waitFor();
  await page.waitForTimeout(800);
  await page.screenshot({ path: path.join(OUT, 'settings-admin.png'), fullPage: true });
  await page.goto(`${moysklad.uiUrl}/settings?accountId=${accountId}&employee=clerk`);
  await page.frameLocator('#main-iframe').getByTestId('read-only').waitFor();
  await page.waitForTimeout(800);
  await page.screenshot({ path: path.join(OUT, 'settings-read-only.png'), fullPage: false });

  // Bulk send from the supply list (docs/bulk-send.md): four selected supplies, one of them failing
  //    the pre-flight check, and the notification of button/complete above the list.
  {
    const meta = (type: string, id: string) => moysklad.meta(type, id);
    const noArticle = moysklad.createEntity(accountId, 'product', { name: 'Товар без артикула', code: 'NO-ART' });
    const newSupply = (productId: string) =>
      String(
        moysklad.createDocument(accountId, 'supply', {
          organization: meta('organization', seed.organizationId),
          agent: meta('counterparty', seed.counterpartyId),
          store: meta('store', seed.stores.betapro),
          positions: [{ quantity: 5, price: 15000, assortment: meta('product', productId) }],
        }).id,
      );
    const selected = [newSupply(seed.products[0].id), newSupply(seed.products[1].id), newSupply(noArticle), newSupply(seed.products[2].id)];
    const list = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    await list.goto(`${moysklad.uiUrl}/list/supply?accountId=${accountId}&employee=admin`);
    for (const id of selected) await list.locator(`input[data-select="${id}"]`).check();
    await list.locator('button[data-button="send_to_betapro"]').click();
    await list.locator('#notifications [data-kind="complete"]').first().waitFor({ timeout: 90_000 });
    for (const id of selected) await list.locator(`input[data-select="${id}"]`).check();
    await list.waitForTimeout(600);
    await list.screenshot({ path: path.join(OUT, 'bulk-send.png') });
    await list.close();
  }
  // 9. Stock reconciliation (docs/stock-reconciliation.md): a configured account with a difference and
  // one explained by a supply in flight, reconciled from the tab of the main iframe.
  {
    const stockAccount = await installAndConfigure(sandbox, 'stock-shop');
    await stockScenario(sandbox, stockAccount);
    await page.goto(`${moysklad.uiUrl}/settings?accountId=${stockAccount.accountId}&employee=admin`);
    const main = page.frameLocator('#main-iframe');
    await main.getByTestId('tab-stock').click();
    await main.getByTestId('stock-run').click();
    await main.getByTestId('stock-counts').waitFor({ timeout: 60_000 });
    await main.getByTestId('stock-run').and(main.getByRole('button', { name: 'Сверить сейчас' })).waitFor({ timeout: 60_000 });
    await page.waitForTimeout(800);
    await page.screenshot({ path: path.join(OUT, 'stock-reconciliation.png'), fullPage: true });
  }
  console.log(`screenshots written to ${OUT}`);
} finally {
  await browser.close();
  await sandbox.stop();
}

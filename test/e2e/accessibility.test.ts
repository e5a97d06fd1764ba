/**
 * Accessibility of the app's own pages in Chromium: the widget in every state the simulators can put a
 * document in, and the settings page, in Russian and English. axe-core (the reference engine, not rules
 * of our own) must find no serious or critical violation; keyboard focus must be visible; nothing may
 * scroll sideways at MoySklad's 400 px widget width. The host page around them is the simulator's and
 * is not audited.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Frame, type Page } from 'playwright-core';
import { createRequire } from 'node:module';
import { chromiumArgs, findChromium } from '../support/chromium';
import { api, BETAPRO_PARTNER, documentView, sessionFor, startSandbox, waitFor, type Sandbox } from '../support/sandbox';
import type { SeedResult } from '../sandbox/moysklad';
import type { SyncState } from '@/lib/api/contract';

const executablePath = findChromium();
const AXE_PATH = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const LANGS = [
  { lang: 'ru', extra: '' },
  { lang: 'en', extra: '&lang=en' },
] as const;

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: unknown[]; failureSummary?: string }>;
}

/** Runs axe-core inside one frame and returns the serious and critical violations, readable in a diff. */
async function seriousViolations(frame: Frame): Promise<string[]> {
  await frame.addScriptTag({ path: AXE_PATH });
  const violations = await frame.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, opts: unknown) => Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations;
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.impact} ${v.id}: ${v.help} — ${v.nodes
          .slice(0, 8)
          .map((n) => `${JSON.stringify(n.target)} ${n.failureSummary ?? ''}`)
          .join(' | ')}`,
    );
}

/**
 * Width the document scrolls beyond its viewport (0 = no horizontal overflow) and, when it does, the
 * innermost elements sticking out, so that a failure names what to fix.
 */
function horizontalOverflow(frame: Frame): Promise<{ px: number; culprits: string[] }> {
  return frame.evaluate(() => {
    const root = document.scrollingElement ?? document.documentElement;
    const px = root.scrollWidth - root.clientWidth;
    if (px <= 0) return { px, culprits: [] };
    const wide = Array.from(document.body.querySelectorAll<HTMLElement>('*')).filter(
      (el) => el.getBoundingClientRect().right > root.clientWidth + 1,
    );
    const innermost = wide.filter((el) => !wide.some((other) => other !== el && el.contains(other)));
    return {
      px,
      culprits: innermost
        .slice(0, 3)
        .map((el) => `<${el.tagName.toLowerCase()} class="${el.className}"> ${el.textContent?.slice(0, 60) ?? ''}`),
    };
  });
}

/**
 * Tabs through the frame until a focusable control is reached and reports how its focus is drawn: an
 * outline wider than 0 or a box shadow. MUI's default draws only a ripple, which is not a focus ring.
 */
async function focusRing(page: Page, frame: Frame): Promise<{ tag: string; outline: string; shadow: string } | undefined> {
  await frame.locator('body').click({ position: { x: 1, y: 1 } });
  for (let i = 0; i < 15; i++) {
    await page.keyboard.press('Tab');
    const seen = await frame.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      if (!el || el === document.body || !el.matches('button, a[href], [role="button"], input[type="checkbox"], input[type="radio"]'))
        return undefined;
      const s = getComputedStyle(el);
      return {
        tag: `${el.tagName.toLowerCase()} ${el.textContent?.trim().slice(0, 30) ?? ''}`,
        outline: `${s.outlineStyle} ${s.outlineWidth}`,
        shadow: s.boxShadow,
      };
    });
    if (seen) return seen;
  }
  return undefined;
}

function ringVisible(ring: { outline: string; shadow: string } | undefined): boolean {
  if (!ring) return false;
  const [style, width] = ring.outline.split(' ');
  return (style !== 'none' && parseFloat(width) > 0) || (ring.shadow !== 'none' && ring.shadow !== '');
}

describe.skipIf(!executablePath)('accessibility of the widget and the settings page (axe-core, Chromium)', () => {
  let sandbox: Sandbox;
  let browser: Browser;
  let accountId: string;
  let seed: SeedResult;
  let admin: string;
  /** Every audited page: what was checked, and what failed (empty when all is well). */
  const audited: string[] = [];

  beforeAll(async () => {
    sandbox = await startSandbox();
    browser = await chromium.launch({ executablePath, args: chromiumArgs() });
    ({ accountId } = sandbox.moysklad.createAccount('a11y-shop'));
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
        // Review mode: a receipt with discrepancies stops in «review» before it is posted, one more state to audit.
        productKey: 'article',
        partialPolicy: 'final',
        defectivePolicy: 'received',
        postingMode: 'review',
        pollIntervalSec: 3600,
      },
    });
    if (saved.status !== 200) throw new Error(`settings failed: ${JSON.stringify(saved.body)}`);
  });

  afterAll(async () => {
    await browser?.close();
    await sandbox?.stop();
  });

  const act = async (entity: 'supply' | 'move', id: string, action: string) => {
    const r = await api(sandbox.app.url, `/api/widget/documents/${entity}/${id}/actions`, {
      token: admin,
      body: { action },
    });
    if (r.status >= 300) throw new Error(`${action} ${id}: ${r.status} ${JSON.stringify(r.body)}`);
  };
  const waitState = (entity: 'supply' | 'move', id: string, state: SyncState) =>
    waitFor(`${id} ${state}`, async () => {
      const v = await documentView(sandbox, admin, entity, id);
      return v.state === state ? v : undefined;
    });
  const receive = async (indocId: string, body: unknown) => {
    const r = await fetch(`${sandbox.betapro.controlUrl}/indocs/${indocId}/receive`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!r.ok) throw new Error(`receive ${indocId}: ${r.status} ${await r.text()}`);
  };
  const newSupply = (article: string, quantity: number) => {
    const ms = sandbox.moysklad;
    return String(
      ms.createDocument(accountId, 'supply', {
        organization: ms.meta('organization', seed.organizationId),
        agent: ms.meta('counterparty', seed.counterpartyId),
        store: ms.meta('store', seed.stores.betapro),
        positions: [
          {
            quantity,
            price: 100,
            assortment: ms.meta('product', seed.products.find((p) => p.article === article)!.id),
          },
        ],
      }).id,
    );
  };

  /**
   * Opens a document in the host page (400 px widget iframe) in both languages, waits until `ready`
   * is visible in the widget, and audits the widget's document.
   */
  async function auditWidget(label: string, entity: 'supply' | 'move', id: string, ready: string): Promise<void> {
    for (const { lang, extra } of LANGS) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      try {
        await page.goto(`${sandbox.moysklad.uiUrl}/${entity}/${id}?accountId=${accountId}&employee=admin${extra}`);
        await page.frameLocator('#widget').locator(ready).first().waitFor({ timeout: 30_000 });
        // Let transitions (chips, collapses) settle: axe measures colours of what is painted.
        await page.waitForTimeout(400);
        const frame = appFrame(page, '/widget/');
        const problems = await seriousViolations(frame);
        const overflow = await horizontalOverflow(frame);
        if (overflow.px > 0) problems.push(`horizontal overflow of ${overflow.px}px at 400 px: ${overflow.culprits.join(' | ')}`);
        audited.push(`widget ${label} ${lang}: ${problems.length ? problems.join('\n  ') : 'ok'}`);
        expect(problems, `widget ${label} (${lang})`).toEqual([]);
      } finally {
        await page.close();
      }
    }
  }

  /** The app's own iframe (not the simulator's host page, whose URL also says "settings"). */
  const appFrame = (page: Page, path: string): Frame => {
    const frame = page.frames().find((f) => f.url().startsWith(`${sandbox.app.url}${path}`));
    if (!frame)
      throw new Error(
        `no app frame ${path} in ${page
          .frames()
          .map((f) => f.url())
          .join(', ')}`,
      );
    return frame;
  };

  const stateSel = (s: SyncState) => `[data-testid="sync-state"][data-state="${s}"]`;

  it('widget: not sent, pre-flight passes', async () => {
    await auditWidget('not_sent', 'supply', seed.supplies[0], '[data-testid="preflight-ok"]');
  });

  it('widget: not sent, pre-flight lists problems', async () => {
    await auditWidget('not_sent+problems', 'supply', seed.supplies[1], '[data-testid="preflight-problems"]');
  });

  it('widget: a move (other form of the panel)', async () => {
    await auditWidget('move not_sent', 'move', seed.moves[0], stateSel('not_sent'));
  });

  it('widget: transfer error with reasons', async () => {
    await act('supply', seed.supplies[1], 'send');
    await waitState('supply', seed.supplies[1], 'error');
    await auditWidget('error', 'supply', seed.supplies[1], stateSel('error'));
  });

  it('widget: sent, then cancelled', async () => {
    const id = newSupply('NB-A5', 4);
    await act('supply', id, 'send');
    await waitState('supply', id, 'sent');
    await auditWidget('sent', 'supply', id, stateSel('sent'));
    await act('supply', id, 'cancel');
    await waitState('supply', id, 'cancelled');
    await auditWidget('cancelled', 'supply', id, stateSel('cancelled'));
  });

  it('widget: receipt with discrepancies waiting for review, then posted', async () => {
    const id = seed.supplies[0];
    await act('supply', id, 'send');
    const view = await waitState('supply', id, 'sent');
    await receive(view.indocId!, {
      final: true,
      items: [
        { good_id: 'TS-WHITE', useful_qnt: 9, defective_qnt: 1 },
        { good_id: 'MUG-300', useful_qnt: 20, defective_qnt: 0 },
        { good_id: 'NB-A5', useful_qnt: 52, defective_qnt: 0 },
      ],
    });
    await act('supply', id, 'check');
    await waitState('supply', id, 'review');
    await auditWidget('review', 'supply', id, '[data-testid="receipt-line"]');
    await act('supply', id, 'post');
    await waitState('supply', id, 'posted');
    await auditWidget('posted', 'supply', id, stateSel('posted'));
  });

  it('widget: goods received without a card (unknown goods to identify)', async () => {
    const id = newSupply('TS-WHITE', 2);
    await act('supply', id, 'send');
    const view = await waitState('supply', id, 'sent');
    await receive(view.indocId!, {
      final: true,
      unknown: [{ barcode: '2000000099999', descrip: 'Ручка без упаковки', useful_qnt: 5 }],
    });
    await act('supply', id, 'check');
    await auditWidget('unknown goods', 'supply', id, '[data-testid="unrecognized-good"]');
  });

  it('widget: keyboard focus is drawn as a visible ring', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${sandbox.moysklad.uiUrl}/supply/${seed.supplies[1]}?accountId=${accountId}&employee=admin`);
    await page.frameLocator('#widget').locator(stateSel('error')).waitFor({ timeout: 30_000 });
    const frame = appFrame(page, '/widget/');
    const ring = await focusRing(page, frame);
    expect(ring, 'a focusable control in the widget').toBeDefined();
    expect(ringVisible(ring), `focus ring of ${JSON.stringify(ring)}`).toBe(true);
    await page.close();
  });

  for (const { lang, extra } of LANGS) {
    it(`settings page (${lang}): no serious violations, focus ring, no overflow at 400 px`, async () => {
      // 400 px wide window: the main iframe (width 100 %) is then narrower than the widget's.
      const page = await browser.newPage({ viewport: { width: 400, height: 900 } });
      try {
        await page.goto(`${sandbox.moysklad.uiUrl}/settings?accountId=${accountId}&employee=admin${extra}`);
        await page.frameLocator('#main-iframe').getByTestId('settings-complete').waitFor({ timeout: 30_000 });
        await page.waitForTimeout(400);
        const frame = appFrame(page, '/settings');
        const problems = await seriousViolations(frame);
        audited.push(`settings ${lang}: ${problems.length ? problems.join('\n  ') : 'ok'}`);
        expect(problems, `settings (${lang})`).toEqual([]);
        expect(await horizontalOverflow(frame), 'horizontal overflow').toMatchObject({ culprits: [] });
        const ring = await focusRing(page, frame);
        expect(ringVisible(ring), `focus ring of ${JSON.stringify(ring)}`).toBe(true);
      } finally {
        await page.close();
      }
    });
  }

  it('settings page, read-only for an employee: no serious violations', async () => {
    const page = await browser.newPage({ viewport: { width: 400, height: 900 } });
    await page.goto(`${sandbox.moysklad.uiUrl}/settings?accountId=${accountId}&employee=clerk`);
    await page.frameLocator('#main-iframe').getByTestId('read-only').waitFor({ timeout: 30_000 });
    await page.waitForTimeout(400);
    const frame = appFrame(page, '/settings');
    expect(await seriousViolations(frame)).toEqual([]);
    expect(await horizontalOverflow(frame)).toMatchObject({ culprits: [] });
    await page.close();
  });

  it('summary', () => {
    // One line per audited page in the test output, so a run documents what was covered.
    console.log(audited.join('\n'));
    expect(audited.length).toBeGreaterThanOrEqual(20);
  });
});

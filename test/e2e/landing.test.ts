import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { chromiumArgs, findChromium } from '../support/chromium';
import { startApp, type AppServer } from '../support/app-server';

const executablePath = findChromium();

describe.skipIf(!executablePath)('landing page in Chromium', () => {
  let app: AppServer;
  let browser: Browser;

  beforeAll(async () => {
    app = await startApp();
    browser = await chromium.launch({ executablePath, args: chromiumArgs() });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('explains the app to someone who opens its URL directly', async () => {
    const page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
    await page.goto(app.url);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toContain('БетаПРО для МойСклад');
    await expect(page.getByText('Как это работает').count()).resolves.toBe(1);
    const docsLink = page.getByRole('link', { name: 'README проекта' });
    expect(await docsLink.getAttribute('href')).toMatch(/README|readme/);
    mkdirSync('test-results', { recursive: true });
    await page.screenshot({ path: 'test-results/landing.png' });
  });
});

/**
 * MoySklad simulator, host web UI: pages render with the right iframes (widget with a fresh context
 * key for the chosen user, settings page), their inline scripts compile, and a save from the page goes
 * through the same logic as an API write (webhook fired with the user's uid). Browser-level tests of
 * the postMessage protocol live elsewhere.
 */
import { Script } from 'node:vm';
import { SignJWT } from 'jose';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMoyskladSimulator, type MoyskladSimulator, type SeedResult } from '@/test/sandbox/moysklad';
import { ms, SOLUTION, startReceiver, type Receiver } from './moysklad-helpers';

let sim: MoyskladSimulator;
let app: Receiver;
let accountId: string;
let token: string;
let seed: SeedResult;

async function vendorJwt(): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(SOLUTION.appUid)
    .setIssuedAt()
    .setJti(randomBytes(8).toString('hex'))
    .sign(new TextEncoder().encode(SOLUTION.secretKey));
}

function inlineScripts(html: string): string[] {
  return [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
}

beforeAll(async () => {
  app = await startReceiver();
  sim = await startMoyskladSimulator({ port: 0, solution: { ...SOLUTION, appBaseUrl: `${app.url}/ms` } });
  ({ accountId, token } = await sim.installedAccount('uitest'));
  seed = sim.seed(accountId);
});

afterAll(async () => {
  await sim?.close();
  await app?.close();
});

describe('host UI', () => {
  it('lists the documents of an account with state and posted flag', async () => {
    const res = await fetch(`${sim.uiUrl}?accountId=${accountId}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    const html = await res.text();
    for (const id of [...seed.supplies, ...seed.moves]) expect(html).toContain(`data-id="${id}"`);
    expect(html).toContain('Новый');
    expect(html).toContain('Кладовщик');
    for (const s of inlineScripts(html)) new Script(s);
  });

  it('shows a document with positions and the widget iframe (fresh context key for the selected user)', async () => {
    const id = seed.supplies[0];
    const html = await (await fetch(`${sim.uiUrl}/supply/${id}?accountId=${accountId}&employee=clerk&lang=en`)).text();
    const src = /<iframe id="widget" src="([^"]+)"/.exec(html)?.[1]?.replace(/&amp;/g, '&');
    expect(src).toBeTruthy();
    const u = new URL(src!);
    expect(`${u.origin}${u.pathname}`).toBe(`${app.url}/ms/widget/supply`);
    expect(u.searchParams.get('appUid')).toBe(SOLUTION.appUid);
    expect(u.searchParams.get('appId')).toBe(SOLUTION.appId);
    expect(u.searchParams.get('userLocale')).toBe('en_US');
    const ctx = await ms(`${sim.vendorApiUrl}/context/${u.searchParams.get('contextKey')}`, {
      method: 'POST',
      token: await vendorJwt(),
    });
    expect(ctx.status).toBe(200);
    expect(ctx.body.uid).toBe('clerk@uitest');
    expect(html).toContain('width:400px');
    const cfg = JSON.parse(/<script type="application\/json" id="cfg">([\s\S]*?)<\/script>/.exec(html)![1]);
    expect(cfg).toMatchObject({
      type: 'supply',
      extensionPoint: 'document.supply.edit',
      appOrigin: app.url,
      canUpdate: true,
    });
    expect(cfg.doc.positions.rows).toHaveLength(3);
    expect(cfg.doc.positions.rows[0].assortment.name).toBe('Футболка хлопковая белая');
    for (const s of inlineScripts(html)) new Script(s);

    const move = await (await fetch(`${sim.uiUrl}/move/${seed.moves[0]}?accountId=${accountId}`)).text();
    expect(move).toContain('/ms/widget/move');
    expect(move).toContain('userLocale=ru_RU');
    // No rights on supplies: the page refuses to show the document.
    const denied = await (await fetch(`${sim.uiUrl}/supply/${id}?accountId=${accountId}&employee=clerk-nosupply`)).text();
    expect(denied).toContain('нет прав');
  });

  it('saves through the same logic as an API write: webhook with the user uid, scenario', async () => {
    await ms(`${sim.apiUrl}/entity/webhook`, {
      method: 'POST',
      token,
      body: { url: `${app.url}/hook`, action: 'UPDATE', entityType: 'supply', diffType: 'FIELDS' },
    });
    sim.addScenario(accountId, { entityType: 'supply', stateName: 'Передать', actionName: 'send' });
    app.requests.length = 0;
    const id = seed.supplies[1];
    const res = await fetch(`${sim.uiUrl}/api/supply/${id}?accountId=${accountId}&employee=clerk`, {
      method: 'PUT',
      body: JSON.stringify({
        state: sim.stateMeta('supply', seed.states.supply['Передать']),
        description: 'из интерфейса',
      }),
    });
    expect(res.status).toBe(200);
    const j = await res.json();
    expect(j.doc.state.name).toBe('Передать');
    await sim.idle();
    const hook = app.requests.find((r) => r.path === '/hook')!;
    expect(hook.body.auditContext.uid).toBe('clerk@uitest');
    expect(hook.body.events[0].updatedFields.sort()).toEqual(['description', 'state']);
    expect(app.requests.some((r) => r.path.endsWith(`/apps/${SOLUTION.appId}/${accountId}/scenario`))).toBe(true);
    const denied = await fetch(`${sim.uiUrl}/api/supply/${id}?accountId=${accountId}&employee=clerk-nosupply`, {
      method: 'PUT',
      body: '{}',
    });
    expect(denied.status).toBe(403);
  });

  it('embeds the settings page as the main iframe and redirects MoySklad deep links', async () => {
    const html = await (await fetch(`${sim.uiUrl}/settings?accountId=${accountId}`)).text();
    const src = /<iframe id="main-iframe" src="([^"]+)"/.exec(html)?.[1]?.replace(/&amp;/g, '&');
    expect(src).toContain(`${app.url}/ms/settings?contextKey=`);
    expect(html).toContain('768');
    for (const s of inlineScripts(html)) new Script(s);
    const redirect = await (await fetch(`${sim.origin}/app`)).text();
    expect(redirect).toContain('location.replace');
    const doc = await ms(`${sim.apiUrl}/entity/supply/${seed.supplies[0]}`, { token });
    expect(doc.body.meta.uuidHref).toBe(`${sim.origin}/app/#supply/edit?id=${seed.supplies[0]}`);
  });
});

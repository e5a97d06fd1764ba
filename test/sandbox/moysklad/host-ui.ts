/**
 * Host web UI: imitates MoySklad's pages around the app, for the demo and browser tests.
 *  - /ui                 documents list of an account, account/user/language switchers, demo helpers;
 *  - /ui/{supply|move}/{id}  document form (header, positions, status, Save) with the app's widget in a
 *                        400 px iframe and the host side of the widget postMessage protocol
 *                        (Open/OpenFeedback, Save, UpdateRequest, NavigateRequest, ShowDialogRequest,
 *                        SetDirty/ClearDirty); the iframe is reused when switching documents;
 *  - /ui/settings        the app's main iframe (settings page), honouring `{height}` messages;
 *  - /ui/new/{type}      a new document of any type the simulator stores: required stores/agent, goods
 *                        and quantities (user-edits.ts does the write, as a user's save);
 *  - /ui/products, /ui/product/{id}  goods list and a product card: article, code, barcode, variants;
 *  - /ui/tasks                      the account's tasks (the app's discrepancy tasks), newest first;
 *  - /app#supply/edit?id=…  MoySklad-style deep links (`uuidHref`) redirected to the pages above.
 * Saving goes through the same engine as an API write by that user, so webhooks, scenarios and audit
 * behave exactly as in MoySklad. Plain server-rendered HTML plus a small inline script.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { apiError, HttpError, readJson, sendHtml } from './http';
import { isRef } from './serialize';
import type { Simulator } from './simulator';
import type { AccountRec, DocType, EmployeeKind, EntityRec } from './types';
import { createDocumentAsUser, DOC_TYPES, docLabel, editProductAsUser, newDocumentForm, productCard, productList } from './user-edits';

const EMPLOYEES: Array<{ kind: EmployeeKind; label: string }> = [
  { kind: 'admin', label: 'Администратор' },
  { kind: 'clerk', label: 'Кладовщик' },
  { kind: 'clerk-readonly', label: 'Сотрудник: приёмки только просмотр' },
  { kind: 'clerk-nosupply', label: 'Сотрудник без прав на приёмки' },
];
/** `supply|move|…`: URL patterns follow the simulator's document types. */
const TYPES_RE = DOC_TYPES.join('|');

function esc(v: unknown): string {
  return String(v ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** JSON inside <script type="application/json">: only `<` needs neutralising. */
function jsonScript(id: string, value: unknown): string {
  return `<script type="application/json" id="${id}">${JSON.stringify(value).replace(/</g, '\\u003c')}</script>`;
}

function rub(kopecks: number): string {
  return (kopecks / 100).toLocaleString('ru-RU', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}

function colorHex(argb: number): string {
  return `#${(argb & 0xffffff).toString(16).padStart(6, '0')}`;
}

const CSS = `
*{box-sizing:border-box}body{margin:0;font:13px/1.4 Arial,Helvetica,sans-serif;color:#222;background:#f2f4f7}
header{background:#1e5aa8;color:#fff;display:flex;align-items:center;gap:16px;padding:0 16px;height:44px}
header .logo{font-weight:bold;font-size:16px;letter-spacing:.5px}header a{color:#fff;text-decoration:none;opacity:.9}
header a.active{opacity:1;border-bottom:2px solid #fff;padding-bottom:2px}header .spacer{flex:1}
header select{font-size:12px;padding:2px 4px;border-radius:3px;border:0}
main{padding:12px 16px}h1{font-size:18px;font-weight:normal;margin:4px 0 12px}
table.grid{border-collapse:collapse;background:#fff;width:100%}table.grid th,table.grid td{border-bottom:1px solid #e3e6ea;padding:4px 8px;text-align:left;white-space:nowrap}
table.grid th{background:#f7f8fa;font-weight:normal;color:#666;font-size:12px}table.grid tr:hover td{background:#f5f9ff}
table.grid td.num,table.grid th.num{text-align:right}a{color:#1e5aa8}
.state{display:inline-block;padding:1px 8px;border-radius:10px;color:#fff;font-size:12px}
.doc{display:flex;gap:16px;align-items:flex-start}.doc .form{flex:1;min-width:0}
.panel{background:#fff;border:1px solid #dde1e6;border-radius:3px;padding:10px 12px;margin-bottom:12px}
.fields{display:grid;grid-template-columns:140px 1fr;gap:6px 10px;align-items:center}.fields label{color:#666}
textarea{width:100%;min-height:70px;font:inherit}input.qty{width:80px;text-align:right}
.toolbar{display:flex;gap:8px;align-items:center;margin-bottom:10px}button{font:inherit;padding:4px 12px;border:1px solid #1e5aa8;background:#1e5aa8;color:#fff;border-radius:3px;cursor:pointer}
button.secondary,a.button.secondary{background:#fff;color:#1e5aa8}
a.button{display:inline-block;padding:4px 12px;border:1px solid #1e5aa8;background:#1e5aa8;color:#fff;border-radius:3px;text-decoration:none}
.hint{color:#5f6368;font-size:12px}input.wide{width:100%}table.grid input{font:inherit}
button:focus-visible,a:focus-visible,input:focus-visible,select:focus-visible,textarea:focus-visible{outline:2px solid #1e5aa8;outline-offset:2px}button:disabled{opacity:.5;cursor:default}
.dirty{color:#a84d00}.muted{color:#5f6368}.ok{color:#2e7d32}.err{color:#c62828}
.widget-box{width:400px;flex:none;background:#fff;border:1px solid #dde1e6;position:relative}
.widget-box iframe{display:block;border:0;width:400px}.loader{position:absolute;inset:0;background:rgba(255,255,255,.85);display:flex;align-items:center;justify-content:center;color:#666}
.modal-back{position:fixed;inset:0;background:rgba(0,0,0,.35);display:flex;align-items:center;justify-content:center}
.modal{background:#fff;min-width:320px;max-width:520px;border-radius:4px;box-shadow:0 4px 20px rgba(0,0,0,.3)}
.modal .text{padding:16px;white-space:pre-wrap}.modal .buttons{padding:8px 16px 14px;display:flex;gap:8px;justify-content:flex-end}
.modal .close{float:right;border:0;background:none;color:#888;font-size:18px;padding:4px 10px}
#msglog{font:11px/1.3 monospace;color:#555;max-height:160px;overflow:auto;white-space:pre-wrap}
.settings iframe{border:0;width:100%;min-height:768px;background:#fff;display:block}
`;

interface PageCtx {
  account: AccountRec | undefined;
  employee: EmployeeKind;
  lang: 'ru' | 'en';
}

export class HostUi {
  constructor(private readonly sim: Simulator) {}

  private ctx(url: URL): PageCtx {
    const accounts = this.sim.store.accounts();
    const wanted = url.searchParams.get('accountId');
    const account = (wanted && this.sim.store.account(wanted)) || accounts[0];
    const e = url.searchParams.get('employee') as EmployeeKind | null;
    const employee = e && EMPLOYEES.some((x) => x.kind === e) ? e : 'admin';
    const lang = url.searchParams.get('lang') === 'en' ? 'en' : 'ru';
    return { account, employee, lang };
  }

  private q(c: PageCtx, extra: Record<string, string> = {}): string {
    const p = new URLSearchParams();
    if (c.account) p.set('accountId', c.account.id);
    p.set('employee', c.employee);
    if (c.lang === 'en') p.set('lang', 'en');
    for (const [k, v] of Object.entries(extra)) p.set(k, v);
    return `?${p.toString()}`;
  }

  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    try {
      const p = url.pathname.replace(/\/+$/, '') || '/';
      const m = new RegExp(`^/ui/(${TYPES_RE})/([0-9a-f-]{36})$`).exec(p);
      const api = new RegExp(`^/ui/api/(${TYPES_RE})/([0-9a-f-]{36})$`).exec(p);
      const created = new RegExp(`^/ui/(?:api/)?new/(${TYPES_RE})$`).exec(p);
      const product = /^\/ui\/(?:api\/)?product\/([0-9a-f-]{36})$/.exec(p);
      if (p === '/' || p === '/ui') return sendHtml(res, 200, this.listPage(this.ctx(url)));
      if (p === '/ui/settings') return sendHtml(res, 200, this.settingsPage(this.ctx(url)));
      if (p === '/app') return sendHtml(res, 200, this.appRedirect());
      if (p === '/ui/products') return sendHtml(res, 200, this.productsPage(this.ctx(url)));
      if (p === '/ui/tasks') return sendHtml(res, 200, this.tasksPage(this.ctx(url)));
      if (created && req.method === 'GET') return sendHtml(res, 200, this.newDocumentPage(this.ctx(url), created[1] as DocType));
      if (created && req.method === 'POST') {
        const c = this.ctx(url);
        if (!c.account) throw apiError(404, 1021, 'no account');
        const rec = createDocumentAsUser(this.sim, c.account.id, created[1] as DocType, await readJson(req), c.employee);
        return this.json(res, 200, { id: rec.id, url: `/ui/${rec.type}/${rec.id}${this.q(c)}` });
      }
      if (product && req.method === 'GET') return sendHtml(res, 200, this.productPage(this.ctx(url), product[1]));
      if (product && req.method === 'PUT') {
        const c = this.ctx(url);
        if (!c.account) throw apiError(404, 1021, 'no account');
        return this.json(res, 200, editProductAsUser(this.sim, c.account.id, product[1], await readJson(req), c.employee));
      }
      if (m && req.method === 'GET') return sendHtml(res, 200, this.documentPage(this.ctx(url), m[1] as DocType, m[2]));
      if (api && req.method === 'GET') return this.json(res, 200, this.docPayload(this.ctx(url), api[1] as DocType, api[2]));
      if (api && req.method === 'PUT') {
        const c = this.ctx(url);
        if (!c.account) throw apiError(404, 1021, 'no account');
        this.sim.userUpdate(c.account.id, api[1] as DocType, api[2], await readJson(req), c.employee);
        return this.json(res, 200, this.docPayload(c, api[1] as DocType, api[2]));
      }
      if (p === '/ui/api/demo-account' && req.method === 'POST') {
        const body = ((await readJson(req)) ?? {}) as { accountName?: string };
        const name = (body.accountName ?? `demo${this.sim.store.accounts().length + 1}`).replace(/[^a-z0-9_.-]/gi, '') || 'demo';
        const { accountId } = this.sim.createAccount(name);
        this.sim.seed(accountId);
        return this.json(res, 200, { accountId });
      }
      const life = /^\/ui\/api\/accounts\/([0-9a-f-]{36})\/(install|uninstall|suspend|resume|tariff)$/.exec(p);
      if (life && req.method === 'POST') return this.json(res, 200, await this.sim.lifecycle(life[1], life[2] as 'install'));
      sendHtml(res, 404, this.shell(this.ctx(url), 'Не найдено', '<main><h1>Страница не найдена</h1></main>', ''));
    } catch (e) {
      if (e instanceof HttpError) return this.json(res, e.status, { errors: e.errors });
      return this.json(res, 500, { errors: [{ error: (e as Error).message }] });
    }
  }

  private json(res: ServerResponse, status: number, body: unknown): void {
    res.statusCode = status;
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.end(JSON.stringify(body));
  }

  // ------------------------------------------------------------------ layout

  private shell(c: PageCtx, title: string, body: string, active: string): string {
    const accounts = this.sim.store.accounts();
    const accSel = accounts.length
      ? `<select id="sw-account" title="Аккаунт" aria-label="Аккаунт">${accounts.map((a) => `<option value="${a.id}"${a.id === c.account?.id ? ' selected' : ''}>${esc(a.name)}</option>`).join('')}</select>`
      : '';
    const empSel = `<select id="sw-employee" title="Пользователь" aria-label="Пользователь">${EMPLOYEES.map((e) => `<option value="${e.kind}"${e.kind === c.employee ? ' selected' : ''}>${esc(e.label)}</option>`).join('')}</select>`;
    const langSel = `<select id="sw-lang" title="Язык" aria-label="Язык"><option value="ru"${c.lang === 'ru' ? ' selected' : ''}>RU</option><option value="en"${c.lang === 'en' ? ' selected' : ''}>EN</option></select>`;
    return `<!doctype html><html lang="ru"><head><meta charset="utf-8"><title>${esc(title)} — МойСклад (симулятор)</title><style>${CSS}</style></head>
<body><header><span class="logo">МойСклад</span>
<a href="/ui${this.q(c)}" class="${active === 'docs' ? 'active' : ''}">Документы</a>
<a href="/ui/products${this.q(c)}" class="${active === 'products' ? 'active' : ''}">Товары</a>
<a href="/ui/tasks${this.q(c)}" class="${active === 'tasks' ? 'active' : ''}">Задачи</a>
<a href="/ui/settings${this.q(c)}" class="${active === 'settings' ? 'active' : ''}">Приложение</a>
<span class="spacer"></span>${accSel}${empSel}${langSel}</header>${body}
<script>
(function(){
  function go(k,v){var u=new URL(location.href);u.searchParams.set(k,v);if(k==='lang'&&v==='ru')u.searchParams.delete('lang');location.href=k==='accountId'&&/^\\/ui\\/(new|product|${TYPES_RE})\\//.test(u.pathname)?'/ui'+u.search:u.toString();}
  var a=document.getElementById('sw-account');if(a)a.onchange=function(){go('accountId',a.value)};
  document.getElementById('sw-employee').onchange=function(e){go('employee',e.target.value)};
  document.getElementById('sw-lang').onchange=function(e){go('lang',e.target.value)};
})();
</script></body></html>`;
  }

  private stateBadge(account: AccountRec, rec: EntityRec): string {
    const st = isRef(rec.fields.state) ? account.states.find((s) => s.id === (rec.fields.state as { id: string }).id) : undefined;
    return st ? `<span class="state" style="background:${colorHex(st.color)}">${esc(st.name)}</span>` : '<span class="muted">—</span>';
  }

  private refName(account: AccountRec, v: unknown): string {
    return isRef(v) ? String(account.entities[v.id]?.fields.name ?? '') : '';
  }

  // ------------------------------------------------------------------ pages

  private listPage(c: PageCtx): string {
    if (!c.account) {
      return this.shell(
        c,
        'Документы',
        `<main><h1>Нет аккаунтов</h1><p>Создайте аккаунт через control API (<code>POST /_sim/accounts</code>) или демо-аккаунт с данными:</p>
<button id="demo">Создать демо-аккаунт</button>
<script>document.getElementById('demo').onclick=async function(){const r=await fetch('/ui/api/demo-account',{method:'POST',body:'{}'});const j=await r.json();location.href='/ui?accountId='+j.accountId;};</script></main>`,
        'docs',
      );
    }
    const acc = c.account;
    const docs = Object.values(acc.entities)
      .filter((e) => (DOC_TYPES as string[]).includes(e.type))
      .sort((a, b) => ((a.fields.moment as string) < (b.fields.moment as string) ? 1 : -1));
    const rows = docs
      .map((d) => {
        const f = d.fields;
        const sum = this.sim.ser.entity(acc, d).sum as number;
        const to = this.refName(acc, f.targetStore ?? f.store);
        const from = this.refName(acc, f.sourceStore ?? f.agent);
        return `<tr data-id="${d.id}"><td>${docLabel(d.type)}</td><td><a href="/ui/${d.type}/${d.id}${this.q(c)}">${esc(f.name)}</a></td>
<td>${esc(String(f.moment).slice(0, 16))}</td><td>${esc(from)}</td><td>${esc(to)}</td><td class="num">${rub(sum)}</td>
<td>${f.applicable ? '<span class="ok" title="Проведён">✓</span>' : '<span class="muted" title="Не проведён">—</span>'}</td><td>${this.stateBadge(acc, d)}</td>
<td class="muted">${esc(
          String(f.description ?? '')
            .split('\n')[0]
            .slice(0, 60),
        )}</td></tr>`;
      })
      .join('');
    const inst = acc.installation;
    const instButtons = (['install', 'tariff', 'suspend', 'resume', 'uninstall'] as const)
      .map(
        (a) =>
          `<button class="secondary" data-life="${a}">${esc({ install: 'Установить', tariff: 'Сменить тариф', suspend: 'Приостановить', resume: 'Возобновить', uninstall: 'Удалить' }[a])}</button>`,
      )
      .join(' ');
    return this.shell(
      c,
      'Документы',
      `<main><h1>Документы — ${esc(acc.name)}</h1>
<div class="toolbar" id="create">Создать: ${DOC_TYPES.map((t) => `<a class="button" data-new="${t}" href="/ui/new/${t}${this.q(c)}">${esc(docLabel(t))}</a>`).join(' ')}
<a class="button secondary" href="/ui/products${this.q(c)}">Товары: артикулы, штрихкоды, модификации</a></div>
<div class="panel"><b>Решение:</b> <span id="inst-status">${esc(inst.status)}</span> ${instButtons} <span id="inst-result" class="muted"></span></div>
<table class="grid" id="docs"><thead><tr><th>Тип</th><th>№</th><th>Время</th><th>Контрагент / откуда</th><th>Склад / куда</th><th class="num">Сумма</th><th>Проведён</th><th>Статус</th><th>Комментарий</th></tr></thead>
<tbody>${rows || '<tr><td colspan="9" class="muted">Документов нет</td></tr>'}</tbody></table></main>
<script>
document.querySelectorAll('[data-life]').forEach(function(b){b.onclick=async function(){
  var out=document.getElementById('inst-result');out.textContent='…';
  var r=await fetch('/ui/api/accounts/${acc.id}/'+b.dataset.life,{method:'POST'});var j=await r.json();
  if(j.appStatus){document.getElementById('inst-status').textContent=j.appStatus;out.textContent='HTTP '+j.httpStatus+' '+JSON.stringify(j.body||j.error||'');}
  else out.textContent=JSON.stringify(j.errors||j);
};});
</script>`,
      'docs',
    );
  }

  private docPayload(c: PageCtx, type: DocType, id: string) {
    if (!c.account) throw apiError(404, 1021, 'no account');
    const acc = c.account;
    const rec = this.sim.engine.getDocument(acc, type, id);
    const doc = this.sim.ser.entity(acc, rec, {
      positions: { assortment: {} },
      state: {},
      agent: {},
      store: {},
      sourceStore: {},
      targetStore: {},
      organization: {},
    });
    const ids = this.sim.store
      .list(acc, type)
      .sort((a, b) => ((a.fields.moment as string) < (b.fields.moment as string) ? 1 : -1))
      .map((d) => d.id);
    const i = ids.indexOf(id);
    return { doc, prevId: i > 0 ? ids[i - 1] : null, nextId: i >= 0 && i < ids.length - 1 ? ids[i + 1] : null };
  }

  private documentPage(c: PageCtx, type: DocType, id: string): string {
    if (!c.account) return this.listPage(c);
    const acc = c.account;
    const rights = acc.employees[c.employee].permissions[type] as { view?: string; update?: string } | undefined;
    if (!rights?.view) {
      return this.shell(
        c,
        docLabel(type),
        `<main><h1>${docLabel(type)}</h1><p class="err">Доступ запрещен: у вас нет прав на просмотр данного объекта</p></main>`,
        'docs',
      );
    }
    const payload = this.docPayload(c, type, id);
    const sol = this.sim.options.solution;
    const appOrigin = new URL(sol.appBaseUrl).origin;
    const active = acc.installation.status === 'Activated';
    let widgetSrc = '';
    if (active) {
      const { contextKey } = this.sim.issueContextKey(acc.id, c.employee);
      const u = new URL(`${sol.appBaseUrl.replace(/\/$/, '')}/widget/${type}`);
      u.searchParams.set('contextKey', contextKey);
      u.searchParams.set('appUid', sol.appUid);
      u.searchParams.set('appId', sol.appId);
      u.searchParams.set('userLocale', c.lang === 'en' ? 'en_US' : 'ru_RU');
      widgetSrc = u.toString();
    }
    const cfg = {
      accountId: acc.id,
      employee: c.employee,
      lang: c.lang,
      type,
      canUpdate: Boolean(rights.update),
      appOrigin,
      extensionPoint: `document.${type}.edit`,
      states: acc.states.filter((s) => s.entityType === type).map((s) => ({ id: s.id, name: s.name, color: colorHex(s.color) })),
      query: this.q(c),
      labels: Object.fromEntries(DOC_TYPES.map((t) => [t, docLabel(t)])),
      ...payload,
    };
    const widget = active
      ? `<div class="widget-box" id="widget-box"><iframe id="widget" src="${esc(widgetSrc)}" title="Виджет приложения" height="${esc(this.widgetHeight())}" sandbox="allow-forms allow-scripts allow-same-origin allow-popups allow-modals allow-downloads" allow="clipboard-read; clipboard-write"></iframe><div class="loader" id="loader">Загрузка…</div></div>`
      : `<div class="widget-box"><div class="panel muted" id="widget-off">Виджет решения не показан: статус установки ${esc(acc.installation.status)} (виджеты видны только в статусе Activated).</div></div>`;
    return this.shell(
      c,
      `${docLabel(type)} ${String(payload.doc.name)}`,
      `<main><div class="toolbar">
<button class="secondary" id="prev">← Предыдущий</button><button class="secondary" id="next">Следующий →</button>
<h1 style="margin:0 8px" id="title"></h1><span class="spacer" style="flex:1"></span>
<span id="dirty" class="dirty"></span><button id="save">Сохранить</button><span id="save-result"></span></div>
<div class="doc"><div class="form">
<div class="panel fields" id="fields"></div>
<div class="panel"><table class="grid" id="positions"><thead><tr><th>№</th><th>Наименование</th><th>Артикул</th><th>Код</th><th class="num">Кол-во</th><th class="num">Цена</th><th class="num">Сумма</th></tr></thead><tbody></tbody>
<tfoot><tr><td colspan="6" class="num">Итого:</td><td class="num" id="total"></td></tr></tfoot></table></div>
<div class="panel"><details><summary class="muted">Сообщения виджета</summary><div id="msglog"></div></details></div>
</div>${widget}</div></main>
<div id="modal-root"></div>
${jsonScript('cfg', cfg)}
<script>${DOCUMENT_SCRIPT}</script>`,
      'docs',
    );
  }

  private widgetHeight(): string {
    return '560';
  }

  private settingsPage(c: PageCtx): string {
    if (!c.account) return this.listPage(c);
    const acc = c.account;
    const sol = this.sim.options.solution;
    const st = acc.installation.status;
    if (st !== 'Activated' && st !== 'SettingsRequired') {
      return this.shell(
        c,
        'Приложение',
        `<main><h1>Приложение</h1><p class="muted" id="settings-off">Решение не установлено или не активно (статус ${esc(st)}).</p></main>`,
        'settings',
      );
    }
    const { contextKey } = this.sim.issueContextKey(acc.id, c.employee);
    const u = new URL(`${sol.appBaseUrl.replace(/\/$/, '')}/settings`);
    u.searchParams.set('contextKey', contextKey);
    u.searchParams.set('appUid', sol.appUid);
    u.searchParams.set('appId', sol.appId);
    u.searchParams.set('userLocale', c.lang === 'en' ? 'en_US' : 'ru_RU');
    const appOrigin = new URL(sol.appBaseUrl).origin;
    return this.shell(
      c,
      'Приложение',
      `<main class="settings"><h1>${esc(sol.name ?? sol.appUid)} <span class="muted" style="font-size:12px">статус: ${esc(st)}</span></h1>
<div class="panel" style="padding:0"><iframe id="main-iframe" src="${esc(u.toString())}" title="Настройки приложения" height="768" sandbox="allow-forms allow-scripts allow-same-origin allow-popups allow-modals allow-downloads" allow="clipboard-read; clipboard-write; fullscreen"></iframe></div></main>
<script>
(function(){
  var appOrigin=${JSON.stringify(appOrigin)};var frame=document.getElementById('main-iframe');
  // The main iframe is at least 768 px tall and grows with {height} messages from the app.
  window.addEventListener('message',function(e){
    if(e.origin!==appOrigin||e.source!==frame.contentWindow)return;
    var h=e.data&&e.data.height;if(typeof h==='number'&&h>0)frame.height=String(Math.max(768,Math.ceil(h)));
  });
})();
</script>`,
      'settings',
    );
  }

  // ------------------------------------------------------------------ user edits (demo)

  /** The "new document" form: required references as selects, every acceptable good with a quantity box. */
  private newDocumentPage(c: PageCtx, type: DocType): string {
    if (!c.account) return this.listPage(c);
    const form = newDocumentForm(c.account, type);
    const refs = form.refs
      .map(
        (r) =>
          `<label for="ref-${r.field}">${esc(r.label)}</label><select id="ref-${r.field}" data-ref="${r.field}">${r.options
            .map((o) => `<option value="${o.id}">${esc(o.name)}</option>`)
            .join('')}</select>`,
      )
      .join('');
    const states = `<label for="new-state">Статус</label><select id="new-state"><option value="">—</option>${form.states
      .map((st) => `<option value="${st.id}">${esc(st.name)}</option>`)
      .join('')}</select>`;
    const goods = form.goods
      .map(
        (
          g,
        ) => `<tr data-good="${g.id}"><td>${esc(g.name)}</td><td>${esc(g.article)}</td><td>${esc(g.code)}</td><td class="muted">${esc(g.type)}</td>
<td class="num"><input class="qty" type="number" min="0" step="any" data-id="${g.id}" aria-label="Количество: ${esc(g.name)}"></td>
<td class="num"><input class="qty" type="number" min="0" step="0.01" data-price="${g.id}" value="${(g.price / 100).toFixed(2)}" aria-label="Цена: ${esc(g.name)}"></td></tr>`,
      )
      .join('');
    return this.shell(
      c,
      `${docLabel(type)}: создание`,
      `<main><h1>${esc(docLabel(type))}: новый документ</h1>
<div class="panel fields">${refs}${states}
<label for="new-applicable">Проведено</label><div><input type="checkbox" id="new-applicable"> <span class="hint">обычно нет: приложение проведёт документ по фактической приёмке</span></div>
<label for="new-description">Комментарий</label><textarea id="new-description"></textarea></div>
<div class="panel"><p class="hint">Укажите количество у нужных товаров (пустое или 0 — товар не попадёт в документ).</p>
<table class="grid" id="new-goods"><thead><tr><th>Товар</th><th>Артикул</th><th>Код</th><th>Тип</th><th class="num">Кол-во</th><th class="num">Цена, ₽</th></tr></thead><tbody>${goods}</tbody></table></div>
<div class="toolbar"><button id="create-doc">Создать</button><span id="create-result" role="status"></span></div></main>
<script>
document.getElementById('create-doc').onclick=async function(){
  var refs={};document.querySelectorAll('[data-ref]').forEach(function(s){refs[s.dataset.ref]=s.value});
  var positions=[];document.querySelectorAll('input[data-id]').forEach(function(q){var n=Number(q.value);if(n>0){
    var pr=document.querySelector('input[data-price="'+q.dataset.id+'"]');positions.push({id:q.dataset.id,quantity:n,price:Math.round(Number(pr.value||0)*100)})}});
  var body={refs:refs,positions:positions,applicable:document.getElementById('new-applicable').checked};
  var st=document.getElementById('new-state').value;if(st)body.stateId=st;
  var d=document.getElementById('new-description').value;if(d)body.description=d;
  var out=document.getElementById('create-result');out.textContent='…';out.className='muted';
  var r=await fetch(location.pathname.replace('/ui/new/','/ui/api/new/')+location.search,{method:'POST',headers:{'Content-Type':'application/json'},body:JSON.stringify(body)});
  var j=await r.json();
  if(!r.ok){out.textContent=(j.errors&&j.errors[0]&&j.errors[0].error)||('Ошибка '+r.status);out.className='err';return}
  location.href=j.url;
};
</script>`,
      'docs',
    );
  }

  /** Tasks (`/entity/task`): what the app's discrepancy tasks look like to an employee. */
  private tasksPage(c: PageCtx): string {
    if (!c.account) return this.listPage(c);
    const account = c.account;
    const employeeName = (id: string) => {
      const e = Object.values(account.employees).find((x) => x.id === id);
      return e ? `${e.lastName} ${e.firstName}` : id;
    };
    const rows = [...(account.tasks ?? [])]
      .reverse()
      .map((t) => {
        const doc = t.operation ? account.entities[t.operation.id] : undefined;
        const link = t.operation
          ? `<a href="/ui/${t.operation.type}/${t.operation.id}${this.q(c)}">${esc(docLabel(t.operation.type))} ${esc(doc?.fields.name ?? '')}</a>`
          : '';
        return `<tr data-task="${t.id}" class="${t.done ? 'done' : ''}"><td class="num">${t.done ? '✓' : ''}</td><td style="white-space:pre-wrap;max-width:560px">${esc(t.description)}</td><td>${esc(employeeName(t.assigneeId))}</td><td>${link}</td><td>${esc(t.dueToDate ?? '')}</td></tr>`;
      })
      .join('');
    return this.shell(
      c,
      'Задачи',
      `<main><h1>Задачи — ${esc(account.name)}</h1>
<p class="hint">Задачи, которые поставило приложение, когда документу нужен человек (приёмка с расхождениями, ошибка передачи); отметка «✓» — задача выполнена (документ проведён).</p>
<table class="grid" id="tasks"><thead><tr><th>Выполнена</th><th>Задача</th><th>Исполнитель</th><th>Документ</th><th>Срок</th></tr></thead><tbody>${rows || '<tr><td colspan="5">Задач нет</td></tr>'}</tbody></table></main>`,
      'tasks',
    );
  }

  private productsPage(c: PageCtx): string {
    if (!c.account) return this.listPage(c);
    const rows = productList(c.account)
      .map(
        (p) =>
          `<tr data-product="${p.id}"><td><a href="/ui/product/${p.id}${this.q(c)}">${esc(p.name)}</a></td><td>${esc(p.article)}</td><td>${esc(p.code)}</td><td>${esc(p.barcode)}</td><td class="num">${p.variants || ''}</td></tr>`,
      )
      .join('');
    return this.shell(
      c,
      'Товары',
      `<main><h1>Товары — ${esc(c.account.name)}</h1>
<p class="hint">Откройте товар, чтобы изменить артикул, код, штрихкод или модификации: так можно проверить ключ товара, который приложение передаёт в БетаПРО (артикул, код или внешний код — в настройках приложения).</p>
<table class="grid" id="products"><thead><tr><th>Наименование</th><th>Артикул</th><th>Код</th><th>Штрихкод</th><th class="num">Модификаций</th></tr></thead><tbody>${rows}</tbody></table></main>`,
      'products',
    );
  }

  /** Product card: the fields the app reads (article, code, barcode) and the variants, each editable. */
  private productPage(c: PageCtx, id: string): string {
    if (!c.account) return this.listPage(c);
    const card = productCard(c.account, id);
    const input = (key: string, value: string, label: string, extra = '') =>
      `<input class="wide" data-key="${key}" value="${esc(value)}" aria-label="${esc(label)}"${extra}>`;
    const variantRow = (v: {
      id: string;
      characteristic: string;
      article: string;
      code: string;
      barcode: string;
    }) => `<tr data-variant="${v.id}">
<td>${input('characteristic', v.characteristic, 'Размер')}</td><td>${input('article', v.article, 'Артикул модификации')}</td>
<td>${input('code', v.code, 'Код модификации')}</td><td>${input('barcode', v.barcode, 'Штрихкод модификации', ' inputmode="numeric"')}</td></tr>`;
    const rows = card.variants.map(variantRow).join('') + variantRow({ id: '', characteristic: '', article: '', code: '', barcode: '' });
    return this.shell(
      c,
      card.name,
      `<main><h1>${esc(card.name)}</h1>
<div class="panel fields" id="product-fields">
<label for="p-article">Артикул</label><input id="p-article" data-key="article" value="${esc(card.article)}">
<label for="p-code">Код</label><input id="p-code" data-key="code" value="${esc(card.code)}">
<label for="p-barcode">Штрихкод EAN-13</label><div><input id="p-barcode" data-key="barcode" inputmode="numeric" value="${esc(card.barcode)}"> <span class="hint">13 цифр; пусто — без штрихкода</span></div></div>
<div class="panel"><h2 style="font-size:14px;margin:0 0 6px">Модификации</h2>
<p class="hint">У каждой модификации может быть свой артикул; без него приложение не сможет передать её в БетаПРО по артикулу. Последняя строка — новая модификация (заполните размер).</p>
<table class="grid" id="variants"><thead><tr><th>Размер</th><th>Артикул</th><th>Код</th><th>Штрихкод</th></tr></thead><tbody>${rows}</tbody></table></div>
<div class="toolbar"><button id="save-product">Сохранить</button><span id="product-result" role="status"></span></div></main>
<script>
document.getElementById('save-product').onclick=async function(){
  var body={variants:[]};
  document.querySelectorAll('#product-fields [data-key]').forEach(function(i){body[i.dataset.key]=i.value});
  document.querySelectorAll('#variants tr[data-variant]').forEach(function(tr){
    var v={};tr.querySelectorAll('[data-key]').forEach(function(i){v[i.dataset.key]=i.value});
    if(tr.dataset.variant)v.id=tr.dataset.variant;else if(!v.characteristic)return;
    body.variants.push(v);
  });
  var out=document.getElementById('product-result');out.textContent='…';out.className='muted';
  var r=await fetch(location.pathname.replace('/ui/product/','/ui/api/product/')+location.search,{method:'PUT',headers:{'Content-Type':'application/json'},body:JSON.stringify(body)});
  var j=await r.json();
  if(!r.ok){out.textContent=(j.errors&&j.errors[0]&&j.errors[0].error)||('Ошибка '+r.status);out.className='err';return}
  location.reload();
};
</script>`,
      'products',
    );
  }

  private appRedirect(): string {
    return `<!doctype html><meta charset="utf-8"><script>
var m=/^#([a-z]+)\\/edit\\?id=([0-9a-f-]{36})/.exec(location.hash);
location.replace(m?'/ui/'+m[1]+'/'+m[2]+location.search:'/ui'+location.search);
</script>`;
  }
}

/**
 * Client side of the document page. Keeps the document, the user's unsaved changes (`pending`, also
 * filled by the widget's UpdateRequest) and the widget conversation state.
 */
const DOCUMENT_SCRIPT = String.raw`
(function(){
var CFG=JSON.parse(document.getElementById('cfg').textContent);
var doc=CFG.doc, prevId=CFG.prevId, nextId=CFG.nextId;
var pending={};           // fields changed in the form but not saved (UpdateRequest lands here too)
var messageId=0, openId=null, widgetDirty=false;
var frame=document.getElementById('widget');
var LABEL=CFG.labels;

function $(id){return document.getElementById(id)}
function esc(s){return String(s==null?'':s).replace(/[&<>"']/g,function(c){return {'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;',"'":'&#39;'}[c]})}
function rub(k){return (Number(k||0)/100).toLocaleString('ru-RU',{minimumFractionDigits:2,maximumFractionDigits:2})}
function idOf(href){var m=/([0-9a-f-]{36})\/?$/.exec(href||'');return m?m[1]:null}
function log(dir,msg){var el=$('msglog');if(!el)return;var line=document.createElement('div');line.textContent=new Date().toISOString().slice(11,23)+' '+dir+' '+JSON.stringify(msg);el.appendChild(line);el.scrollTop=el.scrollHeight;}

function current(field){return Object.prototype.hasOwnProperty.call(pending,field)?pending[field]:doc[field]}
function stateId(){var s=current('state');return s&&s.meta?idOf(s.meta.href):''}

function render(){
  $('title').textContent=LABEL[CFG.type]+' № '+(current('name')||'');
  $('prev').disabled=!prevId; $('next').disabled=!nextId;
  var f=[];
  function row(label,html){f.push('<label>'+label+'</label><div>'+html+'</div>')}
  row('Номер',esc(current('name')));
  row('Время',esc(String(current('moment')||'').slice(0,16)));
  row('Организация',esc(doc.organization&&doc.organization.name));
  if(doc.agent)row('Контрагент',esc(doc.agent.name));
  if(doc.sourceStore)row('Со склада',esc(doc.sourceStore.name));
  var target=doc.targetStore||doc.store;if(target)row(doc.targetStore?'На склад':'Склад','<span id="f-store">'+esc(target.name)+'</span>');
  var opts='<option value="">—</option>'+CFG.states.map(function(s){return '<option value="'+s.id+'"'+(s.id===stateId()?' selected':'')+'>'+esc(s.name)+'</option>'}).join('');
  row('Статус','<select id="f-state"'+(CFG.canUpdate?'':' disabled')+'>'+opts+'</select>');
  row('Проведено','<input type="checkbox" id="f-applicable"'+(current('applicable')?' checked':'')+(CFG.canUpdate?'':' disabled')+'>');
  row('Комментарий','<textarea id="f-description"'+(CFG.canUpdate?'':' disabled')+'>'+esc(current('description')||'')+'</textarea>');
  $('fields').innerHTML=f.join('');
  $('f-state').onchange=function(e){var id=e.target.value;pending.state=id?{meta:{href:stateHref(id),type:'state',mediaType:'application/json'}}:null;markDirty()};
  $('f-applicable').onchange=function(e){pending.applicable=e.target.checked;markDirty()};
  $('f-description').oninput=function(e){pending.description=e.target.value;markDirty()};
  renderPositions();
  markDirty();
}
function stateHref(id){var base=doc.meta.href.replace(/\/entity\/.*$/,'');return base+'/entity/'+CFG.type+'/metadata/states/'+id}
function positionsNow(){
  if(pending.positions){
    var byId={};(doc.positions.rows||[]).forEach(function(p){byId[p.id]=p});
    return pending.positions.map(function(p){var base=p.id&&byId[p.id]?byId[p.id]:{};var o={};for(var k in base)o[k]=base[k];for(var k2 in p)o[k2]=p[k2];return o});
  }
  return doc.positions.rows||[];
}
function renderPositions(){
  var rows=positionsNow(), total=0;
  $('positions').querySelector('tbody').innerHTML=rows.map(function(p,i){
    var a=p.assortment||{};var sum=(p.price||0)*(p.quantity||0);total+=sum;
    var name=a.name||(a.meta?a.meta.type+' '+idOf(a.meta.href):'');
    return '<tr data-pos="'+esc(p.id||'')+'"><td>'+(i+1)+'</td><td>'+esc(name)+'</td><td>'+esc(a.article||'')+'</td><td>'+esc(a.code||'')+'</td>'+
      '<td class="num"><input class="qty" data-i="'+i+'" type="number" min="0" step="any" value="'+esc(p.quantity)+'"'+(CFG.canUpdate?'':' disabled')+'></td>'+
      '<td class="num">'+rub(p.price)+'</td><td class="num">'+rub(sum)+'</td></tr>';
  }).join('')||'<tr><td colspan="7" class="muted">Нет позиций</td></tr>';
  $('total').textContent=rub(total);
  Array.prototype.forEach.call(document.querySelectorAll('input.qty'),function(inp){inp.onchange=function(){
    var list=positionsNow().map(function(p){var o={quantity:p.quantity};if(p.id)o.id=p.id;else{o.assortment=p.assortment;o.price=p.price}return o});
    list[Number(inp.dataset.i)].quantity=Number(inp.value);pending.positions=list;markDirty();renderPositions();
  }});
}
function markDirty(){var d=Object.keys(pending).length>0;$('dirty').textContent=d?'Есть несохранённые изменения':(widgetDirty?'Виджет: есть несохранённые изменения':'');$('save').disabled=!CFG.canUpdate;}

function post(msg){if(!frame)return;log('→',msg);frame.contentWindow.postMessage(msg,CFG.appOrigin)}
function showLoader(on){var l=$('loader');if(l)l.style.display=on?'flex':'none'}
function sendOpen(){if(!frame)return;openId=++messageId;showLoader(true);post({name:'Open',messageId:openId,extensionPoint:CFG.extensionPoint,objectId:doc.id,displayMode:'expanded'})}
if(frame)frame.addEventListener('load',sendOpen);

function pageUrl(type,id){return '/ui/'+type+'/'+id+CFG.query}
async function switchTo(id){
  if(!id)return;
  if(Object.keys(pending).length&&!confirm('Есть несохранённые изменения. Перейти без сохранения?'))return;
  var r=await fetch('/ui/api/'+CFG.type+'/'+id+CFG.query);if(!r.ok)return;
  var j=await r.json();doc=j.doc;prevId=j.prevId;nextId=j.nextId;pending={};widgetDirty=false;
  history.pushState({id:id},'',pageUrl(CFG.type,id));render();
  // MoySklad keeps the widget iframe and only sends a new Open for the other document.
  sendOpen();
}
$('prev').onclick=function(){switchTo(prevId)};$('next').onclick=function(){switchTo(nextId)};
window.addEventListener('popstate',function(){var m=/\/ui\/([a-z]+)\/([0-9a-f-]{36})/.exec(location.pathname);if(m&&m[2]!==doc.id){pending={};switchTo(m[2])}});

$('save').onclick=async function(){
  var body={};for(var k in pending)body[k]=pending[k];
  $('save-result').textContent='…';$('save-result').className='muted';
  var r=await fetch('/ui/api/'+CFG.type+'/'+doc.id+CFG.query,{method:'PUT',headers:{'Content-Type':'application/json'},body:JSON.stringify(body)});
  var j=await r.json();
  if(!r.ok){$('save-result').textContent=(j.errors&&j.errors[0]&&j.errors[0].error)||('Ошибка '+r.status);$('save-result').className='err';return}
  doc=j.doc;prevId=j.prevId;nextId=j.nextId;pending={};widgetDirty=false;render();
  $('save-result').textContent='Сохранено';$('save-result').className='ok';
  // save-handler: sent after the object is already saved, so the app sees the new state.
  post({name:'Save',messageId:++messageId,extensionPoint:CFG.extensionPoint,objectId:doc.id});
};

function applyUpdate(state){
  // update-provider: fields go into the unsaved form as if typed; positions replace the whole list.
  for(var k in state){pending[k]=state[k]}
  render();
}
function navigate(path,target){
  var m=/^#?([a-z]+)\/edit\?id=([0-9a-f-]{36})/.exec(path||'');
  var url=m?pageUrl(m[1],m[2]):'/ui'+CFG.query;
  if(target==='blank')window.open(url,'_blank');else location.href=url;
}
function showDialog(m){
  var root=$('modal-root');
  var buttons=(m.buttons||[]).map(function(b){return '<button data-name="'+esc(b.name)+'">'+esc(b.caption)+'</button>'}).join('');
  root.innerHTML='<div class="modal-back"><div class="modal" role="dialog"><button class="close" data-close="1" title="Закрыть">×</button><div class="text">'+esc(m.dialogText)+'</div><div class="buttons">'+buttons+'</div></div></div>';
  function done(resp){root.innerHTML='';resp.name='ShowDialogResponse';resp.correlationId=m.messageId;post(resp)}
  Array.prototype.forEach.call(root.querySelectorAll('button[data-name]'),function(b){b.onclick=function(){done({dialogResolution:'normal',buttonName:b.dataset.name})}});
  root.querySelector('[data-close]').onclick=function(){done({dialogResolution:'closedByUser'})};
}
window.addEventListener('message',function(e){
  // Only the widget's own frame, from the app's origin, may talk to the host.
  if(!frame||e.source!==frame.contentWindow||e.origin!==CFG.appOrigin)return;
  var m=e.data;if(!m||typeof m!=='object')return;log('←',m);
  switch(m.name){
    case 'OpenFeedback': if(m.correlationId===openId)showLoader(false); break;
    case 'SetDirty': widgetDirty=true; markDirty(); break;
    case 'ClearDirty': widgetDirty=false; markDirty(); break;
    case 'UpdateRequest': applyUpdate(m.updateState||{}); post({name:'UpdateResponse',correlationId:m.messageId}); break;
    case 'NavigateRequest': post({name:'NavigateResponse',correlationId:m.messageId}); setTimeout(function(){navigate(m.path,m.target)},0); break;
    case 'ShowDialogRequest': showDialog(m); break;
  }
});
window.__host={get doc(){return doc},get pending(){return pending},sendOpen:sendOpen,switchTo:switchTo};
render();
})();
`;

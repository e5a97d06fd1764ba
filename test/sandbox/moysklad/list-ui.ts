/**
 * The host's document lists (supply, move) with row checkboxes and the app's list buttons from the
 * descriptor, as MoySklad shows them in the «Решения» menu of a list. Pressing one sends the selection
 * through `Buttons.press` (the app's button endpoint); the page shows the immediate answer, then polls
 * the user's notifications and reloads once the app completed the async process (button/complete), so
 * the statuses the app set are visible next to the notification.
 */
import { isRef } from './serialize';
import type { Simulator } from './simulator';
import type { AccountRec, DocType, EmployeeKind, NotificationRec } from './types';

export const LIST_TYPES = ['supply', 'move'] as const;
export type ListType = (typeof LIST_TYPES)[number];

const TEXT = {
  ru: {
    title: { supply: 'Приёмки', move: 'Перемещения' },
    selected: 'Выбрано',
    apps: 'Решения',
    all: 'Выбрать все',
    pick: 'Выбрать',
    cols: ['№', 'Время', 'Откуда', 'Склад / куда', 'Статус', 'Комментарий'],
    none: 'Документов нет',
    nothing: 'Выберите документы в списке',
  },
  en: {
    title: { supply: 'Supplies', move: 'Moves' },
    selected: 'Selected',
    apps: 'Apps',
    all: 'Select all',
    pick: 'Select',
    cols: ['No.', 'Time', 'From', 'Store / to', 'Status', 'Comment'],
    none: 'No documents',
    nothing: 'Select documents in the list',
  },
};

function esc(v: unknown): string {
  return String(v ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export function listTitle(type: ListType, lang: 'ru' | 'en'): string {
  return TEXT[lang].title[type];
}

/** A notification as MoySklad's popup: text, and the link (a MoySklad path keeps the page's query). */
export function notificationHtml(n: NotificationRec, query: string): string {
  const href = n.url?.startsWith('/app#') || n.url?.startsWith('/app/#') ? n.url.replace(/^\/app\/?#/, `/app${query}#`) : n.url;
  const link = href ? ` <a href="${esc(href)}" data-testid="notification-link">${esc(n.urlText ?? href)}</a>` : '';
  return `<div class="note note-${n.kind}" data-kind="${n.kind}" data-process="${esc(n.asyncProcessId ?? '')}"><span class="muted">${esc(n.at.slice(11, 19))}</span> ${esc(n.text)}${link}</div>`;
}

function rowHtml(sim: Simulator, acc: AccountRec, type: ListType, id: string, query: string, lang: 'ru' | 'en'): string {
  const rec = acc.entities[id];
  const f = rec.fields;
  const name = (v: unknown) => (isRef(v) ? esc(acc.entities[v.id]?.fields.name ?? '') : '');
  const st = isRef(f.state) ? acc.states.find((s) => s.id === (f.state as { id: string }).id) : undefined;
  const badge = st
    ? `<span class="state" data-testid="state" style="background:#${(st.color & 0xffffff).toString(16).padStart(6, '0')}">${esc(st.name)}</span>`
    : '<span class="muted">—</span>';
  const comment = String(f.description ?? '')
    .split('\n')[0]
    .slice(0, 60);
  return `<tr data-id="${id}"><td><input type="checkbox" data-select="${id}" aria-label="${TEXT[lang].pick} ${esc(f.name)}"></td>
<td><a href="/ui/${type}/${id}${query}">${esc(f.name)}</a></td><td>${esc(String(f.moment).slice(0, 16))}</td>
<td>${name(f.sourceStore ?? f.agent)}</td><td>${name(f.targetStore ?? f.store)}</td><td>${badge}</td><td class="muted">${esc(comment)}</td></tr>`;
}

/** The page body (inside the host's shell). */
export function listPageBody(
  sim: Simulator,
  acc: AccountRec,
  employee: EmployeeKind,
  type: ListType,
  query: string,
  lang: 'ru' | 'en',
): string {
  const t = TEXT[lang];
  const point = `document.${type}.list`;
  const docs = sim.store
    .list(acc, type as DocType)
    .sort((a, b) => ((a.fields.moment as string) < (b.fields.moment as string) ? 1 : -1))
    .map((d) => rowHtml(sim, acc, type, d.id, query, lang))
    .join('');
  const buttons = sim.buttons
    .at(point)
    .map((b) => `<button class="secondary" data-button="${esc(b.name)}" data-point="${point}">${esc(b.title)}</button>`)
    .join(' ');
  const notes = sim.buttons.notifications(acc.id, employee).slice(-5).reverse();
  const lastId = sim.buttons.notifications(acc.id, employee).at(-1)?.id ?? 0;
  return `<main><h1>${esc(t.title[type])} — ${esc(acc.name)}</h1>
<div class="toolbar"><span>${t.selected}: <b id="sel-count">0</b></span>
<span class="spacer"></span><span class="muted">${t.apps}:</span> <span id="app-buttons">${buttons}</span></div>
<div id="notifications" role="status" aria-live="polite" data-last="${lastId}">${notes.map((n) => notificationHtml(n, query)).join('')}</div>
<table class="grid" id="list"><thead><tr><th><input type="checkbox" id="check-all" aria-label="${t.all}"></th>${t.cols.map((c) => `<th>${c}</th>`).join('')}</tr></thead>
<tbody>${docs || `<tr><td colspan="7" class="muted">${t.none}</td></tr>`}</tbody></table></main>
<script>${LIST_SCRIPT.replace('__NOTHING__', JSON.stringify(t.nothing))}</script>`;
}

const LIST_SCRIPT = String.raw`
(function(){
var NOTHING=__NOTHING__;
function $(id){return document.getElementById(id)}
function boxes(){return Array.prototype.slice.call(document.querySelectorAll('input[data-select]'))}
function count(){$('sel-count').textContent=boxes().filter(function(b){return b.checked}).length}
boxes().forEach(function(b){b.onchange=count});
$('check-all').onchange=function(e){boxes().forEach(function(b){b.checked=e.target.checked});count()};
function show(html){var n=$('notifications');n.insertAdjacentHTML('afterbegin',html)}
function esc(s){return String(s==null?'':s).replace(/[&<>"']/g,function(c){return {'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;',"'":'&#39;'}[c]})}
var waiting={};
async function poll(){
  var r=await fetch('/ui/api/notifications'+location.search);if(!r.ok)return;
  var j=await r.json();var last=Number($('notifications').dataset.last||0);
  var fresh=j.notifications.filter(function(n){return n.id>last});
  if(fresh.some(function(n){return n.kind==='complete'&&waiting[n.asyncProcessId]})){location.reload();return}
}
setInterval(poll,1000);
Array.prototype.forEach.call(document.querySelectorAll('button[data-button]'),function(btn){btn.onclick=async function(){
  var ids=boxes().filter(function(b){return b.checked}).map(function(b){return b.dataset.select});
  if(!ids.length){show('<div class="note note-error" data-kind="error">'+esc(NOTHING)+'</div>');return}
  btn.disabled=true;
  var r=await fetch('/ui/api/button'+location.search,{method:'POST',headers:{'Content-Type':'application/json'},body:JSON.stringify({buttonName:btn.dataset.button,extensionPoint:btn.dataset.point,selected:ids})});
  var j=await r.json();btn.disabled=false;
  if(!r.ok){show('<div class="note note-error" data-kind="error">'+esc((j.errors&&j.errors[0]&&j.errors[0].error)||r.status)+'</div>');return}
  if(j.notification){var n=j.notification;if(n.asyncProcessId)waiting[n.asyncProcessId]=true;
    show('<div class="note note-'+n.kind+'" data-kind="'+n.kind+'" data-fresh="1" data-process="'+esc(n.asyncProcessId||'')+'">'+esc(n.text)+'</div>');
    $('notifications').dataset.last=String(n.id);}
};});
})();
`;

/**
 * Operator console: one server-rendered page playing BetaPRO's warehouse staff for the demo. Every
 * button is a plain HTML form posting to the control API, which redirects back here.
 */
import type { FaultSpec } from './schemas';
import { FAULT_MODES } from './schemas';
import type { Indoc, Outdoc, PartnerData, RecognitionItem } from './model';
import type { BetaproStore } from './store';

const esc = (value: unknown) =>
  String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');

const STATE_LABEL: Record<Indoc['state'], string> = {
  created: 'Ожидание',
  arrived: 'Прибыла',
  receiving: 'Приёмка частями',
  completed: 'Выполнено',
  expired: 'Не поставлено (306)',
};

function button(action: string, label: string, fields: Record<string, string> = {}, cls = ''): string {
  const hidden = Object.entries(fields)
    .map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`)
    .join('');
  return `<form method="post" action="${esc(action)}" class="inline">${hidden}<button class="${cls}">${esc(label)}</button></form>`;
}

/**
 * What each text box parses (control.ts formToBody), shown next to it so nobody has to read the code:
 * one line per item, fields separated by spaces, commas or semicolons.
 */
const FORMAT = {
  lines:
    'Формат: по строке на товар — <code>good_id норма [брак]</code>, разделители: пробел, «,» или «;». Пример: <code>TS-WHITE 9 1</code>. Строки нет — товар не принят; пустое поле — всё по плану.',
  unknown:
    'Товар без карточки у БетаПРО: <code>штрихкод норма [брак] [описание]</code>. Пример: <code>2000000099999 5 Ручка без упаковки</code>.',
  final: 'Окончательно — задание выполнено; частично — ждёт следующих партий (атрибут 9 у исходящего).',
  surplus: 'Только товары сверх задания: <code>good_id норма [брак]</code>, по строке на товар.',
  correct: 'Новые факты вместо прежних: <code>good_id норма брак</code>, по строке на товар.',
  faults:
    'none — без сбоев; error500 — ответ 500; timeout — нет ответа; rate429 — превышен лимит; acceptThenDrop — принято, но ответ потерян.',
  rate: 'число от 0 до 1: доля запросов со сбоем (1 — все)',
  businessStatus: 'HTTP-код ответов с бизнес-ошибкой (код ошибки — в теле ответа)',
  partner: 'partner_id: буквы, цифры, «-»; пароль — любой',
} as const;

const hint = (html: string) => `<small class="hint">${html}</small>`;

/** A shipment task: ship as planned (as far as the stock goes) or with a shortage typed per line. */
function shipmentRow(p: PartnerData, d: Indoc, outdocs: Outdoc[], plan: string, open: boolean): string {
  const action = `/_sim/indocs/${encodeURIComponent(d.indoc_id)}/ship?partner=${encodeURIComponent(p.partnerId)}`;
  const forms = open
    ? `${button(action, 'Отгрузить по плану', {}, 'primary')}
    <details><summary>Отгрузить с недостачей</summary>
      <form method="post" action="${esc(action)}" class="receipt">
        <textarea name="lines" rows="${Math.max(3, d.items.length + 1)}" placeholder="good_id количество">${esc(d.items.map((l) => `${l.good_id} ${l.plan_qnt}`).join('\n'))}</textarea>
        ${hint('Формат: по строке на товар — <code>good_id количество</code> (сколько отгрузить), разделители: пробел, «,» или «;». Строки нет — товар не отгружен.')}
        <button class="primary">Отгрузить</button>
      </form>
    </details>`
    : '';
  const docs = outdocs
    .filter((o) => o.task_id === d.indoc_id && !o.deleted)
    .map((o) => `#${o.outdoc_id}`)
    .join(', ');
  return `<tr><td><b>${esc(d.indoc_id)}</b><div class="muted">отгрузка · ${esc(d.indoc_txt)}</div></td>
    <td><span class="state ${d.state}">${esc(STATE_LABEL[d.state])}</span></td><td class="muted">${esc(d.created_at)}</td>
    <td>${plan}</td><td>${docs || '<span class="muted">—</span>'}</td><td>${forms}</td></tr>`;
}

function taskRow(p: PartnerData, d: Indoc, outdocs: Outdoc[]): string {
  const base = `/_sim/indocs/${encodeURIComponent(d.indoc_id)}`;
  const q = `?partner=${encodeURIComponent(p.partnerId)}`;
  const plan = d.items.map((l) => `${esc(l.good_id)}&nbsp;×&nbsp;${l.plan_qnt}`).join('<br>');
  const open = d.state !== 'completed' && d.state !== 'expired';
  if (d.indoc_type === 'goods_shipment_task') return shipmentRow(p, d, outdocs, plan, open);
  const actions = [
    d.state === 'created' ? button(`${base}/arrive${q}`, 'Прибыла') : '',
    open ? button(`${base}/receive${q}`, 'Принять по плану', { final: 'true' }, 'primary') : '',
    d.state === 'created' || d.state === 'arrived' ? button(`${base}/expire${q}`, 'Не поставлена', {}, 'danger') : '',
  ].join(' ');
  const custom = open
    ? `
    <details><summary>Принять с расхождениями</summary>
      <form method="post" action="${esc(`${base}/receive${q}`)}" class="receipt">
        <label>Принято (норма и брак)
          <textarea name="lines" rows="${Math.max(3, d.items.length + 1)}" placeholder="good_id норма [брак]">${esc(d.items.map((l) => `${l.good_id} ${l.plan_qnt} 0`).join('\n'))}</textarea></label>
        ${hint(FORMAT.lines)}
        <label>Неизвестные товары
          <textarea name="unknown" rows="2" placeholder="штрихкод норма [брак] [описание]"></textarea></label>
        ${hint(FORMAT.unknown)}
        <label><input type="radio" name="final" value="true" checked> окончательно</label>
        <label><input type="radio" name="final" value="false"> частично (атрибут 9)</label>
        ${hint(FORMAT.final)}
        <button class="primary">Оприходовать</button>
      </form>
    </details>`
    : '';
  const surplus =
    d.state !== 'created' && d.state !== 'expired'
      ? `
    <details><summary>Излишки отдельным документом (атрибут 624)</summary>
      <form method="post" action="${esc(`${base}/surplus${q}`)}" class="receipt">
        <label>Излишки
          <textarea name="lines" rows="2" placeholder="good_id норма [брак]"></textarea></label>
        ${hint(FORMAT.surplus)}
        <button>Оформить излишки</button>
      </form>
    </details>`
      : '';
  const waiting = d.held ? `<div class="tag red">ждёт идентификации: ${d.held.barcodes.map(esc).join(', ')}</div>` : '';
  const docs = outdocs
    .filter((o) => o.task_id === d.indoc_id && !o.deleted)
    .map((o) => `#${o.outdoc_id}`)
    .join(', ');
  return `<tr>
    <td><b>${esc(d.indoc_id)}</b><div class="muted">${esc(d.indoc_txt)}</div></td>
    <td><span class="state ${d.state}">${esc(STATE_LABEL[d.state])}</span>${waiting}</td>
    <td class="muted">${esc(d.created_at)}</td>
    <td>${plan}</td>
    <td>${docs || '<span class="muted">—</span>'}</td>
    <td>${actions}${custom}${surplus}</td>
  </tr>`;
}

function outdocRow(o: Outdoc): string {
  const goods = (o.goods ?? [])
    .map((l) => `${esc(l.good_id)}: план ${l.plan_qnt}, норма ${l.useful_qnt}, брак ${l.defective_qnt}`)
    .join('<br>');
  const attrs = o.attributes.map((a) => `${a.attribute_id}=${esc(JSON.stringify(a.value))}`).join(', ');
  const flags = [
    o.deleted ? `<span class="tag gray">удалён${o.replaced_by ? ` → #${o.replaced_by}` : ''}</span>` : '',
    o.locked ? '<span class="tag blue">locked</span>' : '',
    o.unlock_request ? '<span class="tag red">unlock_request</span>' : '',
    o.replaces ? `<span class="tag gray">замена #${o.replaces}</span>` : '',
  ].join(' ');
  const actions =
    !o.deleted && o.outdoc_type === 'goods_supply'
      ? `
    <details><summary>Исправить</summary>
      <form method="post" action="/_sim/outdocs/${o.outdoc_id}/correct" class="receipt">
        <label>Факты
          <textarea name="lines" rows="${Math.max(2, (o.goods ?? []).length + 1)}" placeholder="good_id норма брак">${esc((o.goods ?? []).map((l) => `${l.good_id} ${l.useful_qnt} ${l.defective_qnt}`).join('\n'))}</textarea></label>
        ${hint(FORMAT.correct)}
        <button>Исправить${o.locked ? ' (через unlock_request)' : ''}</button>
      </form>
    </details>`
      : '';
  return `<tr class="${o.deleted ? 'deleted' : ''}">
    <td><b>#${o.outdoc_id}</b></td>
    <td>${esc(o.outdoc_type)}</td>
    <td>${esc(o.indoc_id ?? '')}</td>
    <td class="muted">${esc(o.outdoc_date)}<br>${esc(o.created_at)}</td>
    <td>${goods}${attrs ? `<div class="muted">атрибуты: ${attrs}</div>` : ''}</td>
    <td>${flags}</td>
    <td>${actions}</td>
  </tr>`;
}

function recognitionRow(r: RecognitionItem): string {
  const where = r.indocs.map((i) => `${esc(i.indoc_id)}: ${i.qual_type === 'useful' ? 'норма' : 'брак'} ${i.qnt}`).join('<br>');
  const status = r.good_id
    ? `<span class="tag gray">идентифицирован как ${esc(r.good_id)}</span>`
    : '<span class="tag red">ждёт заказчика</span>';
  return `<tr><td><b>${esc(r.barcode)}</b></td><td>${esc(r.descrip)}</td><td>${where}</td><td class="muted">${esc(r.date)}</td><td>${status}</td></tr>`;
}

function partnerSection(p: PartnerData): string {
  const outdocs = Object.values(p.outdocs).sort((a, b) => b.outdoc_id - a.outdoc_id);
  const tasks = Object.values(p.indocs).sort((a, b) => b.seq - a.seq);
  const recognition = Object.values(p.recognition ?? {});
  return `<section>
    <h2>Партнёр ${esc(p.partnerId)}</h2>
    <div class="muted">Товаров: ${Object.keys(p.goods).length}, EAN: ${Object.keys(p.eans).length} ·
      goods_supply_start: ${p.settings.outdoc_types.goods_supply_start ? 'вкл' : 'выкл'}
      ${button('/_sim/config', p.settings.outdoc_types.goods_supply_start ? 'выключить' : 'включить', {
        partnerId: p.partnerId,
        goods_supply_start: String(!p.settings.outdoc_types.goods_supply_start),
      })} ·
      излишки в документе: ${p.settings.goods_surplus_enabled ? 'да' : 'нет (атрибут 624)'}
      ${button('/_sim/config', p.settings.goods_surplus_enabled ? 'отдельным документом' : 'в том же документе', {
        partnerId: p.partnerId,
        goods_surplus_enabled: String(!p.settings.goods_surplus_enabled),
      })} ·
      лимит ${p.settings.rate_limits.req_qnt.minute}/мин, ${p.settings.rate_limits.concurrent_qnt} поток</div>
    <h3>Задания на оприходование</h3>
    ${
      tasks.length
        ? `<table><thead><tr><th>indoc_id</th><th>Состояние</th><th>Создано</th><th>План</th><th>Исходящие</th><th>Действия</th></tr></thead>
      <tbody>${tasks.map((d) => taskRow(p, d, outdocs)).join('')}</tbody></table>`
        : '<p class="muted">Заданий нет.</p>'
    }
    <h3>Неизвестные товары (идентификация)</h3>
    ${
      recognition.length
        ? `<table><thead><tr><th>Штрихкод</th><th>Описание</th><th>Задания</th><th>С</th><th>Статус</th></tr></thead>
      <tbody>${recognition.map(recognitionRow).join('')}</tbody></table>`
        : '<p class="muted">Неизвестных товаров нет.</p>'
    }
    <h3>Исходящие документы</h3>
    ${
      outdocs.length
        ? `<table><thead><tr><th>outdoc_id</th><th>Тип</th><th>Задание</th><th>Дата / создан</th><th>Товары</th><th>Блокировка</th><th></th></tr></thead>
      <tbody>${outdocs.map(outdocRow).join('')}</tbody></table>`
        : '<p class="muted">Исходящих документов нет.</p>'
    }
  </section>`;
}

export function renderConsole(store: BetaproStore, faults: FaultSpec, message?: string): string {
  const partners = Object.values(store.data.partners);
  const cfg = store.data.config;
  const modes = FAULT_MODES.map((m) => `<option${m === faults.mode ? ' selected' : ''}>${m}</option>`).join('');
  return `<!doctype html>
<html lang="ru"><head><meta charset="utf-8"><title>БетаПРО — симулятор склада</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #1d2433; background: #f5f6f8; }
  header { background: #23395d; color: #fff; padding: 12px 24px; display: flex; gap: 24px; align-items: baseline; }
  header h1 { font-size: 18px; margin: 0; } header a { color: #cfe0ff; }
  main { padding: 16px 24px; } section { background: #fff; border-radius: 8px; padding: 12px 16px; margin-bottom: 16px; box-shadow: 0 1px 2px #0001; }
  h2 { font-size: 16px; margin: 4px 0; } h3 { font-size: 14px; margin: 16px 0 6px; }
  table { border-collapse: collapse; width: 100%; } th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid #e4e7ec; vertical-align: top; }
  th { font-weight: 600; color: #555; font-size: 12px; text-transform: uppercase; }
  tr.deleted td { opacity: .5; } .muted { color: #6b7280; font-size: 12px; }
  form.inline { display: inline; } form.receipt { display: grid; gap: 4px; max-width: 320px; margin-top: 4px; }
  textarea { font: 12px monospace; } button { cursor: pointer; border: 1px solid #b8c0cc; background: #fff; border-radius: 4px; padding: 3px 8px; }
  button.primary { background: #2f6fde; color: #fff; border-color: #2f6fde; } button.danger { color: #b42318; border-color: #e8a29b; }
  .state { padding: 1px 6px; border-radius: 10px; background: #eef; font-size: 12px; white-space: nowrap; }
  .state.completed { background: #dcf5e3; } .state.expired { background: #fde2e0; } .state.arrived, .state.receiving { background: #fff3c4; }
  .tag { font-size: 11px; padding: 1px 5px; border-radius: 4px; } .tag.blue { background: #dbe7ff; } .tag.red { background: #fde2e0; } .tag.gray { background: #eceff3; }
  .msg { background: #fff8db; border: 1px solid #f0d77a; padding: 8px 12px; border-radius: 6px; margin-bottom: 12px; }
  .hint { color: #555; font-size: 12px; } .hint code { background: #f0f2f5; padding: 0 3px; border-radius: 3px; }
  form.receipt label:has(textarea) { display: grid; gap: 2px; font-size: 12px; color: #444; }
  .bar { display: flex; flex-wrap: wrap; gap: 16px; align-items: center; }
</style></head>
<body>
<header><h1>БетаПРО · симулятор склада FBox</h1>
  <span>API: <code>/grh/api</code></span><a href="/_sim/state">state</a><a href="/_sim/stats">stats</a><a href="/_sim/console">обновить</a></header>
<main>
${message ? `<div class="msg">${esc(message)}</div>` : ''}
<section><div class="bar">
  <form method="post" action="/_sim/faults" class="inline"><label>Сбои API:
    <select name="mode" title="${esc(FORMAT.faults)}">${modes}</select></label>
    <label>доля <input name="rate" size="3" value="${esc(faults.rate)}"></label> ${hint(FORMAT.rate)}
    <button>Применить</button><br>${hint(FORMAT.faults)}</form>
  <form method="post" action="/_sim/config" class="inline"><label>Бизнес-ошибки с HTTP
    <select name="business_error_http_status">${[200, 400].map((s) => `<option${s === cfg.business_error_http_status ? ' selected' : ''}>${s}</option>`).join('')}</select></label> ${hint(FORMAT.businessStatus)}
    <button>Применить</button></form>
  <form method="post" action="/_sim/partners" class="inline">Новый партнёр
    <input name="partnerId" size="8" placeholder="partner_id" aria-label="partner_id"> <input name="password" size="8" placeholder="пароль" aria-label="пароль">
    <button>Создать</button> ${hint(FORMAT.partner)}</form>
</div></section>
${partners.length ? partners.map(partnerSection).join('') : '<section><p>Партнёров нет: создайте партнёра формой выше или через POST /_sim/partners.</p></section>'}
</main></body></html>`;
}

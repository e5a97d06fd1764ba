/**
 * Texts for what the server reports as codes with parameters (docs/product.md §5): problems (pre-flight
 * and error reasons), AppError codes, event details. The server keeps a complete Russian `message` for
 * the MoySklad comment and the logs; the UI builds its own short text here, in the user's language.
 *
 * A problem's text is a subject (a product, a position) and a cause, so identical causes can share one
 * line: «Толстовка с капюшоном: S, M, L — у модификаций не заполнен артикул».
 */
import type { EventKind, ProblemCode, TextParams } from '@/lib/core/views';
import type { Locale } from '@/lib/ui/i18n/index';

export interface Phrase {
  /** What the problem is about (a product name); absent for document-level problems. */
  subject?: string;
  /** A part of the subject (a variant's size) that is listed after it when several share the cause. */
  item?: string;
  /** The cause and what to do, for `count` subjects or items. */
  cause: (count: number) => string;
}

type P = TextParams;
type ProblemTexts = Record<ProblemCode, (p: P) => Phrase>;

const str = (p: P, key: string): string => (p[key] === undefined ? '' : String(p[key]));
const quoted = (p: P, key: string) => `«${str(p, key)}»`;
const fixed = (text: string) => () => ({ cause: () => text });
const num = (p: P, key: string, locale: Locale) =>
  typeof p[key] === 'number' ? new Intl.NumberFormat(locale === 'en' ? 'en-US' : 'ru-RU').format(p[key] as number) : str(p, key);

const KEY_RU: Record<string, { nom: string; dat: string }> = {
  article: { nom: 'артикул', dat: 'артикулу' },
  code: { nom: 'код', dat: 'коду' },
  externalCode: { nom: 'внешний код', dat: 'внешнему коду' },
};
const KEY_EN: Record<string, string> = { article: 'article', code: 'code', externalCode: 'external code' };
const keyRu = (p: P) => KEY_RU[str(p, 'key')] ?? { nom: str(p, 'key') || 'ключ товара', dat: str(p, 'key') || 'ключу товара' };
const keyEn = (p: P) => KEY_EN[str(p, 'key')] ?? (str(p, 'key') || 'product key');

const NOT_STORABLE_RU: Record<string, string> = {
  service: 'услуга: склад принимает только товары — удалите из документа',
  bundle: 'комплект: склад принимает только товары — замените товарами из комплекта',
  consignment: 'указана партия, а не товар — укажите товар или модификацию',
};
const NOT_STORABLE_EN: Record<string, string> = {
  service: 'a service: the warehouse takes goods only — remove it from the document',
  bundle: 'a bundle: the warehouse takes goods only — replace it with its goods',
  consignment: 'a batch instead of a product — choose the product or variant',
};

const ru: ProblemTexts = {
  NO_POSITIONS: fixed('В документе нет позиций — добавьте товары для склада'),
  ASSORTMENT_UNREADABLE: (p) => ({
    subject: `Позиция ${str(p, 'position')}`,
    cause: () => 'товар не прочитан из МойСклад — повторите передачу',
  }),
  NOT_STORABLE: (p) => ({
    subject: quoted(p, 'name'),
    cause: () => NOT_STORABLE_RU[str(p, 'type')] ?? `объект типа «${str(p, 'type')}» не принимается складом — удалите из документа`,
  }),
  MISSING_KEY: (p) =>
    p.variant !== undefined
      ? {
          subject: str(p, 'product'),
          item: str(p, 'variant'),
          cause: (n) => `у ${n > 1 ? 'модификаций' : 'модификации'} не заполнен ${keyRu(p).nom}`,
        }
      : { subject: quoted(p, 'name'), cause: () => `не заполнен ${keyRu(p).nom}` },
  NON_INTEGER_QUANTITY: (p) => ({
    subject: quoted(p, 'name'),
    cause: () => `дробное количество ${num(p, 'quantity', 'ru')} — укажите целое`,
  }),
  NON_POSITIVE_QUANTITY: (p) => ({
    subject: quoted(p, 'name'),
    cause: () => `количество ${num(p, 'quantity', 'ru')} — укажите больше нуля`,
  }),
  DUPLICATE_KEY: (p) => ({
    subject: str(p, 'names'),
    cause: () => `одинаковый ${keyRu(p).nom} «${str(p, 'value')}» — склад различает товары по ${keyRu(p).dat}`,
  }),
  not_configured: (p) => ({
    cause: () => `Решение не настроено${p.missing ? `: не заполнено — ${str(p, 'missing')}` : ''}`,
  }),
  entity_disabled: (p) => ({
    cause: () =>
      `Передача ${p.entity === 'move' ? 'перемещений' : p.entity === 'purchasereturn' ? 'возвратов поставщикам' : 'приёмок'} выключена в настройках решения`,
  }),
  no_store: (p) => ({
    cause: () =>
      p.entity === 'move'
        ? 'В перемещении не указан склад-получатель'
        : p.entity === 'purchasereturn'
          ? 'В возврате поставщику не указан склад'
          : 'В приёмке не указан склад',
  }),
  store_not_mapped: (p) => ({
    cause: () =>
      p.entity === 'purchasereturn'
        ? 'Склад возврата — не склад БетаПРО: возврат отгружается только со склада БетаПРО; выберите его или отметьте склад в настройках'
        : `${p.entity === 'move' ? 'Ни один склад перемещения' : 'Склад приёмки'} — не склад БетаПРО: выберите склад БетаПРО или отметьте его в настройках`,
  }),
  same_warehouse: fixed('Оба склада перемещения — склады БетаПРО, то есть один склад: отгружать и принимать нечего'),
  task_arrived: (p) => ({
    cause: () => `Товар по заданию ${str(p, 'indocId')} уже на складе — новое задание не создано; дождитесь приёмки`,
  }),
  account_inactive: (p) => ({
    cause: () =>
      p.status === 'suspended'
        ? 'Работа решения приостановлена — документ передадим, когда её возобновят'
        : 'Решение удалено из аккаунта — документ не передан',
  }),
  posting_refused: (p) => ({ cause: () => `МойСклад не провёл документ: ${str(p, 'reason')}` }),
  non_arrival: fixed('Товар не поступил на склад: срок ожидания истёк, документ не проведён'),
  unknown_goods: (p) => ({
    cause: () => `Склад принял товары, которых нет в МойСклад${p.goods ? `: ${str(p, 'goods')}` : ''} — документ не проведён`,
  }),
  hint: fixed('Создайте эти товары в МойСклад (или исправьте ключ) и нажмите «Проверить приёмку»'),
  bad_request: fixed('Некорректный запрос'),
  validation: fixed('Проверьте введённые данные'),
  unauthorized: fixed('Сессия истекла — откройте страницу заново'),
  forbidden: fixed('Недостаточно прав для этого действия'),
  not_found: fixed('Не найдено'),
  conflict: fixed('Состояние изменилось — обновите страницу'),
  payload_too_large: fixed('Слишком большой запрос'),
  rate_limited: fixed('Слишком много запросов — повторите чуть позже'),
  document_invalid: fixed('Документ нельзя передать — исправьте ошибки'),
  remote_rejected: fixed('Внешний сервис отклонил запрос'),
  remote_unavailable: fixed('Внешний сервис временно недоступен'),
  remote_timeout: fixed('Внешний сервис не ответил вовремя'),
  remote_auth: fixed('Внешний сервис отказал в доступе — проверьте учётные данные в настройках'),
  internal: fixed('Внутренняя ошибка приложения — повторите позже'),
};

const en: ProblemTexts = {
  NO_POSITIONS: fixed('The document has no positions — add the goods for the warehouse'),
  ASSORTMENT_UNREADABLE: (p) => ({
    subject: `Position ${str(p, 'position')}`,
    cause: () => 'the product could not be read from MoySklad — send again',
  }),
  NOT_STORABLE: (p) => ({
    subject: quoted(p, 'name'),
    cause: () => NOT_STORABLE_EN[str(p, 'type')] ?? `an object of type “${str(p, 'type')}” cannot be stored — remove it from the document`,
  }),
  MISSING_KEY: (p) =>
    p.variant !== undefined
      ? {
          subject: str(p, 'product'),
          item: str(p, 'variant'),
          cause: (n) => `${n > 1 ? 'the variants have' : 'the variant has'} no ${keyEn(p)}`,
        }
      : { subject: quoted(p, 'name'), cause: () => `the ${keyEn(p)} is empty` },
  NON_INTEGER_QUANTITY: (p) => ({
    subject: quoted(p, 'name'),
    cause: () => `fractional quantity ${num(p, 'quantity', 'en')} — use whole pieces`,
  }),
  NON_POSITIVE_QUANTITY: (p) => ({
    subject: quoted(p, 'name'),
    cause: () => `quantity ${num(p, 'quantity', 'en')} — enter more than zero`,
  }),
  DUPLICATE_KEY: (p) => ({
    subject: str(p, 'names'),
    cause: () => `the same ${keyEn(p)} “${str(p, 'value')}” — the warehouse tells goods apart by ${keyEn(p)}`,
  }),
  not_configured: () => ({ cause: () => 'The solution is not configured — the account admin completes its settings' }),
  entity_disabled: (p) => ({
    cause: () =>
      `Sending ${p.entity === 'move' ? 'moves' : p.entity === 'purchasereturn' ? 'purchase returns' : 'supplies'} is switched off in the settings`,
  }),
  no_store: (p) => ({
    cause: () =>
      p.entity === 'move'
        ? 'The move has no target store'
        : p.entity === 'purchasereturn'
          ? 'The purchase return has no store'
          : 'The supply has no store',
  }),
  store_not_mapped: (p) => ({
    cause: () =>
      p.entity === 'purchasereturn'
        ? "The return's store is not a BetaPRO store: a return ships only from a BetaPRO store — choose one or mark it in the settings"
        : `${p.entity === 'move' ? 'Neither store of the move is' : 'The store is not'} a BetaPRO store — choose one or mark it in the settings`,
  }),
  same_warehouse: fixed('Both stores of the move are BetaPRO stores, i.e. one warehouse: nothing to ship or receive'),
  task_arrived: (p) => ({
    cause: () => `Goods of task ${str(p, 'indocId')} already arrived — no new task; wait for the receipt`,
  }),
  account_inactive: (p) => ({
    cause: () =>
      p.status === 'suspended'
        ? 'The solution is suspended — the document is sent once it resumes'
        : 'The solution was removed from the account — the document was not sent',
  }),
  posting_refused: (p) => ({ cause: () => `MoySklad did not post the document: ${str(p, 'reason')}` }),
  non_arrival: fixed('The goods did not arrive: the wait expired, the document was not posted'),
  unknown_goods: (p) => ({
    cause: () => `The warehouse accepted goods that MoySklad does not have${p.goods ? `: ${str(p, 'goods')}` : ''} — not posted`,
  }),
  hint: fixed('Create these products in MoySklad (or fix the key) and press “Check receipt”'),
  bad_request: fixed('Invalid request'),
  validation: fixed('Check the entered data'),
  unauthorized: fixed('The session expired — reopen the page'),
  forbidden: fixed('You have no right to do this'),
  not_found: fixed('Not found'),
  conflict: fixed('The state has changed — reload the page'),
  payload_too_large: fixed('The request is too large'),
  rate_limited: fixed('Too many requests — try again shortly'),
  document_invalid: fixed('The document cannot be sent — fix the errors'),
  remote_rejected: fixed('The remote service rejected the request'),
  remote_unavailable: fixed('The remote service is temporarily unavailable'),
  remote_timeout: fixed('The remote service did not answer in time'),
  remote_auth: fixed('The remote service denied access — check the credentials in the settings'),
  internal: fixed('Internal error of the app — try again later'),
};

export const PROBLEM_TEXTS: Record<Locale, ProblemTexts> = { ru, en };

/** A detail line for an event built from its data; null when the data lacks what the text needs. */
type EventDetails = Partial<Record<EventKind, (p: P) => string | null>>;
const has = (p: P, ...keys: string[]) => keys.every((k) => p[k] !== undefined);

const eventsRu: EventDetails = {
  task_created: (p) =>
    has(p, 'indocId', 'lines')
      ? `Задание ${str(p, 'indocId')}: ${str(p, 'lines')} поз.${has(p, 'units') ? `, ${str(p, 'units')} шт.` : ''}`
      : null,
  goods_registered: (p) => (has(p, 'sent') ? `Зарегистрировано товаров: ${str(p, 'sent')}, без изменений: ${str(p, 'unchanged')}` : null),
  posted: (p) => (has(p, 'differences') ? (p.differences ? `Расхождений: ${str(p, 'differences')}` : 'Всё принято по плану') : null),
  review: (p) => (has(p, 'differences') ? `Расхождений: ${str(p, 'differences')} — проведите документ в виджете` : null),
  receipt_vanished: (p) => (has(p, 'outdocId') ? `Склад удалил документ ${str(p, 'outdocId')}: ждём новый` : null),
};
const eventsEn: EventDetails = {
  task_created: (p) =>
    has(p, 'indocId', 'lines')
      ? `Task ${str(p, 'indocId')}: ${str(p, 'lines')} lines${has(p, 'units') ? `, ${str(p, 'units')} pcs` : ''}`
      : null,
  goods_registered: (p) => (has(p, 'sent') ? `Goods registered: ${str(p, 'sent')}, unchanged: ${str(p, 'unchanged')}` : null),
  posted: (p) =>
    has(p, 'differences') ? (p.differences ? `Discrepancies: ${str(p, 'differences')}` : 'Everything accepted as planned') : null,
  review: (p) => (has(p, 'differences') ? `Discrepancies: ${str(p, 'differences')} — post the document in the widget` : null),
  receipt_vanished: (p) => (has(p, 'outdocId') ? `The warehouse deleted document ${str(p, 'outdocId')}: waiting for a new one` : null),
  retry_scheduled: (p) =>
    has(p, 'code') ? problemPhraseText({ code: str(p, 'code').toLowerCase(), message: '', params: {} }, 'en') : null,
};

export const EVENT_DETAILS: Record<Locale, EventDetails> = { ru: eventsRu, en: eventsEn };

/** One problem's own text (ungrouped); null when the code is unknown to this catalogue. */
export function problemPhraseText(problem: { code: string; message: string; params?: P }, locale: Locale): string | null {
  const entry = (PROBLEM_TEXTS[locale] as Record<string, ((p: P) => Phrase) | undefined>)[problem.code];
  if (!entry) return null;
  return phraseText(entry(problem.params ?? {}), [], 1);
}

function phraseText(phrase: Phrase, items: string[], count: number, subjects?: string[]): string {
  const cause = phrase.cause(count);
  const subject = subjects ? subjects.join(', ') : phrase.subject;
  if (!subject) return cause;
  const list = items.length ? items : phrase.item ? [phrase.item] : [];
  return list.length ? `${subject}: ${list.join(', ')} — ${cause}` : `${subject} — ${cause}`;
}

export interface ProblemLine {
  key: string;
  text: string;
  codes: string[];
  /** Positions concerned, 1-based (for a hint, not repeated in the text). */
  positions: number[];
  /** The server's complete Russian reasons, shown on demand. */
  details: string[];
}

/**
 * Problems as short lines, one per cause. Russian falls back to the server's message for problems
 * without params (stored before codes had them); English to the code's text or, for an unknown code,
 * the message itself (the unit test keeps every code covered).
 */
export function problemLines(
  problems: ReadonlyArray<{ code: string; message: string; params?: P; position?: number }>,
  locale: Locale,
): ProblemLine[] {
  const groups = new Map<
    string,
    {
      phrase: Phrase;
      items: string[];
      subjects: string[];
      codes: string[];
      positions: number[];
      details: string[];
      raw?: string;
    }
  >();
  problems.forEach((problem, index) => {
    const entry = (PROBLEM_TEXTS[locale] as Record<string, ((p: P) => Phrase) | undefined>)[problem.code];
    const raw = !entry || (locale === 'ru' && !problem.params);
    if (raw) {
      groups.set(`raw:${index}`, {
        phrase: { cause: () => problem.message },
        items: [],
        subjects: [],
        codes: [problem.code],
        positions: problem.position ? [problem.position] : [],
        details: [problem.message],
        raw: problem.message,
      });
      return;
    }
    // Stored before problems had params: English names the position and the field generically.
    const phrase = entry(problem.params ?? { name: problem.position ? `#${problem.position}` : '…', position: problem.position ?? '' });
    // Same cause on several items of one subject: one line listing the items (sizes of one product);
    // same cause on several subjects without items: one line listing the subjects.
    const key = phrase.item !== undefined ? `${problem.code}|${phrase.subject}|${phrase.cause(2)}` : `${problem.code}||${phrase.cause(2)}`;
    const group = groups.get(key) ?? {
      phrase,
      items: [],
      subjects: [],
      codes: [problem.code],
      positions: [],
      details: [],
    };
    if (phrase.item !== undefined && !group.items.includes(phrase.item)) group.items.push(phrase.item);
    if (phrase.item === undefined && phrase.subject && !group.subjects.includes(phrase.subject)) group.subjects.push(phrase.subject);
    if (problem.position) group.positions.push(problem.position);
    group.details.push(problem.message);
    groups.set(key, group);
  });
  return [...groups.entries()].map(([key, g]) => ({
    key,
    text:
      g.raw ?? phraseText(g.phrase, g.items, Math.max(g.items.length, g.subjects.length, 1), g.subjects.length ? g.subjects : undefined),
    codes: g.codes,
    positions: g.positions,
    details: g.details,
  }));
}

/** The detail line of an event in the user's language, or null to show the label only. */
export function eventDetail(event: { kind: string; message: string; params?: P }, locale: Locale): string | null {
  const build = EVENT_DETAILS[locale][event.kind as EventKind];
  const built = build && event.params ? build(event.params) : null;
  if (built) return built;
  // Russian: the server's own line says it (it is the MoySklad comment's text). English: the label.
  return locale === 'ru' && event.message ? event.message : null;
}

/** A toast or an inline error for an API error code, in the user's language. */
export function errorCodeText(code: string, fallback: string, locale: Locale): string {
  if (locale === 'ru') return fallback;
  return problemPhraseText({ code: code.toLowerCase(), message: fallback, params: {} }, locale) ?? fallback;
}

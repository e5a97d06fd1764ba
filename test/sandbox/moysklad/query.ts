/**
 * Query-string parsing with MoySklad's rules: `limit` 1–1000 (default 1000, or the endpoint's own),
 * `offset`, `expand` (comma list of dot paths, depth ≤ 3, ignored on lists when limit > 100),
 * `filter` (`a=b;c!=d`, repeated `=` on one field = OR, everything else AND, `\;` escapes) and `order`.
 */
import { apiError } from './http';
import { parseMsk } from './time';

export type ExpandTree = { [field: string]: ExpandTree };

export interface Paging {
  limit: number;
  offset: number;
}

export function parsePaging(q: URLSearchParams, defaultLimit = 1000, maxLimit = 1000): Paging {
  const limit = intParam(q, 'limit', defaultLimit);
  const offset = intParam(q, 'offset', 0);
  if (limit < 1 || limit > maxLimit) {
    throw apiError(400, 1040, `Неверное значение параметра 'limit': допустимые значения от 1 до ${maxLimit}`, 'limit');
  }
  if (offset < 0) throw apiError(400, 1040, "Неверное значение параметра 'offset'", 'offset');
  return { limit, offset };
}

function intParam(q: URLSearchParams, name: string, dflt: number): number {
  const raw = q.get(name);
  if (raw === null || raw === '') return dflt;
  if (!/^-?\d+$/.test(raw)) throw apiError(400, 1040, `Неверное значение параметра '${name}'`, name);
  return Number(raw);
}

/** Depth is counted in path segments: `positions.assortment.product` is depth 3, the maximum. */
export function parseExpand(raw: string | null, maxDepth = 3): ExpandTree {
  const tree: ExpandTree = {};
  if (!raw) return tree;
  for (const path of raw.split(',')) {
    const parts = path.trim().split('.').filter(Boolean).slice(0, maxDepth);
    let node = tree;
    for (const part of parts) node = node[part] ??= {};
  }
  return tree;
}

export type FilterOp = '=' | '!=' | '>' | '<' | '>=' | '<=' | '~' | '~=' | '=~';

export interface FilterCond {
  field: string;
  op: FilterOp;
  value: string;
}

// Two-character operators must be tried before their one-character prefixes.
const COND_RE = /^([^=!<>~]+?)(=~|~=|!=|>=|<=|=|>|<|~)(.*)$/s;

export function parseFilter(raw: string | null): FilterCond[] {
  if (!raw) return [];
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i];
    if (ch === '\\' && raw[i + 1] === ';') {
      cur += ';';
      i++;
    } else if (ch === ';') {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  const conds: FilterCond[] = [];
  for (const part of parts) {
    if (part.trim() === '') continue;
    const m = COND_RE.exec(part);
    if (!m) throw apiError(400, 1034, `Ошибка фильтрации: неверное условие '${part}'`, 'filter');
    conds.push({ field: m[1].trim(), op: m[2] as FilterOp, value: m[3] });
  }
  return conds;
}

export type FieldKind = 'string' | 'ref' | 'bool' | 'date' | 'number';
export interface FieldValues {
  kind: FieldKind;
  /** Multi-valued fields (barcodes) list all values; an unset field gives []. */
  values: Array<string | number | boolean>;
  /** Operators MoySklad allows on this field. */
  ops?: FilterOp[];
}
export type FieldGetter = (field: string) => FieldValues | undefined;

const UUID_IN_HREF = /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/?$/i;

/** Reference filters take hrefs; compare the trailing id so host differences do not matter. */
export function idFromHref(value: string): string {
  const m = UUID_IN_HREF.exec(value.trim());
  return m ? m[1].toLowerCase() : value.trim().toLowerCase();
}

function test(cond: FilterCond, fv: FieldValues): boolean {
  const { op } = cond;
  if (cond.value === '' && (op === '=' || op === '!=')) {
    const empty = fv.values.length === 0 || fv.values.every((v) => v === '');
    return op === '=' ? empty : !empty;
  }
  let target: string | number | boolean;
  switch (fv.kind) {
    case 'ref':
      target = idFromHref(cond.value);
      break;
    case 'bool':
      if (cond.value !== 'true' && cond.value !== 'false') {
        throw apiError(400, 1014, `Неверное значение '${cond.value}' параметра фильтрации '${cond.field}'`, 'filter');
      }
      target = cond.value === 'true';
      break;
    case 'date': {
      const t = parseMsk(cond.value);
      if (t === undefined) throw apiError(400, 1035, 'Ошибка фильтрации: неверный формат даты параметра фильтрации', 'filter');
      target = t;
      break;
    }
    case 'number':
      target = Number(cond.value);
      if (Number.isNaN(target)) {
        throw apiError(400, 1014, `Неверное значение '${cond.value}' параметра фильтрации '${cond.field}'`, 'filter');
      }
      break;
    default:
      target = cond.value;
  }
  const vals = fv.values.map((v) => (fv.kind === 'date' ? (parseMsk(String(v)) ?? NaN) : fv.kind === 'ref' ? String(v).toLowerCase() : v));
  const lower = (v: unknown) => String(v).toLowerCase();
  switch (op) {
    case '=':
      return vals.some((v) => v === target);
    case '!=':
      return vals.every((v) => v !== target);
    case '~':
      return vals.some((v) => lower(v).includes(lower(target)));
    case '=~':
      return vals.some((v) => lower(v).startsWith(lower(target)));
    case '~=':
      return vals.some((v) => lower(v).endsWith(lower(target)));
    case '>':
      return vals.some((v) => v > target);
    case '<':
      return vals.some((v) => v < target);
    case '>=':
      return vals.some((v) => v >= target);
    case '<=':
      return vals.some((v) => v <= target);
  }
}

/**
 * Checks conditions against one object. Unknown fields and operators a field does not support are
 * errors (MoySklad refuses them rather than ignoring them), so they are validated up front.
 */
export function validateFilter(conds: FilterCond[], getter: FieldGetter): void {
  for (const c of conds) {
    const fv = getter(c.field);
    if (!fv) throw apiError(400, 1034, `Ошибка фильтрации: неизвестное поле фильтрации '${c.field}'`, 'filter');
    if (fv.ops && !fv.ops.includes(c.op)) {
      throw apiError(400, 1034, `Ошибка фильтрации: оператор '${c.op}' не поддерживается для поля '${c.field}'`, 'filter');
    }
  }
}

export function matchesFilter(conds: FilterCond[], getter: FieldGetter): boolean {
  // Repeated `=` on the same field is an OR group; every other condition must hold on its own.
  const orGroups = new Map<string, FilterCond[]>();
  for (const c of conds) {
    if (c.op === '=') {
      const g = orGroups.get(c.field) ?? [];
      g.push(c);
      orGroups.set(c.field, g);
    } else if (!test(c, getter(c.field)!)) return false;
  }
  for (const group of orGroups.values()) {
    if (!group.some((c) => test(c, getter(c.field)!))) return false;
  }
  return true;
}

export interface OrderKey {
  field: string;
  desc: boolean;
}

export function parseOrder(raw: string | null): OrderKey[] {
  if (!raw) return [];
  return raw
    .split(';')
    .filter(Boolean)
    .map((p) => {
      const [field, dir] = p.split(',');
      return { field: field.trim(), desc: dir?.trim() === 'desc' };
    });
}

export function sortBy<T>(rows: T[], keys: OrderKey[], getter: (row: T) => FieldGetter): T[] {
  if (!keys.length) return rows;
  for (const k of keys) {
    if (rows.length && !getter(rows[0])(k.field)) {
      throw apiError(
        400,
        1063,
        `Ошибка сортировки: неизвестное поле '${k.field}' или сортировка для данного поля не поддерживается`,
        'order',
      );
    }
  }
  // Each row's sort values are read once: building a row's field reader per comparison made a sorted page
  // of a 10,000-good catalogue take seconds.
  const decorated = rows.map((row) => {
    const read = getter(row);
    return { row, values: keys.map((k) => read(k.field)?.values[0] ?? '') };
  });
  decorated.sort((a, b) => {
    for (let i = 0; i < keys.length; i++) {
      const va = a.values[i];
      const vb = b.values[i];
      if (va < vb) return keys[i].desc ? 1 : -1;
      if (va > vb) return keys[i].desc ? -1 : 1;
    }
    return 0;
  });
  return decorated.map((d) => d.row);
}

/**
 * Control API under /_sim (no auth, not part of BetaPRO): what the warehouse does (arrival, receipts,
 * non-arrival, corrections), fault injection, configuration, state and call statistics. Requests are
 * JSON; the console's HTML forms post urlencoded fields and are redirected back to the console.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import { renderConsole } from './console';
import { ControlError, FboxError } from './errors';
import type { SimDeps } from './http';
import { readBody, sendJson } from './io';
import { OPTIONAL_OUTDOC_TYPES, QUOTA_NAMES, type PartnerSettings } from './model';
import {
  controlConfig,
  controlFaults,
  controlPartner,
  controlReceive,
  controlReset,
  controlShip,
  controlStock,
  controlSurplus,
  zodMessage,
  type ControlConfig,
} from './schemas';
import { adjustStock, ship } from './shipment';
import type { BetaproStore } from './store';
import * as warehouse from './warehouse';

export async function handleControl(deps: SimDeps, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const { store, faults, stats, limiter } = deps;
  const path = url.pathname.replace(/^\/_sim/, '').replace(/\/+$/, '') || '/';
  const method = req.method ?? 'GET';
  const partnerQuery = url.searchParams.get('partner') || undefined;
  let isForm = false;

  const back = (message: string) => {
    res.writeHead(303, { Location: `/_sim/console?msg=${encodeURIComponent(message)}` });
    res.end();
  };

  try {
    if (method === 'GET') {
      if (path === '/' || path === '/console') {
        const html = renderConsole(store, faults.current(), url.searchParams.get('msg') ?? undefined);
        res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
        res.end(html);
        return;
      }
      if (path === '/state') return sendJson(res, 200, publicState(store, deps));
      if (path === '/stats') return sendJson(res, 200, stats.snapshot());
      if (path === '/faults') return sendJson(res, 200, faults.current());
      if (path === '/config') return sendJson(res, 200, store.data.config);
      throw new ControlError(404, `no control endpoint GET ${url.pathname}`);
    }
    if (method !== 'POST') throw new ControlError(405, `${method} is not supported by the control API`);

    const raw = (await readBody(req)).toString('utf8');
    // `curl -d '{...}'` labels JSON as a form: only a body that is not JSON-looking counts as a form post.
    isForm = (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded') && !/^\s*[{[]/.test(raw);
    const body: unknown = isForm ? formToBody(path, new URLSearchParams(raw)) : parseJson(raw);
    const result = run(deps, path, body, partnerQuery);
    if (path === '/config' || path === '/reset') limiter.reset();
    if (isForm) return back(result.message);
    sendJson(res, 200, { ok: true, ...result.data });
  } catch (error) {
    const status = error instanceof ControlError ? error.status : error instanceof FboxError ? 400 : 0;
    if (!status) throw error;
    const message = (error as Error).message;
    if (isForm) return back(`Ошибка: ${message}`);
    sendJson(res, status, { ok: false, error: message });
  }
}

function parseJson(raw: string): unknown {
  if (!raw.trim()) return {};
  try {
    return JSON.parse(raw);
  } catch {
    throw new ControlError(400, 'body is not valid JSON');
  }
}

function parse<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const result = schema.safeParse(body);
  if (!result.success) throw new ControlError(400, zodMessage(result.error));
  return result.data;
}

interface Result {
  message: string;
  data: Record<string, unknown>;
}

function run(deps: SimDeps, path: string, body: unknown, partnerQuery: string | undefined): Result {
  const { store, faults, stats } = deps;
  if (path === '/partners') {
    const { partnerId, password } = parse(controlPartner, body);
    store.ensurePartner(partnerId, password);
    return { message: `Партнёр ${partnerId} создан`, data: { partnerId } };
  }
  if (path === '/reset') {
    const { keepPartners } = parse(controlReset, body);
    store.reset(keepPartners);
    stats.reset();
    faults.set({ mode: 'none', rate: 1 });
    return { message: 'Состояние очищено', data: {} };
  }
  if (path === '/stats/reset') {
    stats.reset();
    return { message: 'Статистика сброшена', data: {} };
  }
  if (path === '/faults') {
    const spec = parse(controlFaults, body);
    faults.set(spec);
    return {
      message: `Сбои: ${spec.mode}${spec.mode !== 'none' ? ` (rate ${spec.rate})` : ''}`,
      data: { faults: faults.current() },
    };
  }
  if (path === '/config') {
    const cfg = parse(controlConfig, body);
    store.transaction(() => applyConfig(store, cfg));
    return { message: 'Настройки изменены', data: { config: store.data.config } };
  }

  const indocAction = /^\/indocs\/([^/]+)\/(arrive|receive|expire|surplus)$/.exec(path);
  if (indocAction) {
    const indocId = decodeURIComponent(indocAction[1]);
    const action = indocAction[2];
    const input = action === 'receive' ? parse(controlReceive, body) : undefined;
    const surplus = action === 'surplus' ? parse(controlSurplus, body) : undefined;
    return store.transaction(() => {
      const { partner, indoc } = store.findIndoc(indocId, partnerQuery);
      const issued =
        action === 'arrive'
          ? warehouse.arrive(store, partner, indoc)
          : action === 'expire'
            ? warehouse.expire(store, partner, indoc)
            : surplus
              ? warehouse.issueSurplus(store, partner, indoc, surplus.items)
              : warehouse.receive(store, partner, indoc, input!);
      const waiting = indoc.held ? `, ждёт идентификации: ${indoc.held.barcodes.join(', ')}` : '';
      return {
        message: `${indocId}: ${indoc.state}${issued.length ? `, исходящие ${issued.join(', ')}` : ''}${waiting}`,
        data: {
          partnerId: partner.partnerId,
          indoc_id: indocId,
          state: indoc.state,
          issued_outdoc_ids: issued,
          ...(indoc.held ? { waiting_for_recognition: indoc.held.barcodes } : {}),
        },
      };
    });
  }

  const shipping = /^\/indocs\/([^/]+)\/ship$/.exec(path);
  if (shipping) {
    const indocId = decodeURIComponent(shipping[1]);
    const input = parse(controlShip, body);
    return store.transaction(() => {
      const { partner, indoc } = store.findIndoc(indocId, partnerQuery);
      const issued = ship(store, partner, indoc, input.items);
      return {
        message: `${indocId}: отгружено, исходящие ${issued.join(', ')}`,
        data: { partnerId: partner.partnerId, indoc_id: indocId, state: indoc.state, issued_outdoc_ids: issued },
      };
    });
  }
  if (path === '/stock') {
    const input = parse(controlStock, body);
    return store.transaction(() => {
      const partners = Object.values(store.data.partners).filter((p) => partnerQuery === undefined || p.partnerId === partnerQuery);
      if (partners.length !== 1) throw new ControlError(partners.length ? 409 : 404, 'stock: name one partner with ?partner=');
      const partner = partners[0];
      adjustStock(partner, input.items);
      return { message: 'Остатки изменены', data: { partnerId: partner.partnerId } };
    });
  }

  const outdocAction = /^\/outdocs\/(\d+)\/(correct|delete)$/.exec(path);
  if (outdocAction) {
    const outdocId = Number(outdocAction[1]);
    const input = outdocAction[2] === 'correct' ? parse(controlReceive, body) : undefined;
    return store.transaction(() => {
      const { partner, outdoc } = store.findOutdoc(outdocId);
      if (outdocAction[2] === 'delete') {
        warehouse.deleteOutdoc(store, outdoc);
        return { message: `Исходящий ${outdocId} удалён`, data: { partnerId: partner.partnerId, deleted: outdocId } };
      }
      const result = warehouse.correct(store, partner, outdoc, input?.items);
      const message = result.unlock_requested
        ? `Исходящий ${outdocId}: запрошена разблокировка`
        : `Исходящий ${outdocId} заменён на ${result.issued}`;
      return { message, data: { partnerId: partner.partnerId, outdoc_id: outdocId, ...result } };
    });
  }
  throw new ControlError(404, `no control endpoint POST /_sim${path}`);
}

function patchSettings(settings: PartnerSettings, cfg: ControlConfig): void {
  if (cfg.goods_surplus_enabled !== undefined) settings.goods_surplus_enabled = cfg.goods_surplus_enabled;
  if (cfg.goods_expir_enabled !== undefined) settings.goods_expir_enabled = cfg.goods_expir_enabled;
  for (const type of OPTIONAL_OUTDOC_TYPES) {
    const value = cfg.outdoc_types?.[type];
    if (typeof value === 'boolean') settings.outdoc_types[type] = value;
  }
  const limits = cfg.rate_limits;
  if (limits) {
    if (limits.concurrent_qnt !== undefined) settings.rate_limits.concurrent_qnt = limits.concurrent_qnt;
    for (const name of QUOTA_NAMES) Object.assign(settings.rate_limits[name], limits[name] ?? {});
  }
}

/** Without partnerId: global switches, the defaults for new partners and every existing partner. */
function applyConfig(store: BetaproStore, cfg: ControlConfig): void {
  const config = store.data.config;
  if (cfg.business_error_http_status !== undefined) config.business_error_http_status = cfg.business_error_http_status;
  if (cfg.response_delay_ms !== undefined) config.response_delay_ms = cfg.response_delay_ms;
  if (cfg.timeout_hold_ms !== undefined) config.timeout_hold_ms = cfg.timeout_hold_ms;
  if (cfg.partnerId !== undefined) {
    const partner = store.partner(cfg.partnerId);
    if (!partner) throw new ControlError(404, `partner ${cfg.partnerId} not found`);
    patchSettings(partner.settings, cfg);
    return;
  }
  patchSettings(config.defaults, cfg);
  for (const partner of Object.values(store.data.partners)) patchSettings(partner.settings, cfg);
}

/** Everything but passwords; deleted outdocs included (marked) so tests can follow corrections. */
function publicState(store: BetaproStore, deps: SimDeps) {
  return {
    config: store.data.config,
    faults: deps.faults.current(),
    nextOutdocId: store.data.nextOutdocId,
    partners: Object.values(store.data.partners).map((p) => ({
      partnerId: p.partnerId,
      settings: p.settings,
      goods: Object.values(p.goods),
      eans: Object.entries(p.eans).map(([ean, link]) => ({ ean, ...link })),
      indocs: Object.values(p.indocs)
        .sort((a, b) => a.seq - b.seq)
        .map((d) => ({
          ...d,
          outdoc_ids: Object.values(p.outdocs)
            .filter((o) => o.task_id === d.indoc_id && !o.deleted)
            .map((o) => o.outdoc_id),
        })),
      outdocs: Object.values(p.outdocs).sort((a, b) => a.outdoc_id - b.outdoc_id),
      recognition: Object.values(p.recognition ?? {}),
    })),
  };
}

/**
 * Console forms → JSON bodies. Receipt lines are typed as "good_id useful [defective]" per line;
 * an empty box means "as planned".
 */
function formToBody(path: string, form: URLSearchParams): unknown {
  const bool = (name: string) => (form.has(name) ? form.get(name) === 'true' || form.get(name) === 'on' : undefined);
  if (path.endsWith('/ship')) {
    const items = formLines(form.get('lines')).map(([good_id, qnt, , line]) => {
      if (!good_id || !Number.isInteger(Number(qnt ?? ''))) throw new ControlError(400, `cannot read line "${line}"`);
      return { good_id, qnt: Number(qnt) };
    });
    return items.length ? { items } : {};
  }
  if (/\/(receive|correct|surplus)$/.test(path)) {
    const items = formLines(form.get('lines')).map(([good_id, useful, defective, line]) => {
      const u = Number(useful ?? 0);
      const d = Number(defective ?? 0);
      if (!good_id || !Number.isInteger(u) || !Number.isInteger(d)) throw new ControlError(400, `cannot read line "${line}"`);
      return { good_id, useful_qnt: u, defective_qnt: d };
    });
    if (path.endsWith('/surplus')) return { items };
    // Unknown goods: "barcode useful [defective] [description…]" per line.
    const unknown = formLines(form.get('unknown')).map(([barcode, useful, , line]) => {
      const words = line.trim().split(/\s+/);
      const hasDefective = /^\d+$/.test(words[2] ?? '');
      const u = Number(useful ?? 0);
      const d = hasDefective ? Number(words[2]) : 0;
      if (!barcode || !Number.isInteger(u)) throw new ControlError(400, `cannot read line "${line}"`);
      const descrip = words.slice(hasDefective ? 3 : 2).join(' ');
      return { barcode, useful_qnt: u, defective_qnt: d, ...(descrip ? { descrip } : {}) };
    });
    return {
      items: items.length ? items : undefined,
      final: bool('final') ?? true,
      ...(unknown.length ? { unknown } : {}),
    };
  }
  if (path === '/faults') {
    const count = form.get('count');
    return { mode: form.get('mode'), rate: Number(form.get('rate') || 1), ...(count ? { count: Number(count) } : {}) };
  }
  if (path === '/partners') return { partnerId: form.get('partnerId'), password: form.get('password') };
  if (path === '/config') {
    const status = form.get('business_error_http_status');
    const start = bool('goods_supply_start');
    const surplus = bool('goods_surplus_enabled');
    return {
      ...(form.get('partnerId') ? { partnerId: form.get('partnerId') } : {}),
      ...(status ? { business_error_http_status: Number(status) } : {}),
      ...(surplus !== undefined ? { goods_surplus_enabled: surplus } : {}),
      ...(start !== undefined ? { outdoc_types: { goods_supply_start: start } } : {}),
    };
  }
  if (path === '/reset') return { keepPartners: bool('keepPartners') ?? true };
  return {};
}

/** Non-empty lines of a console text box, each split into its first three fields plus the line itself. */
function formLines(text: string | null): Array<[string, string | undefined, string | undefined, string]> {
  return (text ?? '')
    .split(/\r?\n/)
    .filter((l) => l.trim())
    .map((line) => {
      const [first, second, third] = line.trim().split(/[\s,;]+/);
      return [first, second, third, line];
    });
}

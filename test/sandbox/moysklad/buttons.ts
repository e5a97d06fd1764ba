/**
 * Custom buttons (VDOC «Кастомные кнопки», §6.3 button endpoint, §6.4 button/complete):
 *  - the buttons come from the app's descriptor (vendor-descriptor/descriptor.xml.template rendered for
 *    the app's base URL, or `SolutionConfig.descriptorXml`): name, title, locations;
 *  - a press sends `POST {appBaseUrl}/api/moysklad/vendor/1.0/apps/{appId}/{accountId}/button` with a
 *    MoySklad JWT and X_Lognex_RequestId, `selected[]` on `*.list` points, `objectId` on `*.edit` ones;
 *    a 200 answer with `async: true` must carry `params.asyncProcessId`, which opens a process;
 *  - `POST /api/vendor/1.0/apps/{appId}/button/complete` ends a process with its notification
 *    (text ≤ 255, url ≤ 255 https or a relative MoySklad link, urlText ≤ 30): 404 unknown process,
 *    409 completed before, 410 older than 24 h.
 * Every answer and completion becomes a notification of the user who pressed (the host page shows them).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { callHttp, type Dispatcher } from './dispatcher';
import { parseWith } from './engine';
import { apiError, HttpError } from './http';
import { signMoyskladJwt } from './jwt';
import type { SimStore } from './store';
import { mskNow } from './time';
import type { AccountRec, EmployeeKind, NotificationRec, SimConfig, SolutionConfig } from './types';

export interface DescriptorButton {
  name: string;
  title: string;
  locations: string[];
}

export interface PressResult {
  status: number | null;
  body: unknown;
  error?: string;
  notification?: NotificationRec;
}

const PROCESS_TTL_MS = 24 * 60 * 60_000;

/** `<button name title [useSelected]><locations><point/>…</locations></button>` elements of a descriptor. */
export function parseDescriptorButtons(xml: string): DescriptorButton[] {
  const withoutComments = xml.replace(/<!--[\s\S]*?-->/g, '');
  const buttons: DescriptorButton[] = [];
  for (const m of withoutComments.matchAll(/<button\s+([^>]*)>([\s\S]*?)<\/button>/g)) {
    const attr = (n: string) => new RegExp(`${n}="([^"]*)"`).exec(m[1])?.[1] ?? '';
    const locations = [...(/<locations>([\s\S]*?)<\/locations>/.exec(m[2])?.[1] ?? '').matchAll(/<([a-z.]+)\s*\/>/g)].map((l) => l[1]);
    buttons.push({ name: attr('name'), title: attr('title'), locations });
  }
  return buttons;
}

/** The app's descriptor template with its base URL (the sandbox reads the buttons only; other placeholders stay). */
function renderTemplate(solution: SolutionConfig): string {
  const template = readFileSync(path.resolve(process.cwd(), 'vendor-descriptor', 'descriptor.xml.template'), 'utf8');
  return template.replace(/\{\{BASE_URL\}\}/g, solution.appBaseUrl.replace(/\/+$/, ''));
}

const completeSchema = z.object({
  asyncProcessId: z.string().uuid(),
  notification: z.object({
    text: z.string().min(1).max(255),
    url: z
      .string()
      .max(255)
      .refine((u) => u.startsWith('https://') || u.startsWith('/'), 'only https or a relative MoySklad link')
      .optional(),
    urlText: z.string().max(30).optional(),
  }),
});

export class Buttons {
  private cached: DescriptorButton[] | undefined;

  constructor(
    private readonly store: SimStore,
    private readonly dispatcher: Dispatcher,
    private readonly solution: SolutionConfig,
    private readonly config: () => SimConfig,
  ) {}

  /** The descriptor's buttons (read once). */
  list(): DescriptorButton[] {
    this.cached ??= parseDescriptorButtons(this.solution.descriptorXml ?? renderTemplate(this.solution));
    return this.cached;
  }

  at(point: string): DescriptorButton[] {
    return this.list().filter((b) => b.locations.includes(point));
  }

  notifications(accountId?: string, employee?: EmployeeKind): NotificationRec[] {
    return (this.store.state.notifications ?? []).filter(
      (n) => (!accountId || n.accountId === accountId) && (!employee || n.employee === employee),
    );
  }

  private notify(n: Omit<NotificationRec, 'id' | 'at'>): NotificationRec {
    const list = (this.store.state.notifications ??= []);
    const rec: NotificationRec = { id: (list.at(-1)?.id ?? 0) + 1, at: mskNow(), ...n };
    list.push(rec);
    if (list.length > 500) list.splice(0, list.length - 500);
    this.store.changed();
    return rec;
  }

  /** A user presses a button: the call MoySklad makes to the app, and what the user then sees. */
  async press(
    account: AccountRec,
    employee: EmployeeKind,
    buttonName: string,
    extensionPoint: string,
    ids: string[],
    options: { requestId?: string } = {},
  ): Promise<PressResult> {
    const button = this.at(extensionPoint).find((b) => b.name === buttonName);
    if (!button) throw apiError(404, 1002, `Кнопка ${buttonName} не объявлена в дескрипторе для ${extensionPoint}`);
    if (account.installation.status !== 'Activated') throw apiError(409, 3000, 'Кнопки решения доступны только после активации');
    const type = extensionPoint.split('.')[1];
    const list = extensionPoint.endsWith('.list');
    const body = {
      buttonName,
      extensionPoint,
      ...(list ? { selected: ids.map((id) => ({ id, type })) } : { objectId: ids[0] }),
      user: { employeeId: account.employees[employee].id, role: employee === 'admin' ? 'admin' : 'individual' },
    };
    // Tests may repeat a delivery: the same X_Lognex_RequestId, as a network retry would carry.
    const requestId = options.requestId ?? randomUUID();
    const url = `${this.solution.appBaseUrl.replace(/\/$/, '')}/api/moysklad/vendor/1.0/apps/${this.solution.appId}/${account.id}/button`;
    const rec = this.dispatcher.record({
      id: randomUUID(),
      kind: 'button',
      requestId,
      accountId: account.id,
      method: 'POST',
      url,
      body,
      attempts: [],
      outcome: 'pending',
      created: mskNow(),
    });
    const jwt = await signMoyskladJwt(this.solution.secretKey);
    // MoySklad waits 10 s for the answer and does not retry a press.
    const r = await callHttp(
      'POST',
      url,
      { Authorization: `Bearer ${jwt}`, X_Lognex_RequestId: requestId },
      body,
      Math.min(10_000, this.config().appCallTimeoutMs),
    );
    rec.attempts.push({ at: mskNow(), status: r.status ?? undefined, error: r.error, durationMs: r.durationMs });
    rec.response = { status: r.status ?? 0, body: r.body };
    rec.outcome = r.status !== null && r.status < 300 ? 'delivered' : 'failed';
    return { ...r, notification: this.answerNotification(account, employee, buttonName, r) };
  }

  private answerNotification(
    account: AccountRec,
    employee: EmployeeKind,
    buttonName: string,
    r: { status: number | null; body: unknown; error?: string },
  ): NotificationRec {
    const answer = r.body as {
      action?: string;
      async?: boolean;
      params?: { text?: string; asyncProcessId?: string };
      error?: { errorMessage?: string };
    };
    if (r.status === 200 && answer?.action === 'showNotification' && answer.params?.text) {
      if (answer.async) {
        const id = answer.params.asyncProcessId;
        if (!id) return this.notify({ accountId: account.id, employee, kind: 'error', text: 'Решение не передало asyncProcessId' });
        const processes = (this.store.state.buttonProcesses ??= {});
        processes[id] ??= { accountId: account.id, employee, buttonName, startedAt: Date.now() };
      }
      return this.notify({
        accountId: account.id,
        employee,
        kind: 'immediate',
        text: answer.params.text,
        asyncProcessId: answer.params.asyncProcessId,
      });
    }
    const text =
      r.status === 400 && answer?.error?.errorMessage
        ? answer.error.errorMessage
        : `Решение не смогло обработать нажатие (${r.status ?? r.error}). Повторите действие позже.`;
    return this.notify({ accountId: account.id, employee, kind: 'error', text });
  }

  /** `POST /apps/{appId}/button/complete` (Vendor API, already authenticated). */
  complete(appId: string, raw: unknown): { status: number } {
    if (appId !== this.solution.appId) throw apiError(404, 2004, 'Решение не найдено');
    const { asyncProcessId, notification } = parseWith(completeSchema, raw);
    const process = this.store.state.buttonProcesses?.[asyncProcessId];
    const account = process && this.store.account(process.accountId);
    if (!process || !account || account.installation.status !== 'Activated') throw apiError(404, 2004, 'Процесс не найден');
    if (process.completedAt) throw new HttpError(409, [{ error: 'Процесс уже был завершён ранее' }]);
    if (Date.now() - process.startedAt > PROCESS_TTL_MS) throw new HttpError(410, [{ error: 'С начала процесса прошло более 24 часов' }]);
    process.completedAt = Date.now();
    this.notify({ accountId: process.accountId, employee: process.employee, kind: 'complete', asyncProcessId, ...notification });
    return { status: 200 };
  }

  /** Test helper: makes a process look older (24 h expiry). */
  age(asyncProcessId: string, ms: number): void {
    const p = this.store.state.buttonProcesses?.[asyncProcessId];
    if (p) p.startedAt -= ms;
  }
}

/**
 * Outbound calls of the simulated MoySklad to the app, all asynchronous (an API write never waits for
 * them) and all kept in a delivery log for tests and the demo:
 *  - webhooks: POST {url}?requestId=<uuid>, success = 200/204 within `webhookTimeoutMs` (1500 ms), on
 *    failure `webhookRetries` (3) immediate re-attempts with the same requestId, then dropped;
 *  - scenario actions (CHANGE_STATUS): POST {appBaseUrl}/api/moysklad/vendor/1.0/apps/{appId}/{accountId}/scenario
 *    with a JWT and X_Lognex_RequestId, retried on non-2xx (MoySklad: 24 h; here a few short retries).
 */
import { randomUUID } from 'node:crypto';
import type { ChangeEvent } from './engine';
import { signMoyskladJwt } from './jwt';
import type { Serializer } from './serialize';
import { mskNow } from './time';
import type { AccountRec, SimConfig, SolutionConfig, WebhookRec } from './types';

export interface DeliveryAttempt {
  at: string;
  status?: number;
  error?: string;
  durationMs: number;
}

export interface DeliveryRecord {
  id: string;
  kind: 'webhook' | 'scenario' | 'lifecycle' | 'button';
  requestId: string;
  accountId: string;
  method: string;
  url: string;
  webhookId?: string;
  body: unknown;
  attempts: DeliveryAttempt[];
  outcome: 'pending' | 'delivered' | 'dropped' | 'suppressed' | 'failed';
  created: string;
  /** Lifecycle calls: the app's answer. */
  response?: { status: number; body: unknown };
}

export const WEBHOOK_USER_AGENT = 'MoySklad webhook touch agent 2.0 (/https://www.moysklad.ru)';
const MAX_LOG = 5000;

export interface CallResult {
  status: number | null;
  body: unknown;
  error?: string;
  durationMs: number;
}

/** One HTTP call with a timeout; never throws (network errors come back as `error`). */
export async function callHttp(
  method: string,
  url: string,
  headers: Record<string, string>,
  body: unknown,
  timeoutMs: number,
): Promise<CallResult> {
  const started = Date.now();
  try {
    const res = await fetch(url, {
      method,
      headers: body === undefined ? headers : { 'Content-Type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* keep text */
    }
    return { status: res.status, body: parsed, durationMs: Date.now() - started };
  } catch (e) {
    const err = e as Error;
    return {
      status: null,
      body: undefined,
      error: err.name === 'TimeoutError' ? `timeout after ${timeoutMs} ms` : err.message,
      durationMs: Date.now() - started,
    };
  }
}

export class Dispatcher {
  readonly log: DeliveryRecord[] = [];
  private pending = new Set<Promise<unknown>>();
  /** Set when the simulator closes: retry loops give up instead of calling an app that is gone. */
  private stopped = false;

  constructor(
    private readonly ser: () => Serializer,
    private readonly config: () => SimConfig,
    private readonly solution: SolutionConfig,
  ) {}

  record(rec: DeliveryRecord): DeliveryRecord {
    this.log.push(rec);
    if (this.log.length > MAX_LOG) this.log.splice(0, this.log.length - MAX_LOG);
    return rec;
  }

  track<T>(p: Promise<T>): Promise<T> {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
    return p;
  }

  /** Resolves once every outbound call started so far (and any started meanwhile) has finished. */
  async idle(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  /**
   * No further attempts, then waits for the calls in flight. Without it, closing the simulator waited
   * for every retry series: up to 60 scenario retries, each up to the app-call timeout.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.idle();
  }

  handle(ev: ChangeEvent): void {
    this.fireWebhooks(ev);
    this.fireScenarios(ev);
  }

  private fireWebhooks(ev: ChangeEvent): void {
    const ser = this.ser();
    const hooks = ev.account.webhooks.filter((w) => w.entityType === ev.entityType && w.action === ev.action);
    for (const wh of hooks) {
      if (!wh.enabled || wh.suspended) continue;
      if (ev.ctx.disableByPrefix.some((p) => p && wh.url.startsWith(p))) continue;
      const event: Record<string, unknown> = {
        meta: { type: ev.entityType, href: `${ser.api}/entity/${ev.entityType}/${ev.entityId}` },
        action: ev.action,
        accountId: ev.account.id,
      };
      if (ev.action === 'UPDATE' && wh.diffType === 'FIELDS') event.updatedFields = ev.updatedFields;
      const body = {
        auditContext: {
          meta: { type: 'audit', href: ser.auditMeta(ev.auditContextId).href },
          moment: ev.moment.replace(/\.\d{3}$/, ''),
          uid: ev.ctx.uid,
        },
        events: [event],
      };
      this.deliverWebhook(ev.account, wh, body);
    }
  }

  deliverWebhook(account: AccountRec, wh: WebhookRec, body: unknown): DeliveryRecord {
    const requestId = randomUUID();
    const url = `${wh.url}${wh.url.includes('?') ? '&' : '?'}requestId=${requestId}`;
    const rec = this.record({
      id: randomUUID(),
      kind: 'webhook',
      requestId,
      accountId: account.id,
      method: 'POST',
      url,
      webhookId: wh.id,
      body,
      attempts: [],
      outcome: 'pending',
      created: mskNow(),
    });
    const cfg = this.config();
    if (!cfg.webhooksEnabled) {
      rec.outcome = 'suppressed';
      return rec;
    }
    const run = async () => {
      for (let attempt = 0; attempt <= cfg.webhookRetries && !this.stopped; attempt++) {
        const r = await callHttp('POST', url, { 'User-Agent': WEBHOOK_USER_AGENT }, body, cfg.webhookTimeoutMs);
        rec.attempts.push({ at: mskNow(), status: r.status ?? undefined, error: r.error, durationMs: r.durationMs });
        if (r.status === 200 || r.status === 204) {
          rec.outcome = 'delivered';
          return;
        }
      }
      rec.outcome = 'dropped';
    };
    this.track(run());
    return rec;
  }

  private fireScenarios(ev: ChangeEvent): void {
    if (ev.action !== 'UPDATE' || !ev.stateAfter || ev.stateAfter === ev.stateBefore) return;
    const inst = ev.account.installation.status;
    if (!['Activated', 'SettingsRequired', 'Activating'].includes(inst)) return;
    const state = ev.account.states.find((s) => s.id === ev.stateAfter);
    for (const sc of ev.account.scenarios) {
      if (sc.entityType !== ev.entityType) continue;
      if (sc.stateId ? sc.stateId !== ev.stateAfter : sc.stateName !== state?.name) continue;
      this.callScenario(ev.account, {
        actionName: sc.actionName,
        actionType: 'CHANGE_STATUS',
        objectId: ev.entityId,
        objectType: ev.entityType,
      });
    }
  }

  callScenario(account: AccountRec, body: Record<string, unknown>): DeliveryRecord {
    const requestId = randomUUID();
    const url = `${this.solution.appBaseUrl.replace(/\/$/, '')}/api/moysklad/vendor/1.0/apps/${this.solution.appId}/${account.id}/scenario`;
    const rec = this.record({
      id: randomUUID(),
      kind: 'scenario',
      requestId,
      accountId: account.id,
      method: 'POST',
      url,
      body,
      attempts: [],
      outcome: 'pending',
      created: mskNow(),
    });
    const run = async () => {
      const cfg = this.config();
      for (let attempt = 0; attempt <= cfg.scenarioRetry.retries && !this.stopped; attempt++) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, cfg.scenarioRetry.delayMs));
        if (this.stopped) break;
        // A fresh single-use token per attempt; the request id stays the same across retries.
        const jwt = await signMoyskladJwt(this.solution.secretKey);
        const r = await callHttp(
          'POST',
          url,
          { Authorization: `Bearer ${jwt}`, X_Lognex_RequestId: requestId },
          body,
          cfg.appCallTimeoutMs,
        );
        rec.attempts.push({ at: mskNow(), status: r.status ?? undefined, error: r.error, durationMs: r.durationMs });
        if (r.status !== null && r.status >= 200 && r.status < 300) {
          rec.outcome = 'delivered';
          rec.response = { status: r.status, body: r.body };
          return;
        }
      }
      rec.outcome = 'dropped';
    };
    this.track(run());
    return rec;
  }
}

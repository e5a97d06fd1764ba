/**
 * Installation lifecycle of the solution on an account, as MoySklad drives it (VDOC §6.2/6.3):
 * install/resume issue a JSON API token (it already works when the app's PUT arrives) and call
 * `PUT {appBaseUrl}/api/moysklad/vendor/1.0/apps/{appId}/{accountId}`; tariff change calls the same
 * PUT without `access`; suspend/uninstall revoke the token first, then call DELETE. The app's answer
 * becomes the installation status (4xx or 551 → *Failed; other 5xx/timeouts → retried, here briefly).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { callHttp, type Dispatcher } from './dispatcher';
import { signMoyskladJwt } from './jwt';
import type { SimStore } from './store';
import { mskNow, rfc3339Msk } from './time';
import type { AccountRec, InstallStatus, SimConfig, SolutionConfig } from './types';

export type LifecycleAction = 'install' | 'tariff' | 'suspend' | 'resume' | 'uninstall';

export interface LifecycleResult {
  appStatus: InstallStatus;
  httpStatus: number | null;
  body: unknown;
  error?: string;
}

const ACTIVE: InstallStatus[] = ['Activating', 'SettingsRequired', 'Activated'];
const ANSWER_STATUSES: InstallStatus[] = ['Activating', 'SettingsRequired', 'Activated'];

export class LifecycleError extends Error {
  constructor(message: string) {
    super(message);
  }
}

export class Lifecycle {
  constructor(
    private readonly store: SimStore,
    private readonly dispatcher: Dispatcher,
    private readonly solution: SolutionConfig,
    private readonly config: () => SimConfig,
    private readonly apiUrl: () => string,
  ) {}

  private appUrl(account: AccountRec): string {
    return `${this.solution.appBaseUrl.replace(/\/$/, '')}/api/moysklad/vendor/1.0/apps/${this.solution.appId}/${account.id}`;
  }

  private issueToken(account: AccountRec): string {
    this.revokeToken(account);
    // Same shape as MoySklad's tokens: 40 hex characters.
    const token = randomBytes(20).toString('hex');
    this.store.state.tokens[token] = { accountId: account.id, appId: this.solution.appId, issued: mskNow() };
    account.installation.token = token;
    return token;
  }

  private revokeToken(account: AccountRec): void {
    const t = account.installation.token;
    if (t) delete this.store.state.tokens[t];
    account.installation.token = undefined;
  }

  private subscription(account: AccountRec): Record<string, unknown> {
    const t = account.installation.tariff;
    if (!t.expiryMoment) t.expiryMoment = rfc3339Msk(Date.now() + 14 * 86400_000);
    return {
      tariffId: t.tariffId,
      trial: t.trial,
      tariffName: t.tariffName,
      expiryMoment: t.expiryMoment,
      notForResale: false,
      partner: false,
    };
  }

  /** One call to the app with MoySklad's retry rule; 5xx (except 551) and network errors are retried. */
  private async call(account: AccountRec, method: 'PUT' | 'DELETE', body: unknown, action: string) {
    const requestId = randomUUID();
    const url = this.appUrl(account);
    const rec = this.dispatcher.record({
      id: randomUUID(),
      kind: 'lifecycle',
      requestId,
      accountId: account.id,
      method,
      url,
      body,
      attempts: [],
      outcome: 'pending',
      created: mskNow(),
    });
    const cfg = this.config();
    let last: Awaited<ReturnType<typeof callHttp>> = {
      status: null,
      body: undefined,
      error: 'not called',
      durationMs: 0,
    };
    for (let attempt = 0; attempt <= cfg.scenarioRetry.retries; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, cfg.scenarioRetry.delayMs));
      const jwt = await signMoyskladJwt(this.solution.secretKey);
      last = await callHttp(method, url, { Authorization: `Bearer ${jwt}`, X_Lognex_RequestId: requestId }, body, cfg.appCallTimeoutMs);
      rec.attempts.push({
        at: mskNow(),
        status: last.status ?? undefined,
        error: last.error,
        durationMs: last.durationMs,
      });
      const retryable = last.status === null || (last.status >= 500 && last.status !== 551);
      if (!retryable) break;
    }
    rec.response = { status: last.status ?? 0, body: last.body };
    rec.outcome = last.status !== null && last.status < 300 ? 'delivered' : 'failed';
    account.installation.history.push({
      at: mskNow(),
      action,
      httpStatus: last.status,
      body: last.body,
      status: account.installation.status,
    });
    return last;
  }

  private finish(
    account: AccountRec,
    status: InstallStatus,
    cause: string | undefined,
    r: { status: number | null; body: unknown; error?: string },
  ): LifecycleResult {
    account.installation.status = status;
    account.installation.cause = cause;
    const h = account.installation.history[account.installation.history.length - 1];
    if (h) h.status = status;
    this.store.changed();
    return { appStatus: status, httpStatus: r.status, body: r.body, ...(r.error ? { error: r.error } : {}) };
  }

  private async activate(account: AccountRec, cause: 'Install' | 'Resume' | 'TariffChanged'): Promise<LifecycleResult> {
    const body: Record<string, unknown> = { appUid: this.solution.appUid, accountName: account.name, cause };
    if (cause !== 'TariffChanged') {
      const token = this.issueToken(account);
      body.access = [{ resource: this.apiUrl(), scope: ['admin'], access_token: token }];
      account.installation.status = 'Activating';
      account.installation.cause = cause;
    }
    body.subscription = this.subscription(account);
    const r = await this.call(account, 'PUT', body, cause);
    const answered = (r.body as { status?: string } | undefined)?.status as InstallStatus | undefined;
    if (r.status !== null && r.status >= 200 && r.status < 300) {
      const next = answered && ANSWER_STATUSES.includes(answered) ? answered : account.installation.status;
      return this.finish(account, next, next === 'Activated' || next === 'SettingsRequired' ? undefined : cause, r);
    }
    if (cause === 'TariffChanged') return this.finish(account, account.installation.status, account.installation.cause, r);
    // 4xx, 551, or retries exhausted: activation failed and the token is deleted.
    this.revokeToken(account);
    return this.finish(account, 'ActivationFailed', cause, r);
  }

  private async deactivate(account: AccountRec, cause: 'Suspend' | 'Uninstall'): Promise<LifecycleResult> {
    // The token is revoked before the DELETE is sent.
    this.revokeToken(account);
    const mine = (w: { authorAppId?: string }) => w.authorAppId === this.solution.appId;
    if (cause === 'Suspend') account.webhooks.filter(mine).forEach((w) => (w.suspended = true));
    else account.webhooks = account.webhooks.filter((w) => !mine(w));
    account.installation.status = 'Deactivating';
    account.installation.cause = cause;
    const r = await this.call(account, 'DELETE', { appUid: this.solution.appUid, accountName: account.name, cause }, cause);
    if (r.status !== null && r.status >= 200 && r.status < 300) {
      return this.finish(account, cause === 'Suspend' ? 'Suspended' : 'Uninstalled', cause, r);
    }
    return this.finish(account, 'DeactivationFailed', cause, r);
  }

  async run(account: AccountRec, action: LifecycleAction): Promise<LifecycleResult> {
    const st = account.installation.status;
    switch (action) {
      case 'install':
        if (!['NotInstalled', 'Uninstalled', 'ActivationFailed'].includes(st)) throw new LifecycleError(`cannot install: status is ${st}`);
        account.installation.history = account.installation.history ?? [];
        return this.activate(account, 'Install');
      case 'tariff':
        if (!ACTIVE.includes(st)) throw new LifecycleError(`cannot change tariff: status is ${st}`);
        account.installation.tariff.tariffName = account.installation.tariff.tariffName === 'Базовый' ? 'Профессиональный' : 'Базовый';
        account.installation.tariff.tariffId = randomUUID();
        account.installation.tariff.trial = false;
        return this.activate(account, 'TariffChanged');
      case 'suspend':
        if (!ACTIVE.includes(st)) throw new LifecycleError(`cannot suspend: status is ${st}`);
        return this.deactivate(account, 'Suspend');
      case 'resume': {
        if (st !== 'Suspended') throw new LifecycleError(`cannot resume: status is ${st}`);
        const res = await this.activate(account, 'Resume');
        if (ACTIVE.includes(res.appStatus)) account.webhooks.forEach((w) => (w.suspended = false));
        this.store.changed();
        return res;
      }
      case 'uninstall':
        if (['NotInstalled', 'Uninstalled'].includes(st)) throw new LifecycleError(`cannot uninstall: status is ${st}`);
        return this.deactivate(account, 'Uninstall');
    }
  }
}

/**
 * Builds the per-account MoySklad and BetaPRO clients with the process-wide rate gate, so every call
 * the engine makes is paced per account / partner across all processes of the deployment.
 */
import { getConfig } from '@/lib/core/config';
import type { AxiosInstance, InternalAxiosRequestConfig } from 'axios';
import { AppError, toAppError } from '@/lib/core/errors';
import { fenceRemoteWrite, isClaimLost } from '@/lib/jobs/claim';
import { getDatabase } from '@/lib/db';
import { rateGateFor } from '@/lib/db/rate-gate';
import { createMoyskladClient, type MoyskladClient } from '@/lib/moysklad/json-api';
import { createBetaproClient, type BetaproClient } from '@/lib/betapro';
import { createVendorApiClient, type VendorApiClient } from '@/lib/moysklad/vendor-api';
import type { Account } from '@/lib/sync/account/accounts';

export async function moyskladClientFor(account: Account): Promise<MoyskladClient> {
  if (account.status !== 'active' || !account.token) {
    throw new AppError('CONFLICT', `account ${account.accountId} is ${account.status}`, {
      userMessage:
        account.status === 'suspended'
          ? 'Работа решения приостановлена: продлите подписку в МойСклад.'
          : 'Решение удалено из аккаунта МойСклад.',
    });
  }
  const config = getConfig();
  const client = createMoyskladClient({
    baseUrl: config.MOYSKLAD_API_URL,
    token: account.token,
    accountId: account.accountId,
    gate: rateGateFor(await getDatabase()),
    webhookDisablePrefix: config.APP_BASE_URL,
  });
  fenceWrites(client.http, (request) => (request.method ?? 'get').toLowerCase() !== 'get');
  return client;
}

export async function betaproClientFor(account: Account): Promise<BetaproClient> {
  const { betaproBaseUrl, betaproPartnerId, betaproPassword } = account.settings;
  if (!betaproBaseUrl || !betaproPartnerId || !betaproPassword) {
    throw new AppError('NOT_CONFIGURED', `account ${account.accountId} has no BetaPRO connection`, {
      userMessage: 'Не настроено подключение к БетаПРО: укажите адрес API, код партнёра и пароль в настройках решения.',
    });
  }
  const client = createBetaproClient({
    baseUrl: betaproBaseUrl,
    partnerId: betaproPartnerId,
    password: betaproPassword,
    accountId: account.accountId,
    allowPrivateHosts: getConfig().BETAPRO_ALLOW_PRIVATE_HOSTS,
    gate: rateGateFor(await getDatabase()),
  });
  fenceWrites(client.http, isBetaproWrite);
  return client;
}

/** FBox reads that are POSTs (a filter in the body): everything else but GET changes BetaPRO. */
const BETAPRO_READ_POSTS = /\/(goods\/list|goods\/stock|outdocs\/list|outdocs\/check)$/;

export function isBetaproWrite(request: InternalAxiosRequestConfig): boolean {
  const method = (request.method ?? 'get').toLowerCase();
  return method !== 'get' && !BETAPRO_READ_POSTS.test(request.url ?? '');
}

/**
 * Every write of a job is sent only while the job's claim is still held (lib/jobs/claim.ts): a worker
 * that lost its lease to another cannot repeat an effect the new owner is doing. Checked right before
 * sending (after the rate gate's wait), on each retry too.
 */
export function fenceWrites(http: AxiosInstance, isWrite: (request: InternalAxiosRequestConfig) => boolean): void {
  http.interceptors.request.use(async (request) => {
    if (!isWrite(request)) return request;
    try {
      await fenceRemoteWrite();
    } catch (error) {
      if (isClaimLost(error)) throw error;
      // The database could not confirm the claim: not sent; the job retries later.
      throw new AppError('INTERNAL', `claim check before a remote write failed: ${toAppError(error).message}`, {
        retryable: true,
        cause: error,
      });
    }
    return request;
  });
}

/** The solution's own Vendor API client (context exchange, status reports). */
export function vendorApiClient(): VendorApiClient {
  const config = getConfig();
  return createVendorApiClient({
    baseUrl: config.MOYSKLAD_VENDOR_API_URL,
    appId: config.MOYSKLAD_APP_ID,
    appUid: config.MOYSKLAD_APP_UID,
    secretKey: config.MOYSKLAD_SECRET_KEY,
  });
}

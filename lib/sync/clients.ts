/**
 * Builds the per-account MoySklad and BetaPRO clients with the process-wide rate gate, so every call
 * the engine makes is paced per account / partner across all processes of the deployment.
 */
import { getConfig } from '../core/config';
import { AppError } from '../core/errors';
import { getDatabase } from '../db';
import { rateGateFor } from '../db/rate-gate';
import { createMoyskladClient, type MoyskladClient } from '../moysklad/json-api';
import { createBetaproClient, type BetaproClient } from '../betapro';
import { createVendorApiClient, type VendorApiClient } from '../moysklad/vendor-api';
import type { Account } from './accounts';

export async function moyskladClientFor(account: Account): Promise<MoyskladClient> {
  if (account.status !== 'active' || !account.token) {
    throw new AppError('CONFLICT', `account ${account.accountId} is ${account.status}`, {
      userMessage: account.status === 'suspended'
        ? 'Работа решения приостановлена: продлите подписку в МойСклад.'
        : 'Решение удалено из аккаунта МойСклад.',
    });
  }
  const config = getConfig();
  return createMoyskladClient({
    baseUrl: config.MOYSKLAD_API_URL,
    token: account.token,
    accountId: account.accountId,
    gate: rateGateFor(await getDatabase()),
    webhookDisablePrefix: config.APP_BASE_URL,
  });
}

export async function betaproClientFor(account: Account): Promise<BetaproClient> {
  const { betaproBaseUrl, betaproPartnerId, betaproPassword } = account.settings;
  if (!betaproBaseUrl || !betaproPartnerId || !betaproPassword) {
    throw new AppError('NOT_CONFIGURED', `account ${account.accountId} has no BetaPRO connection`, {
      userMessage: 'Не настроено подключение к БетаПРО: укажите адрес API, код партнёра и пароль в настройках решения.',
    });
  }
  return createBetaproClient({
    baseUrl: betaproBaseUrl,
    partnerId: betaproPartnerId,
    password: betaproPassword,
    accountId: account.accountId,
    allowPrivateHosts: getConfig().BETAPRO_ALLOW_PRIVATE_HOSTS,
    gate: rateGateFor(await getDatabase()),
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

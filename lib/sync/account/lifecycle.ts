/**
 * Vendor lifecycle (docs/product.md §7): activation (install, resume, tariff change), deactivation
 * (suspend, uninstall), legacy status, and reporting `Activated` once settings are complete.
 * Activation is idempotent: the same call three times leaves one installation and one set of webhooks.
 */
import type { PrismaClient } from '@/lib/db';
import { getConfig } from '@/lib/core/config';
import { encryptSecret } from '@/lib/core/crypto';
import { AppError, toAppError } from '@/lib/core/errors';
import { logFor } from '@/lib/core/logger';
import type { MsActivationBody, MsDeactivationBody, MsEventBody } from '@/lib/moysklad/schemas';
import { ensureWebhooks } from '@/lib/moysklad/webhooks';
import { enqueueAccountJob, installWebhooksJob } from '@/lib/sync/jobs';
import { loadAccount, isOperational } from '@/lib/sync/account/accounts';
import { moyskladClientFor, vendorApiClient } from '@/lib/sync/account/clients';
import { ensureAccountJobs } from '@/lib/sync/account/recurring-jobs';
import { forgetWebhookInstallation } from '@/lib/sync/account/webhook-installations';
import { enqueueResumeTransfers } from '@/lib/sync/transfer/resume-transfers';
import { newWebhookSecret } from '@/lib/sync/account/webhook-secrets';
import { forgetSessionAccount } from '@/lib/sync/widget/session-guard';

export type ActivationStatus = 'SettingsRequired' | 'Activated';

export function assertOurApp(appId: string): void {
  if (appId !== getConfig().MOYSKLAD_APP_ID) {
    throw new AppError('NOT_FOUND', `unknown appId ${appId}`, { userMessage: 'Неизвестное решение.' });
  }
}

export function webhookUrlFor(secret: string): string {
  return `${getConfig().APP_BASE_URL}/api/moysklad/webhooks/${secret}`;
}

/** Installs or repairs the account's webhooks; true when done, false when it had to be deferred. */
export async function installWebhooks(prisma: PrismaClient, accountId: string): Promise<boolean> {
  const account = await loadAccount(prisma, accountId);
  if (!account || !isOperational(account)) return false;
  const client = await moyskladClientFor(account);
  let secret = account.webhookSecret;
  if (!secret) {
    // Installed before the secret was kept sealed: only its hash is known, so the webhooks move to a new one.
    const fresh = newWebhookSecret();
    await prisma.installation.update({ where: { accountId }, data: fresh.columns });
    forgetWebhookInstallation(accountId);
    secret = fresh.secret;
  }
  await ensureWebhooks(client, webhookUrlFor(secret));
  await prisma.installation.update({ where: { accountId }, data: { webhooksInstalledAt: new Date() } });
  return true;
}

export async function activate(prisma: PrismaClient, accountId: string, body: MsActivationBody): Promise<ActivationStatus> {
  const log = logFor({ accountId, cause: body.cause });
  const access = body.access?.find((a) => a.access_token) ?? body.access?.[0];
  const token = access?.access_token;
  const key = getConfig().APP_ENCRYPTION_KEY;
  const tokenData = token
    ? {
        accessTokenEnc: encryptSecret(token, key),
        scope: access?.scope.includes('admin') ? 'admin' : 'custom',
        permissions: (access?.permissions ?? undefined) as never,
      }
    : {};
  const existing = await prisma.installation.findUnique({ where: { accountId } });
  // A tariff event without `access` keeps the token we have; with no installation at all it
  // creates a record without a token (MoySklad sends the token on Install/Resume).
  await prisma.installation.upsert({
    where: { accountId },
    create: {
      accountId,
      appId: getConfig().MOYSKLAD_APP_ID,
      accountName: body.accountName,
      status: 'active',
      ...newWebhookSecret().columns,
      lastCause: body.cause,
      tariff: (body.subscription ?? undefined) as never,
      settings: { create: {} },
      ...tokenData,
    },
    update: {
      accountName: body.accountName,
      status: token || existing?.accessTokenEnc ? 'active' : (existing?.status ?? 'active'),
      lastCause: body.cause,
      // A reinstall gets a new webhook secret: whoever learnt the old URL loses it; the webhooks move below.
      ...(existing?.status === 'uninstalled' ? newWebhookSecret().columns : {}),
      ...(body.subscription ? { tariff: body.subscription as never } : {}),
      ...tokenData,
    },
  });
  await prisma.settings.upsert({ where: { accountId }, create: { accountId }, update: {} });
  forgetWebhookInstallation(accountId);
  forgetSessionAccount(accountId);
  const account = await loadAccount(prisma, accountId);
  if (account && isOperational(account)) {
    try {
      await installWebhooks(prisma, accountId);
    } catch (error) {
      // MoySklad waits 10 s for this answer: a slow or failing webhook install is finished by a job.
      log.warn({ err: toAppError(error).message }, 'webhook installation deferred to a job');
      await enqueueAccountJob(prisma, installWebhooksJob, { accountId }, { dedupeKey: `webhooks:${accountId}` });
    }
    await ensureAccountJobs(prisma, accountId);
    if (existing?.status === 'suspended') await enqueueResumeTransfers(prisma, accountId);
  }
  const status: ActivationStatus = account && account.missing.length === 0 ? 'Activated' : 'SettingsRequired';
  await prisma.installation.update({ where: { accountId }, data: { reportedStatus: status } });
  log.info({ status, hasToken: Boolean(token) }, 'activation handled');
  return status;
}

export async function deactivate(prisma: PrismaClient, accountId: string, body: MsDeactivationBody): Promise<'found' | 'absent'> {
  const existing = await prisma.installation.findUnique({ where: { accountId } });
  if (!existing) return 'absent';
  const uninstall = body.cause !== 'Suspend';
  // MoySklad revokes the token before calling us in both cases; settings stay for a reinstall.
  await prisma.installation.update({
    where: { accountId },
    data: {
      status: uninstall ? 'uninstalled' : 'suspended',
      lastCause: body.cause,
      accessTokenEnc: null,
      ...(uninstall ? { webhooksInstalledAt: null, reportedStatus: 'SettingsRequired' } : {}),
    },
  });
  forgetWebhookInstallation(accountId);
  forgetSessionAccount(accountId);
  logFor({ accountId, cause: body.cause }).info('deactivation handled');
  return 'found';
}

/** `PUT …/event`: new permissions after the user accepted a new version's access. */
export async function permissionsChanged(prisma: PrismaClient, accountId: string, body: MsEventBody): Promise<void> {
  const access = body.access?.[0];
  if (!access) return;
  await prisma.installation.updateMany({
    where: { accountId },
    data: {
      scope: access.scope.includes('admin') ? 'admin' : 'custom',
      permissions: (access.permissions ?? {}) as never,
    },
  });
}

/** After settings became complete: tell MoySklad (only if we answered SettingsRequired before). */
export async function reportActivatedIfComplete(prisma: PrismaClient, accountId: string): Promise<boolean> {
  const account = await loadAccount(prisma, accountId);
  if (!account || account.missing.length || account.reportedStatus === 'Activated' || account.status !== 'active') return false;
  const vendor = vendorApiClient();
  await vendor.reportStatus(accountId, 'Activated');
  await prisma.installation.update({ where: { accountId }, data: { reportedStatus: 'Activated' } });
  logFor({ accountId }).info('reported Activated to MoySklad');
  return true;
}

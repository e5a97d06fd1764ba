/**
 * The settings page's backend (docs/product.md §6): read the account's settings with options loaded from
 * MoySklad (stores, statuses) and health; save (admins only) with validation; test the BetaPRO
 * connection; create statuses; reinstall webhooks. Saving a complete configuration reports
 * `Activated` to MoySklad.
 */
import type { PrismaClient } from '@/lib/db';
import { getConfig } from '@/lib/core/config';
import { encryptSecret } from '@/lib/core/crypto';
import { AppError, toAppError } from '@/lib/core/errors';
import { logFor } from '@/lib/core/logger';
import type { DocumentEntity } from '@/lib/core/domain';
import type { CreateStatusesResponse, SettingsInput, SettingsResponse, TestConnectionResponse } from '@/lib/core/views';
import { createBetaproClient } from '@/lib/betapro';
import { REMOTE_AUTH_MESSAGE } from '@/lib/betapro/errors';
import { assertRemoteBaseUrl, assertResolvesPublic, isAddressRefused } from '@/lib/core/remote-address';
import { ensureStatuses, OPTIONAL_STATUS_ROLES, STATUS_ROLES } from '@/lib/moysklad/statuses';
import { listEmployees } from '@/lib/moysklad/tasks';
import { getDatabase } from '@/lib/db';
import { rateGateFor } from '@/lib/db/rate-gate';
import { latestRuns } from '@/lib/sync/stock/runs';
import { coversAll, type Session } from '@/lib/sync/rights';
import { loadAccountOrThrow, missingSettings, settingsFromRow, type Account } from '@/lib/sync/account/accounts';
import { moyskladClientFor } from '@/lib/sync/account/clients';
import { eventTextParts } from '@/lib/sync/widget/document-view';
import { installWebhooks, reportActivatedIfComplete } from '@/lib/sync/account/lifecycle';
import { ensureAccountJobs } from '@/lib/sync/account/recurring-jobs';
import { pollJob } from '@/lib/sync/jobs';

const SCENARIO_HELP = {
  actionTitle: 'Передать в БетаПРО',
  steps: [
    'В МойСклад откройте Настройки → Сценарии и создайте сценарий для каждого включённого типа документов (приёмки, перемещения, возвраты поставщикам).',
    'Условие: «Статус изменился» на «Передать».',
    'Действие: «Передать в БетаПРО» (действие этого решения).',
    'Сохраните сценарий. Теперь смена статуса на «Передать» надёжно передаёт документ: МойСклад повторяет вызов до суток.',
  ],
};

/** The stores and statuses the page offers; an unreachable MoySklad leaves them empty, the page still opens. */
async function loadMoyskladOptions(account: Account, session: Session): Promise<Pick<SettingsResponse, 'stores' | 'states' | 'employees'>> {
  let stores: SettingsResponse['stores'] = [];
  let employees: SettingsResponse['employees'] = [];
  const states: SettingsResponse['states'] = { supply: [], move: [], purchasereturn: [] };
  if (account.status === 'active' && account.token) {
    try {
      const client = await moyskladClientFor(account);
      const [storeRows, supplyMeta, moveMeta, returnMeta, employeeRows] = await Promise.all([
        client.listStores(),
        client.getEntityMetadata('supply'),
        client.getEntityMetadata('move'),
        client.getEntityMetadata('purchasereturn'),
        // Only the task picker needs them: a refusal must not empty the stores and statuses.
        listEmployees(client).catch(() => []),
      ]);
      stores = storeRows.map((st) => ({ id: st.id, name: st.name }));
      employees = employeeRows.map((e) => ({ id: e.id, name: e.name }));
      states.supply = supplyMeta.states.map((st) => ({ id: st.id, name: st.name, color: st.color }));
      states.move = moveMeta.states.map((st) => ({ id: st.id, name: st.name, color: st.color }));
      states.purchasereturn = returnMeta.states.map((st) => ({ id: st.id, name: st.name, color: st.color }));
    } catch (error) {
      logFor({ accountId: session.accountId }).warn({ err: toAppError(error).message }, 'settings: could not load options from MoySklad');
    }
  }
  return { stores, states, employees };
}

// eslint-disable-next-line max-lines-per-function -- assembles the one settings answer field by field; the MoySklad part is loadMoyskladOptions
export async function readSettings(prisma: PrismaClient, session: Session): Promise<SettingsResponse> {
  const account = await loadAccountOrThrow(prisma, session.accountId);
  const s = account.settings;
  const { stores, states, employees } = await loadMoyskladOptions(account, session);
  const [byState, recentErrors, deadJobs, installation, lastPoll] = await Promise.all([
    prisma.syncDocument.groupBy({ by: ['state'], where: { accountId: session.accountId }, _count: { _all: true } }),
    prisma.syncEvent.findMany({
      where: {
        accountId: session.accountId,
        kind: { in: ['failed', 'receipt_blocked', 'non_arrival', 'cancel_failed', 'posting_refused'] },
      },
      orderBy: { id: 'desc' },
      take: 10,
      include: { document: { select: { name: true, entity: true } } },
    }),
    prisma.job.count({ where: { accountId: session.accountId, state: 'dead' } }),
    prisma.installation.findUniqueOrThrow({ where: { accountId: session.accountId } }),
    prisma.job.findFirst({
      where: { accountId: session.accountId, kind: pollJob.kind },
      orderBy: { updatedAt: 'desc' },
    }),
  ]);
  return {
    canEdit: session.isAdmin,
    settings: {
      betaproBaseUrl: s.betaproBaseUrl ?? undefined,
      betaproPartnerId: s.betaproPartnerId ?? undefined,
      storeIds: s.storeIds,
      enabledEntities: s.enabledEntities,
      statuses: s.statuses,
      productKey: s.productKey,
      partialPolicy: s.partialPolicy,
      defectivePolicy: s.defectivePolicy,
      postingMode: s.postingMode,
      pollIntervalSec: s.pollIntervalSec,
      discrepancyTasks: s.discrepancyTasks,
      taskAssigneeId: s.taskAssigneeId,
      hasPassword: s.hasPassword,
      complete: account.missing.length === 0,
      missing: account.missing,
    },
    stores,
    states,
    canCreateStatuses: session.isAdmin && installation.scope === 'admin',
    employees,
    canCreateTasks: installation.scope === 'admin',
    health: {
      installationStatus: installation.status,
      reportedStatus: installation.reportedStatus,
      webhooksInstalled: Boolean(installation.webhooksInstalledAt),
      // The recurring poll job is rescheduled in place after each run: its last update is the last poll.
      lastPollAt: account.settings.hasPassword ? (lastPoll?.updatedAt.toISOString() ?? null) : null,
      pollError:
        installation.pollError && installation.pollFailedAt
          ? {
              message: installation.pollError,
              at: installation.pollFailedAt.toISOString(),
              failures: installation.pollFailures,
            }
          : null,
      documentsByState: Object.fromEntries(byState.map((row) => [row.state, row._count._all])),
      recentErrors: recentErrors.map((e) => visibleError(session, e)),
      deadJobs,
      stockCheck: await stockCheckSummary(prisma, session.accountId),
    },
    scenarioHelp: SCENARIO_HELP,
  };
}

/** The daily (or latest) stock reconciliation's summary for the health panel. */
async function stockCheckSummary(prisma: PrismaClient, accountId: string) {
  const { finished } = await latestRuns(prisma, accountId);
  if (!finished) return null;
  return {
    at: (finished.finishedAt ?? finished.createdAt).toISOString(),
    state: finished.state === 'failed' ? ('failed' as const) : ('done' as const),
    differences: finished.differences,
    goods: finished.goods,
  };
}

/**
 * An error names the document and often its products: shown in full only to those whose view right
 * covers every document of that type (a narrower scope would need a MoySklad read per row).
 */
function visibleError(
  session: Session,
  e: {
    createdAt: Date;
    kind: string;
    message: string;
    data: unknown;
    document: { name: string | null; entity: string };
  },
) {
  const entity = e.document.entity === 'move' || e.document.entity === 'purchasereturn' ? e.document.entity : 'supply';
  if (coversAll(session, entity, 'view')) {
    return {
      at: e.createdAt.toISOString(),
      documentName: e.document.name,
      message: e.message,
      kind: e.kind,
      ...eventTextParts(e.data),
    };
  }
  return {
    at: e.createdAt.toISOString(),
    documentName: null,
    kind: e.kind,
    params: { hidden: true },
    message:
      session.locale === 'en'
        ? 'Transfer error in a document you may not view in MoySklad.'
        : 'Ошибка передачи документа, который вам недоступен для просмотра в МойСклад.',
  };
}

// eslint-disable-next-line max-lines-per-function -- validates and stores one form; the checks are one list that reads best in order
export async function saveSettings(prisma: PrismaClient, session: Session, input: SettingsInput): Promise<void> {
  const key = getConfig().APP_ENCRYPTION_KEY;
  const existing = await prisma.settings.findUnique({ where: { accountId: session.accountId } });
  const typed = Boolean(input.betaproPassword?.trim());
  if (
    !typed &&
    existing?.betaproPasswordEnc &&
    normalisedBaseUrl(existing.betaproBaseUrl ?? '') !== normalisedBaseUrl(input.betaproBaseUrl)
  ) {
    // The stored password goes only to the address it was saved with.
    throw new AppError('VALIDATION', 'address changed without a password', {
      userMessage: 'Адрес API изменён: введите пароль БетаПРО ещё раз.',
      details: { fieldErrors: { betaproPassword: ['Введите пароль для нового адреса API'] } },
    });
  }
  const password = typed ? encryptSecret(input.betaproPassword!, key) : (existing?.betaproPasswordEnc ?? null);
  if (!password) {
    throw new AppError('VALIDATION', 'password missing', {
      userMessage: 'Укажите пароль БетаПРО.',
      details: { fieldErrors: { betaproPassword: ['Укажите пароль, выданный менеджером БетаПРО'] } },
    });
  }
  const fieldErrors: Record<string, string[]> = {};
  try {
    const policy = { allowPrivateHosts: getConfig().BETAPRO_ALLOW_PRIVATE_HOSTS };
    await assertResolvesPublic(assertRemoteBaseUrl(input.betaproBaseUrl, policy), policy);
  } catch (error) {
    throw new AppError('VALIDATION', 'BetaPRO address refused', {
      userMessage: toAppError(error).userMessage,
      details: { fieldErrors: { betaproBaseUrl: [toAppError(error).userMessage] } },
    });
  }
  for (const entity of input.enabledEntities) {
    // The required roles only: «Расхождения» (review) may stay unset.
    for (const role of STATUS_ROLES) {
      if (!input.statuses[entity]?.[role]) (fieldErrors[`statuses.${entity}.${role}`] ??= []).push('Выберите статус');
    }
  }
  if (Object.keys(fieldErrors).length) {
    throw new AppError('VALIDATION', 'statuses missing', {
      userMessage: 'Выберите все статусы для включённых типов документов.',
      details: { fieldErrors },
    });
  }
  const data = {
    betaproBaseUrl: input.betaproBaseUrl.replace(/\/+$/, ''),
    betaproPartnerId: input.betaproPartnerId,
    betaproPasswordEnc: password,
    storeIds: input.storeIds,
    enabledEntities: input.enabledEntities,
    statuses: input.statuses,
    productKey: input.productKey,
    partialPolicy: input.partialPolicy,
    defectivePolicy: input.defectivePolicy,
    postingMode: input.postingMode,
    pollIntervalSec: input.pollIntervalSec,
    ...(input.discrepancyTasks !== undefined ? { discrepancyTasks: input.discrepancyTasks } : {}),
    ...(input.taskAssigneeId !== undefined ? { taskAssigneeId: input.taskAssigneeId } : {}),
    updatedBy: session.employeeName,
  };
  await prisma.settings.upsert({
    where: { accountId: session.accountId },
    create: { accountId: session.accountId, ...data },
    update: data,
  });
  const row = await prisma.settings.findUniqueOrThrow({ where: { accountId: session.accountId } });
  if (missingSettings(settingsFromRow(row, key)).length === 0) {
    await ensureAccountJobs(prisma, session.accountId);
    try {
      await reportActivatedIfComplete(prisma, session.accountId);
    } catch (error) {
      // Saved anyway; the next save or a restart reports again. Say so in the log for operators.
      logFor({ accountId: session.accountId }).warn({ err: toAppError(error).message }, 'could not report Activated to MoySklad');
    }
  }
}

/** The address as compared and stored: no trailing slash. */
function normalisedBaseUrl(url: string): string {
  return url.trim().replace(/\/+$/, '');
}

export async function testConnection(
  prisma: PrismaClient,
  session: Session,
  input: { betaproBaseUrl: string; betaproPartnerId: string; betaproPassword?: string },
): Promise<TestConnectionResponse> {
  const baseUrl = normalisedBaseUrl(input.betaproBaseUrl);
  const allowPrivateHosts = getConfig().BETAPRO_ALLOW_PRIVATE_HOSTS;
  try {
    assertRemoteBaseUrl(baseUrl, { allowPrivateHosts });
  } catch (error) {
    return { ok: false, message: toAppError(error).userMessage };
  }
  let password = input.betaproPassword?.trim() ? input.betaproPassword : undefined;
  if (!password) {
    const account = await loadAccountOrThrow(prisma, session.accountId);
    const saved = account.settings.betaproBaseUrl;
    if (account.settings.betaproPassword && (!saved || normalisedBaseUrl(saved) !== baseUrl)) {
      // The stored password goes only to the address it was saved with.
      return { ok: false, message: 'Адрес API отличается от сохранённого: введите пароль БетаПРО ещё раз.' };
    }
    password = account.settings.betaproPassword ?? undefined;
  }
  if (!password) return { ok: false, message: 'Укажите пароль БетаПРО.' };
  const client = createBetaproClient({
    baseUrl,
    partnerId: input.betaproPartnerId,
    password,
    accountId: session.accountId,
    allowPrivateHosts,
    gate: rateGateFor(await getDatabase()),
    maxRetries: 1,
    timeoutMs: 10_000,
    responseLimits: { deadlineMs: 20_000 },
  });
  try {
    const settings = await client.getSettings();
    return { ok: true, rateLimits: settings.rateLimits as never };
  } catch (error) {
    return { ok: false, message: connectionTestMessage(toAppError(error)) };
  }
}

/**
 * What failed, in our own words: the remote's text is never shown, so the test cannot be used to read
 * what an arbitrary server answers.
 */
export function connectionTestMessage(error: AppError): string {
  const status = (error.details as { httpStatus?: number } | undefined)?.httpStatus;
  const transport = (error.details as { transport?: string } | undefined)?.transport;
  if (isAddressRefused(error)) return error.userMessage;
  if (error.code === 'REMOTE_AUTH') return REMOTE_AUTH_MESSAGE;
  if (error.code === 'REMOTE_TIMEOUT') return 'БетаПРО не ответил вовремя. Проверьте адрес API и повторите проверку.';
  if (transport === 'RESPONSE_TOO_LARGE')
    return 'Сервер по этому адресу прислал слишком большой ответ: это не API БетаПРО. Проверьте адрес.';
  if (error.code === 'REMOTE_UNAVAILABLE' && !status) return 'Не удалось связаться с сервером по этому адресу. Проверьте адрес API.';
  if (error.code === 'RATE_LIMITED') return 'БетаПРО временно ограничил частоту запросов. Повторите проверку через минуту.';
  if (error.code === 'NOT_FOUND') return 'По этому адресу нет API БетаПРО (ответ 404). Проверьте адрес.';
  return status
    ? `Сервер по этому адресу ответил не как API БетаПРО (HTTP ${status}). Проверьте адрес API.`
    : 'Сервер по этому адресу ответил не как API БетаПРО. Проверьте адрес API.';
}

export async function createStatuses(prisma: PrismaClient, session: Session, entity: DocumentEntity): Promise<CreateStatusesResponse> {
  const account = await loadAccountOrThrow(prisma, session.accountId);
  const client = await moyskladClientFor(account);
  const result = await ensureStatuses(client, entity);
  if (result.permissionDenied || result.missing.length) {
    throw new AppError('FORBIDDEN', 'cannot create statuses', { userMessage: result.message });
  }
  // Pre-select the created/found statuses for this entity if the admin has not chosen any yet.
  const row = await prisma.settings.findUniqueOrThrow({ where: { accountId: session.accountId } });
  const statuses = (row.statuses ?? {}) as Record<string, Record<string, string | null>>;
  const current = statuses[entity] ?? {};
  statuses[entity] = {
    transfer: current.transfer ?? result.states.transfer?.id ?? null,
    sent: current.sent ?? result.states.sent?.id ?? null,
    error: current.error ?? result.states.error?.id ?? null,
    posted: current.posted ?? result.states.posted?.id ?? null,
    review: current.review ?? result.states.review?.id ?? null,
  };
  await prisma.settings.update({ where: { accountId: session.accountId }, data: { statuses } });
  const [supplyMeta, moveMeta, returnMeta] = await Promise.all(
    (['supply', 'move', 'purchasereturn'] as const).map((e) => client.getEntityMetadata(e)),
  );
  const options = (meta: typeof supplyMeta) => meta.states.map((st) => ({ id: st.id, name: st.name, color: st.color }));
  return {
    supply: options(supplyMeta),
    move: options(moveMeta),
    purchasereturn: options(returnMeta),
    // The page says which it made and which were there already (found by name).
    created: result.created,
    existing: [...STATUS_ROLES, ...OPTIONAL_STATUS_ROLES].filter((role) => result.states[role] && !result.created.includes(role)),
  };
}

export async function reinstallWebhooks(prisma: PrismaClient, session: Session): Promise<void> {
  const done = await installWebhooks(prisma, session.accountId);
  if (!done)
    throw new AppError('CONFLICT', 'account not operational', {
      userMessage: 'Решение приостановлено или удалено: вебхуки не установить.',
    });
}

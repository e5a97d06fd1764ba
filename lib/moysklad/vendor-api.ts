/**
 * Calls we make to MoySklad's Vendor API (`https://apps-api.moysklad.ru/api/vendor/1.0`): exchanging a
 * page's `contextKey` for the employee behind it, and reporting/reading the installation status.
 * Each call is signed with a fresh single-use JWT (HS256, sub = appUid, lifetime capped at 300 s by
 * MoySklad) and carries `Accept-Encoding: gzip` (415 without it).
 */
import { randomBytes } from 'node:crypto';
import axios, { type AxiosInstance, type Method } from 'axios';
import { SignJWT } from 'jose';
import { z } from 'zod';
import { AppError } from '@/lib/core/errors';
import { logFor, type Logger } from '@/lib/core/logger';
import { limitedRequest, type ResponseLimits } from '@/lib/core/transport-errors';
import { defaultSleep } from '@/lib/core/remote/options';
import { withRetries } from '@/lib/core/remote/retry';
import { parseAnswer, sendOnce } from '@/lib/core/remote/errors';
import { mapMoyskladError, MOYSKLAD_NAMES, unexpectedMsResponse } from '@/lib/moysklad/errors';
import { DEFAULT_MS_RETRY_POLICY, msRetryDelayMs, type MsRetryPolicy } from '@/lib/moysklad/retry';
import {
  msEmployeeContextSchema,
  msInstallationStatusSchema,
  type MsButtonNotification,
  type MsEmployeeContext,
  type MsInstallationStatus,
} from '@/lib/moysklad/schemas';

/** MoySklad caps a vendor token at iat + 300 s; we ask for less so clock drift cannot push it over. */
export const VENDOR_JWT_LIFETIME_SEC = 120;
export const VENDOR_JWT_MAX_LIFETIME_SEC = 300;

export interface SignVendorApiJwtOptions {
  appUid: string;
  secretKey: string;
  lifetimeSec?: number;
  now?: () => Date;
}

/** A single-use token for one Vendor API call. */
export async function signVendorApiJwt(options: SignVendorApiJwtOptions): Promise<string> {
  const iat = Math.floor((options.now?.() ?? new Date()).getTime() / 1000);
  const lifetime = Math.min(options.lifetimeSec ?? VENDOR_JWT_LIFETIME_SEC, VENDOR_JWT_MAX_LIFETIME_SEC);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(options.appUid)
    .setIssuedAt(iat)
    .setExpirationTime(iat + lifetime)
    .setJti(randomBytes(24).toString('hex'))
    .sign(new TextEncoder().encode(options.secretKey));
}

export type ReportedStatus = 'Activating' | 'SettingsRequired' | 'Activated';

export interface VendorApiClientOptions {
  /** e.g. https://apps-api.moysklad.ru/api/vendor/1.0 */
  baseUrl: string;
  appId: string;
  appUid: string;
  secretKey: string;
  timeoutMs?: number;
  /** Caps on one answer (default DEFAULT_VENDOR_API_LIMITS). */
  responseLimits?: Partial<ResponseLimits>;
  log?: Logger;
  retry?: Partial<MsRetryPolicy>;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export interface VendorApiClient {
  readonly http: AxiosInstance;
  /** The employee who opened a page; UNAUTHORIZED when the key expired or is not ours. */
  exchangeContext(contextKey: string): Promise<MsEmployeeContext>;
  /** Only after we answered Activating / SettingsRequired to the activation. */
  reportStatus(accountId: string, status: ReportedStatus): Promise<void>;
  getStatus(accountId: string): Promise<MsInstallationStatus>;
  /**
   * Ends an async button process with its notification. MoySklad answers 409 when the process was
   * completed before (a repeat after a crash: nothing to do), 410 after 24 hours, 404 when the solution
   * is no longer installed or the id is unknown; those three are outcomes here, not failures.
   */
  completeButton(asyncProcessId: string, notification: MsButtonNotification): Promise<ButtonCompletion>;
}

export type ButtonCompletion = 'completed' | 'already_completed' | 'expired' | 'not_found';

/** Vendor API answers are a few hundred bytes (context, status). */
export const DEFAULT_VENDOR_API_LIMITS: ResponseLimits = { maxResponseBytes: 1024 * 1024, deadlineMs: 30_000 };

export const CONTEXT_EXPIRED_MESSAGE = 'Ключ контекста истёк: откройте страницу заново';

/**
 * Longer than 60 lines on purpose: the transport (one signed attempt and its retry loop) followed by the
 * vendor API calls, each a few lines naming one operation, closed over the same transport.
 */
// eslint-disable-next-line max-lines-per-function -- the list of vendor API calls over one transport, see above
export function createVendorApiClient(options: VendorApiClientOptions): VendorApiClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const log = options.log ?? logFor({ component: 'moysklad-vendor-api' });
  const policy: MsRetryPolicy = { ...DEFAULT_MS_RETRY_POLICY, maxRetries: 2, ...options.retry };
  const sleep = options.sleep ?? defaultSleep;
  const limits: ResponseLimits = { ...DEFAULT_VENDOR_API_LIMITS, ...options.responseLimits };
  const http = axios.create({
    baseURL: baseUrl,
    timeout: options.timeoutMs ?? 15_000,
    headers: { Accept: 'application/json;charset=utf-8', 'Accept-Encoding': 'gzip' },
    decompress: true,
    validateStatus: () => true,
    maxRedirects: 0,
    transitional: { clarifyTimeoutError: true, silentJSONParsing: true, forcedJSONParsing: true },
  });

  async function call<S extends z.ZodType>(
    method: Method,
    path: string,
    operation: string,
    schema: S,
    body: unknown,
    onError: (failure: AppError) => AppError,
    idempotent: boolean,
  ): Promise<z.infer<S>> {
    const name = `Vendor API ${operation}`;
    const attempt = async (): Promise<z.infer<S>> => {
      // A fresh token per attempt: MoySklad treats each as single-use.
      const token = await signVendorApiJwt({ appUid: options.appUid, secretKey: options.secretKey });
      const response = await sendOnce(
        http,
        {
          method,
          url: path,
          data: body === undefined ? undefined : JSON.stringify(body),
          headers: {
            Authorization: `Bearer ${token}`,
            ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
          },
          ...limitedRequest(limits),
        },
        { remote: MOYSKLAD_NAMES, metric: 'moysklad-vendor', operation: name },
      );
      if (response.status >= 200 && response.status < 300) {
        return parseAnswer(schema, response.data === '' ? undefined : response.data, (problem) =>
          unexpectedMsResponse(name, response.status, problem.slice(0, 2000)),
        );
      }
      throw onError(
        mapMoyskladError({
          status: response.status,
          body: response.data,
          headers: response.headers as Record<string, unknown>,
          operation: name,
        }),
      );
    };
    return withRetries({
      remote: 'MoySklad vendor API',
      operation,
      log,
      sleep,
      attempt,
      delayMs: (failure, counts) => msRetryDelayMs(failure, counts, policy, { idempotent, random: options.random }),
    });
  }

  const appPath = (accountId: string) => `/apps/${encodeURIComponent(options.appId)}/${encodeURIComponent(accountId)}/status`;

  return {
    http,

    exchangeContext(contextKey) {
      if (!/^[A-Za-z0-9_-]{1,256}$/.test(contextKey)) {
        return Promise.reject(new AppError('UNAUTHORIZED', 'malformed contextKey', { userMessage: CONTEXT_EXPIRED_MESSAGE }));
      }
      return call(
        'POST',
        `/context/${contextKey}`,
        'POST /context/{contextKey}',
        msEmployeeContextSchema,
        undefined,
        (failure) => {
          const status = (failure.details as { httpStatus?: number } | undefined)?.httpStatus;
          // 404: unknown or expired key (valid 5 minutes); 403: a key issued to another solution.
          if (status === 404 || status === 403) {
            return new AppError('UNAUTHORIZED', `context exchange refused (HTTP ${status}): ${failure.message}`, {
              userMessage: CONTEXT_EXPIRED_MESSAGE,
              cause: failure,
            });
          }
          return failure;
        },
        true,
      );
    },

    async reportStatus(accountId, status) {
      await call(
        'PUT',
        appPath(accountId),
        'PUT /apps/{appId}/{accountId}/status',
        msInstallationStatusSchema.partial().optional(),
        { status },
        (failure) => {
          const httpStatus = (failure.details as { httpStatus?: number } | undefined)?.httpStatus;
          if (httpStatus === 404) {
            return new AppError('NOT_FOUND', failure.message, {
              userMessage: 'МойСклад не нашёл установку решения на этом аккаунте: переустановите решение.',
              cause: failure,
            });
          }
          if (httpStatus === 409) {
            return new AppError('CONFLICT', failure.message, {
              userMessage: 'МойСклад не принял смену статуса решения: состояние установки уже другое. Обновите страницу.',
              cause: failure,
            });
          }
          return failure;
        },
        true,
      );
    },

    async completeButton(asyncProcessId, notification) {
      try {
        await call(
          'POST',
          `/apps/${encodeURIComponent(options.appId)}/button/complete`,
          'POST /apps/{appId}/button/complete',
          z.unknown(),
          { asyncProcessId, notification },
          (failure) => failure,
          // Not idempotent by itself, but a repeat is answered 409 (already completed), never shown twice.
          true,
        );
        return 'completed';
      } catch (error) {
        const httpStatus = error instanceof AppError ? (error.details as { httpStatus?: number } | undefined)?.httpStatus : undefined;
        if (httpStatus === 409) return 'already_completed';
        if (httpStatus === 410) return 'expired';
        if (httpStatus === 404) return 'not_found';
        throw error;
      }
    },

    getStatus(accountId) {
      return call(
        'GET',
        appPath(accountId),
        'GET /apps/{appId}/{accountId}/status',
        msInstallationStatusSchema,
        undefined,
        (failure) => {
          const httpStatus = (failure.details as { httpStatus?: number } | undefined)?.httpStatus;
          if (httpStatus === 404) {
            return new AppError('NOT_FOUND', failure.message, {
              userMessage: 'Решение не установлено на этом аккаунте МоегоСклада.',
              cause: failure,
            });
          }
          return failure;
        },
        true,
      );
    },
  };
}

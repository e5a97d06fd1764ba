/**
 * Failures every remote client maps the same way: a request that got no answer (lib/core/transport-
 * errors.ts does the classification), a 2xx answer we cannot read, and the single send of an attempt
 * that turns axios' own errors into AppErrors (axios errors carry the request config, credentials
 * included, so they never leave the client).
 */
import type { AxiosInstance, AxiosRequestConfig, AxiosResponse } from 'axios';
import type { z } from 'zod';
import { AppError } from '@/lib/core/errors';
import { recordRemoteCall, type RemoteName } from '@/lib/core/metrics';
import { transportFailure, type RemoteNames } from '@/lib/core/transport-errors';

/** A 2xx answer we cannot read: not retried (asking again gives the same). */
export function unexpectedRemoteResponse(
  remote: RemoteNames,
  operation: string,
  status: number,
  problem: string,
  details: Record<string, unknown>,
): AppError {
  return new AppError('REMOTE_REJECTED', `${remote.name} ${operation}: unexpected response (HTTP ${status}): ${problem}`, {
    userMessage: `${remote.nominative} вернул ответ в неожиданном формате. Обратитесь в поддержку приложения.`,
    details,
  });
}

export interface SendOptions {
  remote: RemoteNames;
  /** Metric label (`moysklad`, `betapro`, `moysklad-vendor`). */
  metric: RemoteName;
  operation: string;
  /** A platform's own reading of a failed send (e.g. an address refused by policy); undefined: the usual one. */
  refine?: (error: { code?: string; message?: string; cause?: { code?: string } }) => AppError | undefined;
}

/** One HTTP exchange; the response whatever its status, or an AppError when there was none. */
export async function sendOnce(http: AxiosInstance, config: AxiosRequestConfig, options: SendOptions): Promise<AxiosResponse> {
  let response: AxiosResponse;
  try {
    response = await http.request(config);
  } catch (error) {
    // Refused on our side before sending (a request interceptor, e.g. the job claim's fence).
    if (error instanceof AppError) throw error;
    const e = error as { code?: string; message?: string; cause?: { code?: string } };
    const refined = options.refine?.(e);
    if (refined) throw refined;
    recordRemoteCall(options.metric, 'error');
    throw transportFailure(options.remote, options.operation, e.code, e.message ?? 'request failed');
  }
  recordRemoteCall(options.metric, response.status);
  return response;
}

/** `body` parsed by `schema`, or the remote's "unexpected response" error. */
export function parseAnswer<S extends z.ZodType>(schema: S, body: unknown, onBad: (problem: string) => AppError): z.infer<S> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw onBad(parsed.error.message);
  return parsed.data;
}

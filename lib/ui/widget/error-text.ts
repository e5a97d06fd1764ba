/** An error thrown by the API client, as the clerk reads it in their language. */
import { ApiError, NetworkError } from '@/lib/ui/api-client';
import type { Locale } from '@/lib/ui/i18n';
import { errorCodeText } from '@/lib/ui/i18n/codes';
import { messagesFor } from '@/lib/ui/i18n';

export function errorMessage(error: unknown, locale: Locale): string {
  if (error instanceof NetworkError) return messagesFor(locale).common.network;
  // The server's message is Russian; English is built from the error's code.
  if (error instanceof ApiError) return errorCodeText(error.code, error.message, locale);
  return error instanceof Error ? error.message : String(error);
}

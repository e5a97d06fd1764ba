/**
 * The widget and settings API as seen by the browser: one zod schema per request and response,
 * shared by the route handlers (which parse and build them) and the pages (which send and parse them).
 * The response views live in lib/core/views.ts (lib/sync builds them) and are re-exported here.
 * All routes except POST /api/session require `Authorization: Bearer <app token>`.
 */
import { z } from 'zod';
import { actionNameSchema, betaproBaseUrlSchema, documentEntitySchema } from '@/lib/core/views';

export * from '@/lib/core/views';

// ---- POST /api/session  { contextKey, userLocale? } -> SessionResponse ----
export const sessionRequestSchema = z.object({
  contextKey: z.string().min(1).max(200),
  userLocale: z.string().max(10).optional(),
});

// ---- POST /api/widget/documents/{entity}/{id}/actions { action } -> DocumentView ----
export const actionRequestSchema = z.object({ action: actionNameSchema });

// ---- POST /api/widget/documents/{entity}/{id}/recognition { barcode, productKey } -> DocumentView (admin) ----
export const identifyRequestSchema = z.object({
  barcode: z.string().min(1).max(255),
  /** Value of the account's product key (article, code or external code) of the MoySklad product. */
  productKey: z.string().trim().min(1).max(255),
});
export type IdentifyRequest = z.infer<typeof identifyRequestSchema>;

// ---- POST /api/settings/test-connection { betaproBaseUrl, betaproPartnerId, betaproPassword? } ----
export const testConnectionRequestSchema = z.object({
  betaproBaseUrl: betaproBaseUrlSchema,
  betaproPartnerId: z.string().trim().min(1).max(100),
  /** Omitted or empty: the stored password, only when the address is the saved one. */
  betaproPassword: z.string().max(200).optional(),
});

// ---- POST /api/settings/create-statuses { entity } -> SettingsResponse['states'] ----
export const createStatusesRequestSchema = z.object({ entity: documentEntitySchema });
// ---- POST /api/settings/reinstall-webhooks -> { ok: true } ----

// ---- Error body of every route: { error: { code, message (user-facing, localised), details? } } ----
export const errorBodySchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});

/** Server-side helpers of the page shells (plain values only cross to the client components). */
import type { Metadata } from 'next';
import { localeFrom, messagesFor, type Messages } from '@/lib/ui/i18n';
import { parseAllowedOrigins } from '@/lib/ui/moysklad-bridge';

const DEFAULT_FRAME_ANCESTORS = 'https://online.moysklad.ru https://*.moysklad.ru';

/**
 * The origins allowed to frame the pages (same variable and default as proxy.ts's frame-ancestors)
 * are also the only ones whose postMessages the pages accept.
 */
export function allowedHostOrigins(env: Record<string, string | undefined> = process.env): string[] {
  return parseAllowedOrigins(env.FRAME_ANCESTORS?.trim() || DEFAULT_FRAME_ANCESTORS);
}

export function firstParam(value: string | string[] | undefined): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  return v && v.length <= 500 ? v : undefined;
}

type PageSearchParams = Promise<Record<string, string | string[] | undefined>>;

/** A page's `generateMetadata`: its title in the user's language (MoySklad passes userLocale in the frame's URL). */
export function localizedTitle(titleOf: (t: Messages) => string) {
  return async ({ searchParams }: { searchParams: PageSearchParams }): Promise<Metadata> => {
    const t = messagesFor(localeFrom(firstParam((await searchParams).userLocale)));
    return { title: titleOf(t), robots: { index: false } };
  };
}

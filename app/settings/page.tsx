import type { Metadata } from 'next';
import { localeFrom, messagesFor } from '@/lib/ui/i18n';
import { allowedHostOrigins, firstParam } from '@/lib/ui/page-params';
import { SettingsApp } from '@/lib/ui/settings/settings-app';

// Reads FRAME_ANCESTORS and the one-off contextKey per request: never prerendered or cached.
export const dynamic = 'force-dynamic';

/** The title in the user's language (MoySklad passes userLocale in the frame's URL). */
export async function generateMetadata({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}): Promise<Metadata> {
  const t = messagesFor(localeFrom(firstParam((await searchParams).userLocale)));
  return { title: t.settings.title, robots: { index: false } };
}

type SearchParams = Record<string, string | string[] | undefined>;

/** Settings page: MoySklad's main iframe of the solution (admins edit, others read). */
export default async function SettingsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const query = await searchParams;
  return (
    <SettingsApp
      contextKey={firstParam(query.contextKey)}
      userLocale={firstParam(query.userLocale)}
      allowedOrigins={allowedHostOrigins()}
    />
  );
}

import { allowedHostOrigins, firstParam, localizedTitle } from '@/lib/ui/page-params';
import { SettingsApp } from '@/lib/ui/settings/settings-app';

// Reads FRAME_ANCESTORS and the one-off contextKey per request: never prerendered or cached.
export const dynamic = 'force-dynamic';

/** The title in the user's language. */
export const generateMetadata = localizedTitle((t) => t.settings.title);

type SearchParams = Record<string, string | string[] | undefined>;

/** Settings page: MoySklad's main iframe of the solution (admins edit, others read). */
export default async function SettingsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const query = await searchParams;
  return (
    <SettingsApp
      contextKey={firstParam(query.contextKey)}
      userLocale={firstParam(query.userLocale)}
      allowedOrigins={allowedHostOrigins()}
      section={firstParam(query.section)}
    />
  );
}

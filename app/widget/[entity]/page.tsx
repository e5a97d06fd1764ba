import { notFound } from 'next/navigation';
import { headers } from 'next/headers';
import { EARLY_BUFFER_SCRIPT } from '@/lib/ui/moysklad-bridge';
import { allowedHostOrigins, firstParam, localizedTitle } from '@/lib/ui/page-params';
import { WidgetApp } from '@/lib/ui/widget/widget-app';

// Reads FRAME_ANCESTORS and the one-off contextKey per request: never prerendered or cached.
export const dynamic = 'force-dynamic';

/** The title in the user's language. */
export const generateMetadata = localizedTitle((t) => t.widget.pageTitle);

type SearchParams = Record<string, string | string[] | undefined>;

/** Widget inside MoySklad's Supply / Move form (400 px wide iframe, reused across documents). */
export default async function WidgetPage({
  params,
  searchParams,
}: {
  params: Promise<{ entity: string }>;
  searchParams: Promise<SearchParams>;
}) {
  const { entity } = await params;
  if (entity !== 'supply' && entity !== 'move' && entity !== 'purchasereturn') notFound();
  const query = await searchParams;
  const nonce = (await headers()).get('x-nonce') ?? undefined;
  return (
    <>
      {/* MoySklad may post Open as soon as the frame loads, before hydration: record it now. */}
      <script nonce={nonce} dangerouslySetInnerHTML={{ __html: EARLY_BUFFER_SCRIPT }} />
      <WidgetApp
        entity={entity}
        contextKey={firstParam(query.contextKey)}
        userLocale={firstParam(query.userLocale)}
        allowedOrigins={allowedHostOrigins()}
      />
    </>
  );
}

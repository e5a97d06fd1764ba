import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { headers } from 'next/headers';
import { Providers } from '@/lib/ui/providers';

export const metadata: Metadata = {
  title: 'БетаПРО для МойСклад',
  description: 'Передача приёмок и перемещений на склад фулфилмента БетаПРО и оприходование по факту',
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Reading the request makes every page render per request, so Next can put the CSP nonce (proxy.ts)
  // on its inline scripts; a prerendered page would carry scripts without it.
  await headers();
  return (
    <html lang="ru">
      <body>
        <Providers>{children}</Providers>
      </body>
    </html>
  );
}

import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { Providers } from '@/lib/ui/providers';

export const metadata: Metadata = {
  title: 'БетаПРО для МойСклад',
  description: 'Передача приёмок и перемещений на склад фулфилмента БетаПРО и оприходование по факту',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="ru">
      <body>
        <Providers>{children}</Providers>
      </body>
    </html>
  );
}

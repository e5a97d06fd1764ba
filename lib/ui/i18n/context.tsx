'use client';
import { createContext, useContext, useEffect, useMemo, type ReactNode } from 'react';
import { messagesFor, withDirection, type Locale, type Messages } from '@/lib/ui/i18n/index';

interface I18n {
  locale: Locale;
  t: Messages;
}

const I18nContext = createContext<I18n>({ locale: 'ru', t: messagesFor('ru') });

/**
 * The language for everything below; also the page's <html lang> and, given `title`, its title (the
 * root layout is rendered before the user's language is known, so it says Russian until this runs).
 */
export function I18nProvider({ locale, title, children }: { locale: Locale; title?: (t: Messages) => string; children: ReactNode }) {
  const value = useMemo(() => ({ locale, t: messagesFor(locale) }), [locale]);
  const pageTitle = title?.(value.t);
  useEffect(() => {
    document.documentElement.lang = locale;
    if (pageTitle) document.title = pageTitle;
  }, [locale, pageTitle]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  return useContext(I18nContext);
}

/** Everything below speaks of a shipment instead of a receipt when the document's goods leave BetaPRO. */
export function DirectionProvider({ direction, children }: { direction: 'inbound' | 'outbound' | null | undefined; children: ReactNode }) {
  const outer = useI18n();
  const value = useMemo(() => ({ locale: outer.locale, t: withDirection(outer.t, direction) }), [outer, direction]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

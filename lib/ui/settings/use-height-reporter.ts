'use client';
import { useEffect, type RefObject } from 'react';
import { HeightReporter } from '@/lib/ui/moysklad-bridge';

/**
 * Main iframe auto-height (docs/platform.md §3.6): MoySklad's moderation wants no inner scrollbar,
 * so the page tells its parent its content height whenever it changes.
 */
export function useHeightReporter(ref: RefObject<HTMLElement | null>, allowedOrigins: readonly string[]): void {
  useEffect(() => {
    const el = ref.current;
    if (!el || window.parent === window) return;
    const reporter = new HeightReporter(window.parent, allowedOrigins, document.referrer || undefined);
    const measure = () => reporter.report(el.getBoundingClientRect().height);
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
    // allowedOrigins is fixed for the page's life.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [ref]);
}

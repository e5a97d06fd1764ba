import { timingSafeEqual } from 'node:crypto';
import { getConfig } from '@/lib/core/config';
import { getPrisma } from '@/lib/db';
import { renderMetrics } from '@/lib/metrics';

export const dynamic = 'force-dynamic';

function tokenMatches(header: string | null, token: string): boolean {
  const given = Buffer.from(header?.replace(/^Bearer\s+/i, '') ?? '');
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Prometheus scrape endpoint: 404 unless METRICS_TOKEN is configured, then `Authorization: Bearer <token>`. */
export async function GET(request: Request) {
  const token = getConfig().METRICS_TOKEN;
  if (!token) return new Response('Not found', { status: 404 });
  if (!tokenMatches(request.headers.get('authorization'), token)) {
    return new Response('Unauthorized', { status: 401, headers: { 'WWW-Authenticate': 'Bearer' } });
  }
  try {
    const text = await renderMetrics(await getPrisma());
    return new Response(text, {
      headers: { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8', 'Cache-Control': 'no-store' },
    });
  } catch {
    return new Response('database unreachable', { status: 503 });
  }
}

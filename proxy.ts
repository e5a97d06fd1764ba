import { NextResponse, type NextRequest } from 'next/server';

/**
 * Pages are shown inside MoySklad's iframes. Only the origins in FRAME_ANCESTORS may frame them;
 * read per request (not at build time) so one build serves any deployment and the sandbox.
 */
export function proxy(_request: NextRequest) {
  const response = NextResponse.next();
  const ancestors = process.env.FRAME_ANCESTORS ?? 'https://online.moysklad.ru https://*.moysklad.ru';
  response.headers.set('Content-Security-Policy', `frame-ancestors 'self' ${ancestors}`);
  return response;
}

export const config = {
  // API answers are never framed; skipping them keeps the proxy off the webhook intake's hot path.
  matcher: ['/((?!api/|_next/static|_next/image|favicon.ico).*)'],
};

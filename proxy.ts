import { NextResponse, type NextRequest } from 'next/server';

/**
 * Pages are shown inside MoySklad's iframes. Only the origins in FRAME_ANCESTORS may frame them;
 * read per request (not at build time) so one build serves any deployment and the sandbox.
 *
 * Scripts run only from our origin or with this response's nonce: Next reads the nonce from the
 * request's Content-Security-Policy header and puts it on its own inline scripts; the pages put it on
 * theirs (x-nonce). Styles stay 'unsafe-inline' (MUI/emotion inserts style elements at run time).
 */
export function contentSecurityPolicy(nonce: string, ancestors: string): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    `frame-ancestors 'self' ${ancestors}`,
  ].join('; ');
}

export function proxy(request: NextRequest) {
  // Pages are only read: a POST (no server actions exist) would otherwise be rendered after its whole
  // body was received. Refused here, before the body is read; the connection is closed.
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    return new NextResponse(null, { status: 405, headers: { allow: 'GET, HEAD', connection: 'close' } });
  }
  const nonce = btoa(crypto.randomUUID());
  const ancestors = process.env.FRAME_ANCESTORS ?? 'https://online.moysklad.ru https://*.moysklad.ru';
  const policy = contentSecurityPolicy(nonce, ancestors);
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set('x-nonce', nonce);
  requestHeaders.set('Content-Security-Policy', policy);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set('Content-Security-Policy', policy);
  return response;
}

export const config = {
  // API answers are never framed; skipping them keeps the proxy off the webhook intake's hot path.
  matcher: ['/((?!api/|_next/static|_next/image|favicon.ico).*)'],
};

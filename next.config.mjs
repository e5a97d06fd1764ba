/** @type {import('next').NextConfig} */

// Pages are shown inside MoySklad's iframes: only MoySklad's origins (FRAME_ANCESTORS) may frame them.
const frameAncestors = process.env.FRAME_ANCESTORS ?? 'https://online.moysklad.ru https://*.moysklad.ru';

const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // PGlite ships WebAssembly and the Prisma adapters load native-ish modules: keep them out of the bundle.
  serverExternalPackages: [
    '@electric-sql/pglite',
    'pglite-prisma-adapter',
    '@prisma/adapter-pg',
    'pg',
    'pino',
  ],
  async headers() {
    return [
      {
        source: '/:path*',
        headers: [
          { key: 'Content-Security-Policy', value: `frame-ancestors 'self' ${frameAncestors}` },
          { key: 'X-Content-Type-Options', value: 'nosniff' },
          { key: 'Referrer-Policy', value: 'strict-origin-when-cross-origin' },
        ],
      },
    ];
  },
};

export default nextConfig;

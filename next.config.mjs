/** @type {import('next').NextConfig} */

const nextConfig = {
  reactStrictMode: true,
  // Separate build folders let several builds coexist (e.g. benchmarks next to the test suites).
  distDir: process.env.NEXT_DIST_DIR || '.next',
  poweredByHeader: false,
  experimental: {
    // Next copies a request's body for proxy.ts (up to 10 MB by default) before the page answers. Pages
    // take no bodies (proxy.ts answers 405 to anything but GET/HEAD): keep at most 1 kB of one.
    proxyClientMaxBodySize: '1kb',
  },
  // `npm run typecheck` checks the whole project (tests and simulators included) as its own step;
  // the build should not fail on, nor spend minutes re-checking, files the app does not ship.
  typescript: { ignoreBuildErrors: true },
  // PGlite ships WebAssembly and the Prisma adapters load native-ish modules: keep them out of the bundle.
  serverExternalPackages: ['@electric-sql/pglite', 'pglite-prisma-adapter', '@prisma/adapter-pg', 'pg', 'pino'],
  // frame-ancestors is set per request in proxy.ts (FRAME_ANCESTORS is read at run time).
  async headers() {
    return [
      {
        // API answers carry tokens, settings and document data: no browser or proxy may keep them.
        source: '/api/:path*',
        headers: [{ key: 'Cache-Control', value: 'no-store' }],
      },
      {
        source: '/:path*',
        headers: [
          { key: 'X-Content-Type-Options', value: 'nosniff' },
          { key: 'Referrer-Policy', value: 'strict-origin-when-cross-origin' },
        ],
      },
    ];
  },
};

export default nextConfig;

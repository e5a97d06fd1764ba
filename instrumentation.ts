/**
 * Runs once when the Next.js server starts. The Node-only work (configuration check, database,
 * worker) lives in lib/server-runtime.ts so that the edge bundle never sees it.
 */
export async function register() {
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    const { startServerRuntime } = await import('./lib/server-runtime');
    await startServerRuntime();
  }
}

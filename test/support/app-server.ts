/**
 * Runs the real app (the production build from `next build`) as a child process, the way an operator
 * does with `npm start`, on a free loopback port with the given environment.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './ports';
import { productNodeFlags, productProcessEnv } from '../../scripts/node-flags';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
export const TEST_SECRET_KEY = 'test-solution-secret-key-0123456789abcdef';
export const TEST_ENCRYPTION_KEY = 'a'.repeat(64);
export const TEST_APP_ID = '6f1d2c3b-0000-4000-8000-00000000a001';
export const TEST_APP_UID = 'betapro-bridge.test';

let buildChecked = false;
/** How long an app may take to answer /api/health; TEST_APP_START_TIMEOUT_MS raises it on a machine shared with other runs. */
const START_TIMEOUT_MS = Number(process.env.TEST_APP_START_TIMEOUT_MS) || 60_000;
const STOP_GRACE_MS = 15_000;

/** Builds the app once if there is no production build (npm test builds before running suites). */
export function ensureBuilt(): void {
  if (buildChecked) return;
  const buildId = path.join(ROOT, distDir(), 'BUILD_ID');
  if (!existsSync(buildId) || process.env.TEST_FORCE_BUILD === '1') {
    const result = spawnSync('npx', ['next', 'build'], {
      cwd: ROOT,
      stdio: 'inherit',
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', ...baseEnv('http://127.0.0.1:3000') },
    });
    if (result.status !== 0) throw new Error('next build failed');
  }
  buildChecked = true;
}

function baseEnv(appBaseUrl: string): Record<string, string> {
  return {
    APP_BASE_URL: appBaseUrl,
    MOYSKLAD_APP_ID: TEST_APP_ID,
    MOYSKLAD_APP_UID: TEST_APP_UID,
    MOYSKLAD_SECRET_KEY: TEST_SECRET_KEY,
    APP_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
    FRAME_ANCESTORS: 'http://127.0.0.1:*',
    // The BetaPRO simulator is on loopback over http; security tests unset this to see the refusal.
    BETAPRO_ALLOW_PRIVATE_HOSTS: 'true',
    LOG_LEVEL: process.env.TEST_APP_LOG_LEVEL ?? 'warn',
    // Suites press «Проверить приёмку» in loops; the 15 s production limit is tested on its own.
    RECEIPT_CHECK_MIN_INTERVAL_SEC: '0',
  };
}

export interface AppServer {
  url: string;
  port: number;
  env: Record<string, string>;
  process: ChildProcess;
  logs(): string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export interface StartAppOptions {
  env?: Record<string, string | undefined>;
  port?: number;
  /** PGlite folder (default: a new temp folder) unless env.DATABASE_URL is given. */
  pgliteDir?: string;
  /** Wait for any answer from /api/health instead of a 200 (to test an unhealthy start). */
  allowUnhealthy?: boolean;
}

export async function startApp(options: StartAppOptions = {}): Promise<AppServer> {
  ensureBuilt();
  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const pgliteDir = options.pgliteDir ?? path.join(mkdtempSync(path.join(os.tmpdir(), 'bridge-app-')), 'pglite');
  const env: Record<string, string> = {
    ...productProcessEnv('start'),
    ...(Object.fromEntries(Object.entries(process.env).filter(([, v]) => v !== undefined)) as Record<string, string>),
    NODE_ENV: 'production',
    NEXT_TELEMETRY_DISABLED: '1',
    PGLITE_DIR: pgliteDir,
    ...baseEnv(url),
  };
  delete env.DATABASE_URL;
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  // The flags `npm start` uses, plus APP_NODE_ARGS (e.g. `--cpu-prof` when profiling a benchmark).
  const nodeArgs = [...productNodeFlags('start'), ...(process.env.APP_NODE_ARGS ?? '').split(' ').filter(Boolean)];
  const child = spawn(
    process.execPath,
    [...nodeArgs, path.join(ROOT, 'node_modules', 'next', 'dist', 'bin', 'next'), 'start', '-H', '127.0.0.1', '-p', String(port)],
    {
      cwd: ROOT,
      env: env as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  // APP_LOG_FILE: also append the app's output to this file (debugging a benchmark or a test).
  const logFile = process.env.APP_LOG_FILE;
  const collect = (chunk: Buffer) => {
    output += chunk;
    if (logFile) appendFileSync(logFile, chunk);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`app exited with ${child.exitCode}:\n${output}`);
    try {
      const res = await fetch(`${url}/api/health`);
      if (res.status === 200 || options.allowUnhealthy) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`app did not become healthy within ${START_TIMEOUT_MS / 1000} s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  return {
    url,
    port,
    env,
    process: child,
    logs: () => output,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      // Next's SIGTERM handler closes the server and waits for requests in flight; a client that keeps
      // a connection busy (a simulator retrying a delivery) would hold a suite's teardown until its hook
      // timed out. After the grace period the process is killed, and said so.
      const timer = setTimeout(() => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        console.warn(
          `[app-server] the app on port ${port} did not exit ${STOP_GRACE_MS / 1000} s after ${signal}; killing it. Its last output:\n${output.slice(-2_000)}`,
        );
        child.kill('SIGKILL');
      }, STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** The build folder (NEXT_DIST_DIR, default .next), as next.config.mjs reads it. */
export function distDir(): string {
  return process.env.NEXT_DIST_DIR || '.next';
}

export function buildTimestamp(): number | undefined {
  const buildId = path.join(ROOT, distDir(), 'BUILD_ID');
  return existsSync(buildId) ? statSync(buildId).mtimeMs : undefined;
}

export function readBuildId(): string | undefined {
  const buildId = path.join(ROOT, distDir(), 'BUILD_ID');
  return existsSync(buildId) ? readFileSync(buildId, 'utf8').trim() : undefined;
}

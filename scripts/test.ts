/**
 * npm test — runs every suite: unit, integration (PGlite always; PostgreSQL too when TEST_DATABASE_URL
 * is set) and end-to-end in Chromium. Builds the app first (integration and e2e suites drive the real
 * production build over HTTP). Says loudly which suites could not run and how to enable them.
 *
 *   npm test                      everything available on this machine
 *   npm test -- unit|integration|e2e [file filters...]
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { startVitest } from 'vitest/node';
import { findChromium } from '../test/support/chromium';

const [projectArg, ...filters] = process.argv.slice(2);
const projects = projectArg && ['unit', 'integration', 'e2e'].includes(projectArg) ? [projectArg] : ['unit', 'integration', 'e2e'];
const fileFilters = projectArg && !projects.includes(projectArg) ? [projectArg, ...filters] : filters;

const missing: string[] = [];
const chromium = findChromium();
if (!chromium && projects.includes('e2e')) {
  missing.push(
    'End-to-end suites (widget and settings page in Chromium) are SKIPPED: no Chromium found.\n' +
      '    Enable them with:  sudo apt-get install -y chromium   (or set CHROMIUM_PATH)',
  );
}
if (!process.env.TEST_DATABASE_URL && projects.includes('integration')) {
  missing.push(
    'Integration suites run on PGlite only; the PostgreSQL runs are SKIPPED: TEST_DATABASE_URL is not set.\n' +
      '    Enable them with:  TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres npm test',
  );
}

function banner(lines: string[]): void {
  if (!lines.length) return;
  const bar = '!'.repeat(100);
  console.log(`\n${bar}\n${lines.map((l) => `!! ${l}`).join('\n')}\n${bar}\n`);
}

banner(missing);

if (projects.some((p) => p !== 'unit')) {
  // Integration and e2e suites start the production build; rebuild so they test this checkout.
  console.log('Building the app (next build) for the integration and end-to-end suites...');
  const build = spawnSync('npx', ['next', 'build'], {
    stdio: 'inherit',
    env: {
      ...process.env,
      NEXT_TELEMETRY_DISABLED: '1',
      APP_BASE_URL: process.env.APP_BASE_URL ?? 'http://127.0.0.1:3000',
      MOYSKLAD_APP_ID: process.env.MOYSKLAD_APP_ID ?? 'build',
      MOYSKLAD_APP_UID: process.env.MOYSKLAD_APP_UID ?? 'build',
      MOYSKLAD_SECRET_KEY: process.env.MOYSKLAD_SECRET_KEY ?? 'build-time-placeholder-secret',
      APP_ENCRYPTION_KEY: process.env.APP_ENCRYPTION_KEY ?? '0'.repeat(64),
    },
  });
  if (build.status !== 0 || !existsSync(`${process.env.NEXT_DIST_DIR || '.next'}/BUILD_ID`)) {
    console.error('next build failed');
    process.exit(1);
  }
}

const vitest = await startVitest('test', fileFilters, { run: true, project: projects, watch: false });
const files = vitest?.state.getFiles() ?? [];
let passed = 0;
let failed = 0;
let skipped = 0;
const visit = (tasks: { type: string; mode: string; result?: { state?: string }; tasks?: unknown[] }[]) => {
  for (const task of tasks) {
    if (task.type === 'test') {
      if (task.mode === 'skip' || task.mode === 'todo') skipped++;
      else if (task.result?.state === 'pass') passed++;
      else if (task.result?.state === 'fail') failed++;
      else skipped++;
    }
    if (task.tasks) visit(task.tasks as never);
  }
};
visit(files as never);
const fileErrors = files.filter((f) => f.result?.state === 'fail' && !f.tasks?.length).length;
const unhandled = vitest?.state.getUnhandledErrors().length ?? 0;
await vitest?.close();

banner(missing);
console.log(`${passed} passed, ${failed + fileErrors + unhandled} failed, ${skipped} skipped`);
process.exit(failed + fileErrors + unhandled > 0 || passed === 0 ? 1 : 0);

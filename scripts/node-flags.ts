/**
 * How `npm start` and `npm run worker` start the product's processes — their Node flags and the memory
 * allocator's settings — read from package.json (the one place they are written: `${WEB_NODE_FLAGS:-…}` /
 * `${WORKER_NODE_FLAGS:-…}` and the `NAME=${NAME:-…}` assignments before `node`), so that the demo, the tests
 * and the benchmark run the processes as a deployment does. Why these values: README "Memory". An
 * environment variable of the same name overrides, as in npm.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');

function scriptText(script: 'start' | 'worker'): string {
  const scripts = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  return scripts[script] ?? '';
}

export function productNodeFlags(script: 'start' | 'worker'): string[] {
  const variable = script === 'start' ? 'WEB_NODE_FLAGS' : 'WORKER_NODE_FLAGS';
  const fromEnv = process.env[variable];
  if (fromEnv !== undefined) return fromEnv.split(' ').filter(Boolean);
  const match = new RegExp(`\\$\\{${variable}:-([^}]*)\\}`).exec(scriptText(script));
  if (!match) throw new Error(`package.json script "${script}" does not define \${${variable}:-…}`);
  return match[1].split(' ').filter(Boolean);
}

/** The environment assignments the script makes before `node` (e.g. MALLOC_ARENA_MAX), with overrides applied. */
export function productProcessEnv(script: 'start' | 'worker'): Record<string, string> {
  const prefix = scriptText(script).split(/\bnode\b/)[0];
  const env: Record<string, string> = {};
  for (const [, name, fallback] of prefix.matchAll(/([A-Z_][A-Z0-9_]*)=\$\{\1:-([^}]*)\}/g)) {
    env[name] = process.env[name] ?? fallback;
  }
  return env;
}

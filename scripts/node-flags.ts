/**
 * The Node flags `npm start` and `npm run worker` give the product's processes (package.json is the one
 * place they are written: `${WEB_NODE_FLAGS:-…}` / `${WORKER_NODE_FLAGS:-…}`), so that the demo, the tests
 * and the benchmark run the processes as a deployment does. Why these flags: README "Memory". The environment variable overrides, as in npm.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');

export function productNodeFlags(script: 'start' | 'worker'): string[] {
  const variable = script === 'start' ? 'WEB_NODE_FLAGS' : 'WORKER_NODE_FLAGS';
  const fromEnv = process.env[variable];
  if (fromEnv !== undefined) return fromEnv.split(' ').filter(Boolean);
  const scripts = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  const match = new RegExp(`\\$\\{${variable}:-([^}]*)\\}`).exec(scripts[script] ?? '');
  if (!match) throw new Error(`package.json script "${script}" does not define \${${variable}:-…}`);
  return match[1].split(' ').filter(Boolean);
}

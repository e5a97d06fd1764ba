/** `npm run worker` processes (node --import tsx scripts/worker.ts) against the sandbox's database, started and stopped by pid. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { treeRss, type TreeRss } from './proc';
import type { BenchSandbox } from './fixtures';
import { productNodeFlags, productProcessEnv } from '../../scripts/node-flags';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

export interface WorkerProcess {
  child: ChildProcess;
  pid: number;
  logs(): string;
  rss(): TreeRss;
  stop(): Promise<void>;
}

export async function startWorker(sandbox: BenchSandbox, env: Record<string, string> = {}): Promise<WorkerProcess> {
  // As `npm run worker` starts it: one node process with its memory flags and the tsx loader.
  const child = spawn(process.execPath, [...productNodeFlags('worker'), '--import', 'tsx', 'scripts/worker.ts'], {
    cwd: ROOT,
    env: {
      ...productProcessEnv('worker'),
      ...sandbox.app.env,
      RUN_WORKER: 'true',
      LOG_LEVEL: 'info',
      ...env,
    } as unknown as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let ready = false;
  const onData = (chunk: Buffer) => {
    // Keep only the tail: info logs of a long run are not needed, readiness is.
    output = (output + chunk.toString()).slice(-20_000);
    if (!ready && output.includes('worker process running')) ready = true;
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 60_000;
  while (!ready) {
    if (child.exitCode !== null) throw new Error(`worker exited with ${child.exitCode}:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`worker not ready within 60 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    child,
    pid: child.pid!,
    logs: () => output,
    rss: () => treeRss(child.pid!),
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 15_000));
      if ((await Promise.race([exited, timeout])) === 'timeout' && child.exitCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}

/**
 * Starts worker processes until `workers` holds `count` of them (a section that needs web + 3 workers
 * after one that ran with 1); returns the ones it started, so the caller can warm them up and track them.
 */
export async function ensureWorkers(
  sandbox: BenchSandbox,
  workers: WorkerProcess[],
  count: number,
  env: Record<string, string> = {},
): Promise<WorkerProcess[]> {
  const started: WorkerProcess[] = [];
  while (workers.length < count) {
    const worker = await startWorker(sandbox, env);
    workers.push(worker);
    started.push(worker);
  }
  return started;
}

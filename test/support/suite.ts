/**
 * The setup most integration suites share: one sandbox (the real app and both simulators) for the whole
 * file, the listed accounts installed and configured in order, everything stopped after the file. The
 * suite keeps its own `sandbox` / account variables and receives them in `ready`, so its tests read as
 * before; a suite that needs more setup adds its own beforeAll after this call (hooks run in order).
 */
import { afterAll, beforeAll } from 'vitest';
import { installAndConfigure, startSandbox, type ConfiguredAccount, type StartSandboxOptions } from './sandbox';
import type { SettingsInput } from '@/lib/api/contract';

export type SuiteSandbox = Awaited<ReturnType<typeof startSandbox>>;
/** An account by name, or by name with the settings that differ from installAndConfigure's defaults. */
export type SuiteAccount = string | [name: string, settings: Partial<SettingsInput>];

export function sandboxSuite(
  accounts: SuiteAccount[],
  ready: (sandbox: SuiteSandbox, accounts: ConfiguredAccount[]) => void,
  options: StartSandboxOptions = {},
): void {
  // The start is kept as a promise: when beforeAll times out (a loaded machine), afterAll still waits
  // for the app to come up and stops it instead of leaving a server process behind.
  let starting: Promise<SuiteSandbox> | undefined;
  beforeAll(async () => {
    starting = startSandbox(options);
    const sandbox = await starting;
    const configured: ConfiguredAccount[] = [];
    for (const entry of accounts) {
      const [name, settings] = typeof entry === 'string' ? [entry, {}] : entry;
      configured.push(await installAndConfigure(sandbox, name, settings));
    }
    ready(sandbox, configured);
  });
  afterAll(async () => {
    const sandbox = await starting?.catch(() => undefined);
    await sandbox?.stop();
  });
}

/**
 * The previous figures: the last committed results of the same mode (bench/results/<mode>.json at HEAD),
 * else the last committed latest.json. Read from git, not from the working tree, so a run that was never
 * committed does not become "previous" for the next one.
 */
import { execFileSync } from 'node:child_process';
import type { BenchResults } from './results';

export interface Previous {
  /** Where it came from, e.g. `HEAD:bench/results/full.json (commit abc1234, 2026-11-30T…)`. */
  source: string;
  results: BenchResults;
}

export function loadPrevious(root: string, mode: BenchResults['mode']): Previous | null {
  for (const file of [`bench/results/${mode}.json`, 'bench/results/latest.json']) {
    try {
      const text = execFileSync('git', ['show', `HEAD:${file}`], {
        cwd: root,
        stdio: ['ignore', 'pipe', 'ignore'],
      }).toString();
      const results = JSON.parse(text) as BenchResults;
      return {
        source: `HEAD:${file} (${results.mode}, commit ${results.environment?.commit ?? '?'}, ${results.startedAt})`,
        results,
      };
    } catch {
      // Not committed yet (or not a git checkout): try the next file.
    }
  }
  return null;
}

/** `new (previous: old)`, or just `new` when there is nothing to compare with. */
export function withPrevious(now: string | number, before: string | number | undefined | null): string {
  return before === undefined || before === null || before === '' ? `${now} (previous: –)` : `${now} (previous: ${before})`;
}

/**
 * Loads `.env` files into process.env exactly as Next does for `next start` (@next/env: `.env.<mode>.local`,
 * `.env.local` (not in test), `.env.<mode>`, `.env`; a variable already set in the environment wins), so a
 * script sees the same configuration as the web process. Imported first by every script, before any
 * module that reads the environment at load time (the logger reads LOG_LEVEL).
 * Mode: development when NODE_ENV=development, otherwise production (what `next start` uses).
 */
import nextEnv from '@next/env';

const quiet = { info: () => undefined, error: (...args: unknown[]) => console.error(...args) };

/** The project folder: where `npm run …` runs scripts, as `next start` reads it. */
export const envDirectory = process.cwd();

export const loadedEnvFiles: string[] = nextEnv
  .loadEnvConfig(envDirectory, process.env.NODE_ENV === 'development', quiet)
  .loadedEnvFiles.map((file) => file.path);

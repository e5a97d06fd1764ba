/**
 * Prisma's schema engine compiled to WebAssembly (@prisma/schema-engine-wasm): migrations without
 * the native binary, which cannot be downloaded on these machines. It works through a driver adapter,
 * so the same code migrates PGlite and a PostgreSQL server.
 */
import { readFileSync, readdirSync, existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { bindMigrationAwareSqlAdapterFactory, type SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import type { SchemaEngine as SchemaEngineType, MigrationList } from '@prisma/schema-engine-wasm';

const require = createRequire(import.meta.url);

type EngineModule = typeof import('@prisma/schema-engine-wasm');
let engineModule: Promise<EngineModule> | undefined;

/** Loads the wasm-bindgen "bundler" build by hand, since Node 20 cannot import .wasm modules. */
function loadEngineModule(): Promise<EngineModule> {
  engineModule ??= (async () => {
    // The package exports only its JS entry; the .wasm sits next to it. Resolved at run time so the
    // Next.js bundler leaves the engine in node_modules instead of trying to bundle WebAssembly.
    const entry = require.resolve(/* turbopackIgnore: true */ '@prisma/schema-engine-wasm/schema_engine_bg');
    const bindings = (await import(/* webpackIgnore: true */ /* turbopackIgnore: true */ pathToFileURL(entry).href)) as EngineModule & {
      __wbg_set_wasm(exports: unknown): void;
    };
    const bytes = readFileSync(/* turbopackIgnore: true */ path.join(path.dirname(entry), 'schema_engine_bg.wasm'));
    const { instance } = await WebAssembly.instantiate(bytes, { './schema_engine_bg.js': bindings as never });
    bindings.__wbg_set_wasm(instance.exports);
    (instance.exports as { __wbindgen_start?: () => void }).__wbindgen_start?.();
    return bindings;
  })();
  return engineModule;
}

// Relative to the working directory: npm scripts, `next start` and the worker all run from the project root.
export const SCHEMA_PATH = path.resolve(/* turbopackIgnore: true */ process.cwd(), 'prisma/schema.prisma');
export const MIGRATIONS_DIR = path.resolve(/* turbopackIgnore: true */ process.cwd(), 'prisma/migrations');

export function readSchema(schemaPath = SCHEMA_PATH): { path: string; content: string } {
  return { path: schemaPath, content: readFileSync(/* turbopackIgnore: true */ schemaPath, 'utf8') };
}

/** The migrations folder in the shape the engine expects (Prisma's own on-disk format). */
export function readMigrationList(dir = MIGRATIONS_DIR): MigrationList {
  const lockPath = path.join(dir, 'migration_lock.toml');
  const directories = existsSync(dir)
    ? readdirSync(dir)
        .filter((name) => statSync(path.join(dir, name)).isDirectory())
        .sort()
    : [];
  return {
    baseDir: dir,
    lockfile: { path: 'migration_lock.toml', content: existsSync(lockPath) ? readFileSync(lockPath, 'utf8') : null },
    shadowDbInitScript: '',
    migrationDirectories: directories.map((name) => {
      const file = path.join(dir, name, 'migration.sql');
      return {
        path: name,
        migrationFile: {
          path: 'migration.sql',
          content: existsSync(file)
            ? { tag: 'ok' as const, value: readFileSync(file, 'utf8') }
            : { tag: 'error' as const, value: 'migration.sql is missing' },
        },
      };
    }),
  };
}

export const NO_FILTERS = { externalTables: [] as string[], externalEnums: [] as string[] };

export async function openSchemaEngine(
  adapterFactory: SqlMigrationAwareDriverAdapterFactory,
  log: (message: string) => void = () => {},
): Promise<SchemaEngineType> {
  const { SchemaEngine } = await loadEngineModule();
  const schema = readSchema();
  return SchemaEngine.new(
    { datamodels: [[schema.path, schema.content]] },
    (message: string) => log(message),
    bindMigrationAwareSqlAdapterFactory(adapterFactory),
  );
}

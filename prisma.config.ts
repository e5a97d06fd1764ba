import { defineConfig } from 'prisma/config';

// Prisma 7 reads the schema location from here. Migrations are applied by scripts/db-migrate.ts
// (offline, through the WebAssembly schema engine), not by `prisma migrate`.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
});

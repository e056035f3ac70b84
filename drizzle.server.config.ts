import { defineConfig } from 'drizzle-kit'

// The sync service's PostgreSQL schema (src/server); the app's SQLite one is drizzle.config.ts.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/server/db/schema.ts',
  out: './resources/server-migrations',
})

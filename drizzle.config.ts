import { defineConfig } from 'drizzle-kit'

export default defineConfig({
  dialect: 'sqlite',
  schema: './src/core/store/schema.ts',
  out: './resources/migrations',
})

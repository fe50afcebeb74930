import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'sqlite',
  schema: './db/schema/index.ts',
  out: process.env.DRIZZLE_OUT ?? './db/migrations',
});

import { ensureSiteBuilt } from '../scripts/site-build.ts';

/** Integration tests drive the real built Astro handler, so build it once per run (skipped when up to date). */
export default async function setup(): Promise<void> {
  await ensureSiteBuilt({ quiet: true });
}

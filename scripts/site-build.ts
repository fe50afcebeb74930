import { buildSite, siteStaleReason } from '../tools/build.mjs';

/** True when dist/ is missing or was built from other content than the site's sources have now (tools/build.mjs). */
export function siteBuildIsStale(): boolean {
  return siteStaleReason() !== null;
}

export async function ensureSiteBuilt(options: { quiet?: boolean } = {}): Promise<void> {
  if (!siteBuildIsStale()) return;
  await buildSite({ quiet: options.quiet ?? false });
}

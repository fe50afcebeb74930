import { siteStaleReason } from '../tools/build.mjs';
import { ensureSiteBuilt } from './site-build.ts';

// `npm run dev` builds the site only when dist/ is missing or was built from other sources.
const reason = siteStaleReason();
if (reason) {
  console.log(`Building the site (${reason})…`);
  await ensureSiteBuilt();
}

import { ensureSiteBuilt, siteBuildIsStale } from './site-build.ts';

// `npm start` builds the site only when dist/ is missing or older than its sources.
if (siteBuildIsStale()) {
  console.log('Building the site (dist/ is missing or out of date)…');
  await ensureSiteBuilt();
}

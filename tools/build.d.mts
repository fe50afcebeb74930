/** Types for tools/build.mjs (plain JavaScript so building and starting need no TypeScript tooling). */
export const root: string;
export function appEntries(): string[];
export function siteStaleReason(): string | null;
export function appStaleReason(): string | null;
export function buildSite(options?: { quiet: boolean }): Promise<void>;
export function buildApp(): Promise<void>;
export function recordSiteBuild(): Promise<void>;
export function build(options?: {
  onlyIfStale?: boolean;
  site?: boolean;
  log?: (line: string) => void;
}): Promise<{ site: boolean; app: boolean }>;

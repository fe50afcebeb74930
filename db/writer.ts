import type { PortalDb } from './client.ts';

/** A drizzle transaction on the portal database (better-sqlite3: synchronous, no awaits inside). */
export type PortalTx = Parameters<Parameters<PortalDb['transaction']>[0]>[0];

/** Either the connection or a transaction: domain functions that write take this so callers can compose them. */
export type DbWriter = PortalDb | PortalTx;

// The types live with the database so that domain folders need not import from the HTTP layer.
export type { DbWriter, PortalTx } from '../../db/writer.ts';

/** The AAD of a legal hold's encrypted reason. */
export const legalHoldAad = (id: string) => `lifecycle:legal_holds:${id}`;

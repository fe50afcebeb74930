/** Matches the app's bodyLimit: a complete form, even all in non-Latin script, is well under this. */
export const REFERRAL_BODY_LIMIT = 32 * 1024;

/** Submissions per client address, shared by the form and the API. */
export const REFERRAL_RATE_LIMIT = { max: 10, timeWindowMs: 60 * 60 * 1000 } as const;

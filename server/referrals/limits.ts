/** Matches the app's bodyLimit: a complete form, even all in non-Latin script, is well under this. */
export const REFERRAL_BODY_LIMIT = 32 * 1024;

/** Submissions per client address, shared by the form and the API. */
export const REFERRAL_RATE_LIMIT = { max: 10, timeWindowMs: 60 * 60 * 1000 } as const;

/**
 * Form tokens for API clients, per client address. Its own limit, so fetching tokens never uses up the
 * referrals a person may send, and generous: a person needs one token per form.
 */
export const FORM_TOKEN_RATE_LIMIT = { max: 30, timeWindowMs: 60 * 1000 } as const;

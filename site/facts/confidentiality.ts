/**
 * The confidentiality statement people agree to on the referral form.
 * It is versioned: change `version` whenever the wording changes, so that each
 * referral records exactly which version the person agreed to.
 * Modelled on sector norms in the domain brief (sections 4 and 5.3). Safer Lives' own statement was not found
 * (brief, Corrections of 2 December 2026), so this is a MODEL: the agency and a solicitor must agree it before
 * launch. `modelNotice` says so wherever the statement is shown.
 */
export const confidentialityStatement = {
  version: '2026-12-02.1',
  title: 'What we keep private, and when we cannot',
  paragraphs: [
    'We are an independent service. You are our client. We are not part of the police, the courts or children’s services.',
    'What you tell us stays with us. We do not pass it on to the police or anyone else, except in the cases listed below.',
    'If we need to share something, we will try to talk to you first. We will not do this if talking to you first would put someone at risk.',
    'We only share what is needed to keep someone safe.',
    'If you agreed to it, we may contact your GP if we are very worried about your safety and we cannot reach you.',
    'A court can order us to hand over our records. Notes of support like ours are not usually protected from this the way that advice from your solicitor is.',
  ],
  limits: [
    'A child is at risk of harm.',
    'Your life, or someone else’s life, is at risk.',
    'You tell us about offences that the police do not know about.',
  ],
  modelNotice:
    'This statement is a model. Our organisation and a solicitor must agree the final wording before this service opens. Ask us if anything in it is unclear.',
} as const;

export type ConfidentialityStatement = typeof confidentialityStatement;

/**
 * The anonymous feedback questions: what the agency says its clients value (a safe space to talk, not being
 * judged, work that fits him), plus feeling safer, knowing what to expect from the justice process and whether
 * he would recommend us. Plain English; every question can be skipped. One source for the form, the stored
 * columns (db/schema/feedback.ts), the dashboard and the data dictionary.
 */
export const FEEDBACK_QUESTIONS = [
  { id: 'talk', column: 'talk', text: 'I could talk about things that matter to me.' },
  { id: 'notJudged', column: 'not_judged', text: 'I did not feel judged.' },
  { id: 'fitsMe', column: 'fits_me', text: 'The support fitted me and what I needed.' },
  { id: 'safer', column: 'safer', text: 'I feel safer than before I came to you.' },
  {
    id: 'knowWhatToExpect',
    column: 'know_what_to_expect',
    text: 'I know more about what to expect from the police and courts.',
  },
  { id: 'recommend', column: 'recommend', text: 'I would tell someone in my position to come to you.' },
] as const;
export type FeedbackQuestionId = (typeof FEEDBACK_QUESTIONS)[number]['id'];

/** The five-point scale, 1 to 5. */
export const FEEDBACK_SCALE = [
  { value: 1, label: 'Strongly disagree' },
  { value: 2, label: 'Disagree' },
  { value: 3, label: 'Not sure' },
  { value: 4, label: 'Agree' },
  { value: 5, label: 'Strongly agree' },
] as const;

export const FEEDBACK_COMMENT_FIELD = 'comment';
export const FEEDBACK_COMMENT_LIMIT = 2000;
export const FEEDBACK_COMMENT_LABEL = 'Is there anything else you want to tell us? (You can leave this empty.)';

/** Offer the form after this many appointments, as well as when a referral closes. */
export const FEEDBACK_AFTER_SESSIONS = 3;
/** How long a one-time link or card stays valid. */
export const FEEDBACK_CODE_DAYS = 60;

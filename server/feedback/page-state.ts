/** What /feedback shows, decided by server/feedback/routes.ts and rendered by site/pages/feedback.astro. */
export type FeedbackPageState =
  | {
      view: 'form';
      status: 200 | 400 | 422 | 429;
      code: string;
      /** What he chose or typed, kept when something needs fixing. */
      values: Record<string, string>;
      errors: Record<string, string>;
      notice: 'code_not_valid' | 'rate_limited' | null;
    }
  | { view: 'thanks'; status: 200 }
  | { view: 'problem'; status: 400 | 403 | 413 | 415 };

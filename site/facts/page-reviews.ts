/**
 * Review state and sources of the public pages that are Astro pages, not Markdown (the Markdown pages keep
 * theirs in frontmatter). Same shape (ReviewMeta) and same checks: see site/facts/review.ts.
 * Every fact these pages state comes from these sources or from site/facts/*.ts (which cite their own).
 */
import { calendarDate, type ReviewMeta } from './review.ts';

export interface AstroPageReview extends ReviewMeta {
  path: string;
  title: string;
}

const nota = {
  title: 'NOTA: Working effectively with online offenders, the Safer Lives experience',
  url: 'https://www.nota.co.uk/working-effectively-with-online-offenders-the-safer-lives-experience-jenny-greensmith/',
};
const collegeOfPolicing = {
  title: 'College of Policing: Safer Lives, support for people identified as having possession of images of children',
  url: 'https://www.college.police.uk/support-forces/practices/safer-lives-support-people-identified-having-possession-images-children',
};
const iopcTriggers = {
  title: 'IOPC: learning on suicide risk after police contact',
  url: 'https://policeconduct.gov.uk/node/4223',
};
const nhsUrgent = {
  title: 'NHS: Where to get urgent help for your mental health',
  url: 'https://www.nhs.uk/nhs-services/mental-health-services/where-to-get-urgent-help-for-mental-health/',
};

export const pageReviews = {
  home: {
    path: '/',
    title: 'Home',
    lastChecked: calendarDate('2026-12-02'),
    reviewedBy: ['not yet reviewed'],
    needsReviewBy: ['safeguarding lead', 'clinician'],
    nextReview: calendarDate('2027-06-02'),
    sources: [nota, collegeOfPolicing, nhsUrgent],
  },
  whatHappensNext: {
    path: '/what-happens-next/',
    title: 'What happens next',
    lastChecked: calendarDate('2026-12-02'),
    reviewedBy: ['not yet reviewed'],
    needsReviewBy: ['solicitor'],
    nextReview: calendarDate('2027-03-02'),
    sources: [
      {
        title: 'GOV.UK: Being arrested, your rights',
        url: 'https://www.gov.uk/arrested-your-rights',
      },
      {
        title: 'Crown Prosecution Service: Indecent and prohibited images of children',
        url: 'https://www.cps.gov.uk/legal-guidance/indecent-and-prohibited-images-children',
      },
      {
        title: 'Sentencing Act 2026 (legislation.gov.uk)',
        url: 'https://www.legislation.gov.uk/ukpga/2026/2/contents',
      },
      {
        title: 'Sexual Offences Act 2003, Part 2 (notification)',
        url: 'https://www.legislation.gov.uk/ukpga/2003/42/part/2',
      },
      {
        title: "Stop It Now: Children's services will be involved in your family",
        url: 'https://www.stopitnow.org.uk/concerned-about-your-own-thoughts-or-behaviour/concerned-about-use-of-the-internet/get-the-facts/consequences/childrens-services-will-be-involved-in-your-family/',
      },
    ],
  },
  leaflet: {
    path: '/for-professionals/leaflet/',
    title: 'Printable leaflet for professionals',
    lastChecked: calendarDate('2026-12-02'),
    reviewedBy: ['not yet reviewed'],
    needsReviewBy: ['safeguarding lead'],
    nextReview: calendarDate('2027-06-02'),
    sources: [nota, collegeOfPolicing, iopcTriggers, nhsUrgent],
  },
  refer: {
    path: '/refer/',
    title: 'Refer yourself',
    lastChecked: calendarDate('2026-12-02'),
    reviewedBy: ['not yet reviewed'],
    needsReviewBy: ['safeguarding lead', 'clinician', 'solicitor'],
    nextReview: calendarDate('2027-06-02'),
    sources: [
      nota,
      collegeOfPolicing,
      nhsUrgent,
      {
        title: 'ICO: What are the rules on criminal offence data?',
        url: 'https://ico.org.uk/for-organisations/guide-to-data-protection/guide-to-the-general-data-protection-regulation-gdpr/criminal-offence-data/what-are-the-rules-on-criminal-offence-data/',
      },
    ],
  },
} satisfies Record<string, AstroPageReview>;

export type AstroPageId = keyof typeof pageReviews;
export const astroPageReviews: readonly AstroPageReview[] = Object.values(pageReviews);

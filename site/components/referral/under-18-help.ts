/**
 * Where we point someone under 18. Nothing he typed is stored. Childline and Shore are not in the domain
 * brief's crisis-line table: [VERIFY] numbers, hours and addresses before launch (checked from general
 * knowledge, not from a stored source). The all-ages crisis lines come from site/data/crisis-lines.ts.
 */
export interface YouthService {
  name: string;
  /** Text before the link, the link's text, and text after it: "Call <0800 1111>, free, any time." */
  before: string;
  linkText: string;
  href: string;
  after: string;
  description: string;
}

export const under18Services: readonly YouthService[] = [
  {
    name: 'Childline',
    before: 'call',
    linkText: '0800\u00a01111',
    href: 'tel:08001111',
    after: ', free, any time.',
    description: 'For anyone under 19. You can talk about anything. Calls do not show on your phone bill.',
  },
  {
    name: 'Shore',
    before: 'visit',
    linkText: 'shorespace.org.uk',
    href: 'https://shorespace.org.uk/',
    after: '.',
    description:
      'For young people who are worried about their own sexual thoughts or behaviour, or something they have done online. Run by the Lucy Faithfull Foundation.',
  },
];

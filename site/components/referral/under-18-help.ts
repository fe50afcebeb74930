/**
 * Where we point someone under 18. Nothing he typed is stored. Childline and Shore are not in the domain
 * brief's crisis-line table: [VERIFY] numbers, hours and addresses before launch (checked from general
 * knowledge, not from a stored source). The all-ages crisis lines come from site/data/crisis-lines.ts.
 */
export interface YouthService {
  name: string;
  how: string;
  href: string;
  description: string;
}

export const under18Services: readonly YouthService[] = [
  {
    name: 'Childline',
    how: 'Call 0800 1111, free, any time',
    href: 'tel:08001111',
    description: 'For anyone under 19. You can talk about anything. Calls do not show on your phone bill.',
  },
  {
    name: 'Shore',
    how: 'shorespace.org.uk',
    href: 'https://shorespace.org.uk/',
    description:
      'For young people who are worried about their own sexual thoughts or behaviour, or something they have done online. Run by the Lucy Faithfull Foundation.',
  },
];

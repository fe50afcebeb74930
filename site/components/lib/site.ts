/** Site-wide links, defined once for the header, footer and tests. */
export const quickExitUrl = 'https://www.bbc.co.uk/weather';
export const referUrl = '/refer/';
export const crisisHelpId = 'crisis-help';
export const crisisLinesId = 'crisis-lines';

export interface NavLink {
  href: string;
  label: string;
}

export const mainNav: readonly NavLink[] = [
  { href: '/what-happens-next/', label: 'What happens next' },
  { href: '/looking-after-yourself/', label: 'Looking after yourself' },
  { href: '/family-and-partners/', label: 'Family and partners' },
  { href: '/for-professionals/', label: 'For professionals' },
  { href: '/about/', label: 'About us' },
];

export const footerNav: readonly NavLink[] = [
  { href: '/privacy/', label: 'Privacy notice' },
  { href: '/accessibility/', label: 'Accessibility statement' },
  { href: '/browsing-safely/', label: 'Browsing safely' },
];

/** True when `href` is the current page or a section the current page belongs to (journey stages count as "What happens next"). */
export function isCurrent(href: string, pathname: string): boolean {
  const path = pathname.endsWith('/') ? pathname : `${pathname}/`;
  if (href === '/what-happens-next/' && path.startsWith('/journey/')) return true;
  return path === href || (href !== '/' && path.startsWith(href));
}

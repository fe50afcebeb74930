/**
 * The one typed organisation config.
 * Only facts supported by the domain brief and the NOTA article are stated here.
 * No office addresses or phone numbers: add them only when the organisation supplies them.
 */
export interface Office {
  id: 'leeds' | 'manchester';
  name: string;
  city: string;
  nation: 'england-and-wales';
}

export interface Organisation {
  name: string;
  shortDescription: string;
  contactEmail: string;
  offices: readonly Office[];
  remoteSupport: string;
  firstContactDays: 7;
  /** The honest note on fees (the service charges; the College of Policing entry says so). null hides it. */
  fees: { text: string } | null;
  leaflet: { heading: string; lines: readonly string[] };
}

export const organisation: Organisation = {
  name: 'Safer Lives',
  shortDescription:
    'One-to-one support for men under police investigation for online sexual offences, with honest information about what happens next.',
  contactEmail: 'info@saferlives.com',
  offices: [
    { id: 'leeds', name: 'Leeds office', city: 'Leeds', nation: 'england-and-wales' },
    { id: 'manchester', name: 'Manchester office', city: 'Manchester', nation: 'england-and-wales' },
  ],
  remoteSupport: 'We also work with people from anywhere in the UK, not only near our offices.',
  firstContactDays: 7,
  fees: {
    text: 'We charge fees for our work. We will explain the cost when we first contact you, before you agree to anything. Please do not let worry about cost stop you asking for help.',
  },
  leaflet: {
    heading: 'Support for men under police investigation for online sexual offences',
    lines: [
      'We give one-to-one support to men under police investigation for online sexual offences.',
      'The risk of suicide is very high in the first days after police contact. Please tell people about us early.',
      'We give honest information about what happens next, and help people to plan a future worth having.',
      'People must refer themselves. They can use the form on our website or email us.',
      'We make first contact within 7 days, and sooner if someone tells us they are struggling.',
      'We are independent. We are honest about the limits of confidentiality, for example if a child is at risk.',
      'We charge fees. We explain the cost at first contact. Cost need not stop anyone asking.',
      'We have offices in Leeds and Manchester, and work with people from anywhere in the UK.',
      'Email: info@saferlives.com',
    ],
  },
};

import { describe, expect, it } from 'vitest';
import { formNameFor } from '../../../server/backoffice/plugin.ts';

/** A form kept at the idle timeout comes back in the form it was typed in: the names match the record's forms. */
describe('formNameFor', () => {
  const id = '0b6a8a52-3c1e-4d0a-9b43-2f6f7b1f0c11';
  const appointment = '5d7e2c1a-8f3b-4a6e-b2d9-0c4e6f8a1b23';
  it('names the record forms by the address they post to', () => {
    expect(formNameFor(`/staff/referrals/${id}/contact-attempts`)).toBe('contact');
    expect(formNameFor(`/staff/referrals/${id}/close`)).toBe('status');
    expect(formNameFor(`/staff/referrals/${id}/notes`)).toBe('notes');
  });
  it('names an appointment form after its appointment, as the route names its errors', () => {
    expect(formNameFor(`/staff/referrals/${id}/appointments/${appointment}/reschedule`)).toBe(
      `appointment-${appointment}`,
    );
    expect(formNameFor(`/staff/referrals/${id}/appointments/${appointment}/cancel`)).toBe(`cancel-${appointment}`);
    expect(formNameFor(`/staff/referrals/${id}/appointments`)).toBe('appointment');
  });
});

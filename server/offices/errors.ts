/** A change an admin asked for that cannot be made, with a message that can be shown to them as it is. */
export class OfficeSettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OfficeSettingsError';
  }
}

import { eq, lt } from 'drizzle-orm';
import { formDrafts } from '../../db/schema/form-drafts.ts';
import type { PortalDb } from '../../db/client.ts';
import type { DbWriter } from '../../db/writer.ts';
import { decryptJson, encryptJson, type Keyring } from '../security/field-encryption.ts';

/**
 * Text typed into a form is never lost to the idle timeout. A form that arrives after the session ended is kept
 * here (encrypted, tied to the person whose session it was), and after they sign in again it goes back into the
 * form it came from, with a message asking them to check it and send it again. It is never saved as if sent:
 * they may have walked away, and someone else may have pressed the button.
 */

/** A draft older than this is dropped (the longest a session lasts). */
export const FORM_DRAFT_TTL_MS = 12 * 60 * 60_000;
const MAX_FIELDS = 40;
const MAX_VALUE = 20_000;

export interface FormDraft {
  /** The screen to put it back on (a /staff path, never with personal data). */
  returnPath: string;
  /** Which form on that screen (the flash `form` name). */
  form: string;
  values: Record<string, string>;
}

/** The AAD that binds a kept form to its owner (also used by key rotation). */
export const formDraftAad = (staffId: string): string => `form-draft:${staffId}`;
const aad = formDraftAad;

/** Only text fields, without the CSRF token; long values are kept whole up to a generous limit. */
export function draftValues(body: Record<string, unknown>): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(body)) {
    if (key === '_csrf' || Object.keys(values).length >= MAX_FIELDS) continue;
    const first = Array.isArray(value) ? value[0] : value;
    if (typeof first === 'string') values[key] = first.slice(0, MAX_VALUE);
  }
  return values;
}

export function saveFormDraft(db: DbWriter, keyring: Keyring, staffId: string, draft: FormDraft, now: Date): void {
  const draftEnc = encryptJson(keyring, draft, aad(staffId));
  db.insert(formDrafts)
    .values({ staffId, draftEnc, createdAt: now })
    .onConflictDoUpdate({ target: formDrafts.staffId, set: { draftEnc, createdAt: now } })
    .run();
}

/** The person's kept draft, removed as it is read. Null when there is none (or it is too old or unreadable). */
export function takeFormDraft(db: PortalDb, keyring: Keyring, staffId: string, now: Date): FormDraft | null {
  const row = db.select().from(formDrafts).where(eq(formDrafts.staffId, staffId)).get();
  if (!row) return null;
  db.delete(formDrafts).where(eq(formDrafts.staffId, staffId)).run();
  if (now.getTime() - row.createdAt.getTime() > FORM_DRAFT_TTL_MS) return null;
  try {
    const value = decryptJson(keyring, row.draftEnc, aad(staffId)) as FormDraft;
    if (typeof value?.returnPath !== 'string' || typeof value.form !== 'string' || typeof value.values !== 'object')
      return null;
    return value;
  } catch {
    return null;
  }
}

export function hasFormDraft(db: PortalDb, staffId: string): boolean {
  return !!db.select({ id: formDrafts.staffId }).from(formDrafts).where(eq(formDrafts.staffId, staffId)).get();
}

export function purgeOldFormDrafts(db: DbWriter, now: Date): number {
  return db
    .delete(formDrafts)
    .where(lt(formDrafts.createdAt, new Date(now.getTime() - FORM_DRAFT_TTL_MS)))
    .run().changes;
}

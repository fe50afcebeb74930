import type { PortalDb } from '../../db/client.ts';
import { casenoteAad } from '../casework/types.ts';
import {
  CHANNEL_LABELS,
  CLOSED_REASON_LABELS,
  OUTCOME_LABELS,
  PRIORITY_LABELS,
  STATUS_LABELS,
} from '../casework/statuses.ts';
import { bodyAad, recipientsAad } from '../mail/outbox.ts';
import { referralDisplayGroups } from '../referrals/display.ts';
import { questionById } from '../referrals/questions.ts';
import { decryptAnswers, decryptTriage } from '../referrals/store.ts';
import { decryptField, decryptJson, type Keyring } from '../security/field-encryption.ts';
import { clientOf } from './delete.ts';
import { outboxIdsFor } from './delete.ts';

/**
 * The subject access bundle for one referral: everything we hold about him, in sections. Free text that staff
 * or he wrote is a separate item, so a manager can review it (and redact other people's details) before release;
 * items that seem to name other people are marked and shown first.
 */

export interface FreeTextItem {
  id: string;
  /** Where it comes from, e.g. "Case note, 3 March 2026". */
  context: string;
  text: string;
  /** The text seems to name or describe other people (a relation word or a capitalised name). */
  mentionsOthers: boolean;
}

export interface BundleRow {
  cells: string[];
  /** A free-text item shown in this row (after review). */
  textId?: string;
}

export interface BundleSection {
  id: string;
  title: string;
  columns: string[];
  rows: BundleRow[];
}

export interface SubjectAccessBundle {
  reference: string;
  producedAt: string;
  sections: BundleSection[];
  freeText: FreeTextItem[];
}

const RELATION_WORDS =
  /\b(wife|husband|partner|girlfriend|boyfriend|ex|son|daughter|child|children|kids?|baby|brother|sister|mother|father|mum|mom|dad|parents?|grandparents?|friend|neighbour|colleague|boss|teacher|victim|solicitor|officer|social worker|stepson|stepdaughter|nephew|niece|cousin|uncle|aunt)\b/i;

/** A cautious guess: staff review every item anyway; these are listed first. */
export function mentionsOtherPeople(text: string, hisNameParts: readonly string[]): boolean {
  if (RELATION_WORDS.test(text)) return true;
  const words = text.match(/(?<![.!?]\s|^)\b[A-Z][a-z]{2,}\b/g) ?? [];
  const own = new Set(hisNameParts.map((part) => part.toLowerCase()));
  return words.some((word) => !own.has(word.toLowerCase()) && !COMMON_CAPITALISED.has(word));
}
const COMMON_CAPITALISED = new Set([
  'I',
  'He',
  'She',
  'The',
  'Monday',
  'Tuesday',
  'Wednesday',
  'Thursday',
  'Friday',
  'Saturday',
  'Sunday',
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
  'Leeds',
  'Manchester',
  'Police',
  'Samaritans',
  'GP',
]);

const londonDateTime = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  dateStyle: 'long',
  timeStyle: 'short',
});
const at = (ms: number | Date) => londonDateTime.format(new Date(ms));

type Row = Record<string, unknown>;

export function buildSubjectAccessBundle(
  db: PortalDb,
  keyring: Keyring,
  referralId: string,
  now: Date,
): SubjectAccessBundle | null {
  const sqlite = db.$client;
  const referral = sqlite.prepare('SELECT * FROM referrals WHERE id = ?').get(referralId) as Row | undefined;
  if (!referral) return null;
  const staffName = new Map(
    (sqlite.prepare('SELECT id, name FROM staff_users').all() as Array<{ id: string; name: string }>).map((r) => [
      r.id,
      r.name,
    ]),
  );
  const who = (id: unknown) => (typeof id === 'string' ? (staffName.get(id) ?? 'A member of staff') : 'The system');
  const answers = decryptAnswers(keyring, referralId, referral.answers_enc as string);
  const nameParts = String((answers as Record<string, unknown>).name ?? '')
    .split(/\s+/)
    .filter(Boolean);
  const freeText: FreeTextItem[] = [];
  const addText = (id: string, context: string, text: string | null): string | undefined => {
    if (!text) return undefined;
    freeText.push({ id, context, text, mentionsOthers: mentionsOtherPeople(text, nameParts) });
    return id;
  };
  const sections: BundleSection[] = [];

  const answerRows: BundleRow[] = [];
  for (const group of referralDisplayGroups(answers)) {
    for (const item of group.items) {
      const question = questionById(item.questionId);
      if (question?.kind === 'textarea' && item.value !== 'Not answered') {
        const textId = addText(`answer:${item.questionId}`, `His answer: ${item.label}`, item.value);
        answerRows.push({ cells: [group.section, item.label, ''], ...(textId ? { textId } : {}) });
      } else {
        answerRows.push({ cells: [group.section, item.label, item.value] });
      }
    }
  }
  sections.push({
    id: 'answers',
    title: 'What he told us when he referred himself',
    columns: ['Part', 'Question', 'Answer'],
    rows: answerRows,
  });

  const triage = decryptTriage(keyring, referralId, referral.triage_enc as string);
  const triageRows: BundleRow[] = [
    { cells: ['Received', at(referral.received_at as number)] },
    { cells: ['Priority given', PRIORITY_LABELS[triage.result.priority]] },
    { cells: ['Contact him by', at(referral.contact_by as number)] },
    ...triage.result.reasons.map((reason) => ({ cells: ['Reason for the priority', reason.text] })),
    ...triage.result.flags.map((flag) => ({ cells: ['Noted for staff', flag.text] })),
  ];
  for (const row of sqlite
    .prepare('SELECT * FROM priority_overrides WHERE referral_id = ? ORDER BY created_at')
    .all(referralId) as Row[]) {
    const reason = decryptField(keyring, row.reason_enc as string, casenoteAad('priority_overrides', row.id as string));
    const textId = addText(
      `priority:${String(row.id)}`,
      `Reason for a priority change, ${at(row.created_at as number)}`,
      reason,
    );
    triageRows.push({
      cells: [
        `Priority changed by ${who(row.staff_id)}, ${at(row.created_at as number)}`,
        `${PRIORITY_LABELS[row.from_priority as 'today'] ?? String(row.from_priority)} to ${PRIORITY_LABELS[row.to_priority as 'today'] ?? String(row.to_priority)}`,
      ],
      ...(textId ? { textId } : {}),
    });
  }
  sections.push({ id: 'triage', title: 'Triage and priority history', columns: ['What', 'Detail'], rows: triageRows });

  sections.push({
    id: 'attempts',
    title: 'Every attempt to contact him',
    columns: ['When', 'By', 'How', 'What happened'],
    rows: (
      sqlite
        .prepare('SELECT * FROM contact_attempts WHERE referral_id = ? ORDER BY attempted_at')
        .all(referralId) as Row[]
    ).map((row) => {
      const note = row.note_enc
        ? decryptField(keyring, row.note_enc as string, casenoteAad('contact_attempts', row.id as string))
        : null;
      const textId = addText(
        `attempt:${String(row.id)}`,
        `Note on a contact attempt, ${at(row.attempted_at as number)}`,
        note,
      );
      return {
        cells: [
          at(row.attempted_at as number),
          who(row.staff_id),
          CHANNEL_LABELS[row.channel as 'phone'] ?? String(row.channel),
          OUTCOME_LABELS[row.outcome as 'spoke'] ?? String(row.outcome),
        ],
        ...(textId ? { textId } : {}),
      };
    }),
  });

  sections.push({
    id: 'appointments',
    title: 'Appointments',
    columns: ['When', 'How', 'Booked by'],
    rows: (
      sqlite.prepare('SELECT * FROM appointments WHERE referral_id = ? ORDER BY starts_at').all(referralId) as Row[]
    ).map((row) => {
      const late = row.late_reason_enc
        ? decryptField(keyring, row.late_reason_enc as string, casenoteAad('appointments', row.id as string))
        : null;
      const textId = addText(`appointment:${String(row.id)}`, `Why an appointment was later than 7 days`, late);
      return {
        cells: [
          at(row.starts_at as number),
          row.mode === 'office' ? 'At the office' : 'Phone or video',
          who(row.booked_by),
        ],
        ...(textId ? { textId } : {}),
      };
    }),
  });

  sections.push({
    id: 'notes',
    title: 'Case notes',
    columns: ['When', 'By'],
    rows: (
      sqlite.prepare('SELECT * FROM case_notes WHERE referral_id = ? ORDER BY created_at').all(referralId) as Row[]
    ).map((row) => {
      const body = decryptField(keyring, row.body_enc as string, casenoteAad('case_notes', row.id as string));
      const textId = addText(`note:${String(row.id)}`, `Case note, ${at(row.created_at as number)}`, body);
      return { cells: [at(row.created_at as number), who(row.staff_id)], ...(textId ? { textId } : {}) };
    }),
  });

  sections.push({
    id: 'statuses',
    title: 'Status changes',
    columns: ['When', 'By', 'From', 'To', 'Closing reason'],
    rows: (
      sqlite.prepare('SELECT * FROM status_changes WHERE referral_id = ? ORDER BY changed_at').all(referralId) as Row[]
    ).map((row) => ({
      cells: [
        at(row.changed_at as number),
        who(row.staff_id),
        STATUS_LABELS[row.from_status as 'new'] ?? String(row.from_status),
        STATUS_LABELS[row.to_status as 'new'] ?? String(row.to_status),
        row.closed_reason ? (CLOSED_REASON_LABELS[row.closed_reason as 'declined'] ?? String(row.closed_reason)) : '',
      ],
    })),
  });

  const emails: BundleRow[] = [];
  db.transaction((tx) => {
    const ids = outboxIdsFor(tx, referralId);
    for (const id of ids) {
      const row = clientOf(tx)
        .prepare("SELECT * FROM outbox_messages WHERE id = ? AND kind = 'referral_acknowledgement'")
        .get(id) as Row | undefined;
      if (!row) continue;
      const to = decryptJson(keyring, row.recipients_enc as string, recipientsAad(id)) as string[];
      const body = decryptField(keyring, row.body_enc as string, bodyAad(id));
      emails.push({
        cells: [
          at(row.created_at as number),
          to.join(', ') || '(address no longer kept)',
          String(row.subject),
          body || '(the text is no longer kept: sent emails are kept for a short time only)',
        ],
      });
    }
  });
  sections.push({
    id: 'emails',
    title: 'Emails we sent to him',
    columns: ['Queued', 'To', 'Subject', 'Text'],
    rows: emails,
  });

  sections.push({
    id: 'access',
    title: 'Who looked at or changed his record, and when',
    columns: ['When', 'Who', 'What'],
    rows: (
      sqlite
        .prepare('SELECT at, actor_id, action FROM audit_events WHERE referral_id = ? ORDER BY seq')
        .all(referralId) as Row[]
    ).map((row) => ({ cells: [at(row.at as number), who(row.actor_id), String(row.action).replace(/_/g, ' ')] })),
  });

  freeText.sort((a, b) => Number(b.mentionsOthers) - Number(a.mentionsOthers));
  return { reference: String(referral.reference), producedAt: now.toISOString(), sections, freeText };
}

/** Applies the reviewed (possibly redacted) texts; returns how many were changed. */
export function applyReview(bundle: SubjectAccessBundle, reviewed: Record<string, string>): number {
  let changed = 0;
  for (const item of bundle.freeText) {
    const text = reviewed[item.id];
    if (typeof text === 'string' && text !== item.text) {
      item.text = text;
      changed += 1;
    }
  }
  return changed;
}

const escapeHtml = (value: string) =>
  value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Printable HTML: a cover page, then one printed page per section. No scripts, no external resources. */
export function bundleHtml(bundle: SubjectAccessBundle): string {
  const texts = new Map(bundle.freeText.map((item) => [item.id, item.text]));
  const sections = bundle.sections
    .map((section) => {
      const rows = section.rows.length
        ? section.rows
            .map((row) => {
              const cells = row.cells.map((cell) => `<td>${escapeHtml(cell)}</td>`).join('');
              const text = row.textId ? texts.get(row.textId) : undefined;
              return `<tr>${cells}</tr>${text !== undefined ? `<tr><td colspan="${section.columns.length}" class="text">${escapeHtml(text)}</td></tr>` : ''}`;
            })
            .join('\n')
        : `<tr><td colspan="${section.columns.length}">None.</td></tr>`;
      return `<section id="${section.id}"><h2>${escapeHtml(section.title)}</h2><table><thead><tr>${section.columns
        .map((c) => `<th scope="col">${escapeHtml(c)}</th>`)
        .join('')}</tr></thead><tbody>\n${rows}\n</tbody></table></section>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<title>Your information: ${escapeHtml(bundle.reference)}</title>
<style>
body { font-family: Arial, sans-serif; font-size: 12pt; line-height: 1.4; margin: 2em; color: #000; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #555; padding: 4px 6px; text-align: left; vertical-align: top; }
td.text { white-space: pre-wrap; background: #f3f3f3; }
section, .cover { break-after: page; page-break-after: always; }
section:last-child { break-after: auto; page-break-after: auto; }
@media print { body { margin: 0; } }
</style>
</head>
<body>
<div class="cover">
<h1>The information we hold about you</h1>
<p>Reference: ${escapeHtml(bundle.reference)}</p>
<p>Produced: ${escapeHtml(at(new Date(bundle.producedAt)))}</p>
<p>Each part starts on a new page. Where we removed details about other people, you will see [redacted].</p>
</div>
${sections}
</body>
</html>
`;
}

/** The same bundle as JSON, with the reviewed texts in place. */
export function bundleJson(bundle: SubjectAccessBundle): string {
  const texts = new Map(bundle.freeText.map((item) => [item.id, item.text]));
  return JSON.stringify(
    {
      reference: bundle.reference,
      producedAt: bundle.producedAt,
      sections: bundle.sections.map((section) => ({
        id: section.id,
        title: section.title,
        rows: section.rows.map((row) => {
          const record: Record<string, string> = {};
          section.columns.forEach((column, i) => (record[column] = row.cells[i] ?? ''));
          if (row.textId) record.text = texts.get(row.textId) ?? '';
          return record;
        }),
      })),
    },
    null,
    2,
  );
}

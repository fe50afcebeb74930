import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../db/client.ts';
import { migrateDatabase } from '../../../db/migrate.ts';
import { seedOffices, setCaseworkerPattern } from '../../../server/offices/index.ts';
import { projectRoot } from '../../../server/site-files.ts';
import { confidentialityStatement } from '../../../site/facts/confidentiality.ts';
import { addStaff } from '../alerts/support.ts';

const run = promisify(execFile);
const fixtures = join(projectRoot, 'tests/fixtures/referrals');

interface Explained {
  stdout: string;
  stderr: string;
  code: number;
}

/** Runs the real command line, as staff would, in a child process. */
async function explain(args: string[]): Promise<Explained> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'scripts/triage-explain.ts', ...args], {
      cwd: projectRoot,
      timeout: 100_000,
    });
    return { stdout, stderr, code: 0 };
  } catch (error) {
    const failed = error as { stdout: string; stderr: string; code: number };
    return { stdout: failed.stdout, stderr: failed.stderr, code: failed.code };
  }
}

const noCaseworker = (start: string) => ({
  kind: 'deadline_fallback',
  start,
  reasonId: 'no_caseworker_rostered',
  reason: 'no caseworker is rostered in office hours before the deadline',
});

const RULES = '2026-11-29.1';

/** Each fixture, the time it arrives, and what the rules must say: written by hand from the issue, not recorded. */
const cases: Array<[string, string, Record<string, unknown>]> = [
  [
    'no-urgent-answers.json',
    '2026-12-03T10:00:00Z', // Thursday
    {
      priority: 'within_7_days',
      reasons: [
        {
          ruleId: 'no_urgent_answers',
          priority: 'within_7_days',
          text: 'no urgent answers: first contact within 7 days',
        },
      ],
      flags: [],
      contactBy: '2026-12-10T17:00:00.000Z', // the end of the last working day within 7 days
      proposedSlot: noCaseworker('2026-12-10T16:30:00.000Z'),
      ruleVersion: RULES,
      officeId: 'leeds',
      contactByNotes: [],
    },
  ],
  [
    'plan-and-not-safe.json',
    '2026-12-04T19:30:00Z', // Friday evening, out of hours
    {
      priority: 'today',
      reasons: [
        { ruleId: 'plan_or_steps_taken', priority: 'today', text: 'has made a plan or taken steps to end his life' },
        { ruleId: 'not_able_to_keep_safe', priority: 'today', text: 'says he is not able to keep himself safe' },
        {
          ruleId: 'thoughts_of_ending_life',
          priority: 'next_working_day',
          text: 'has had thoughts of ending his life (often) since police contact',
        },
      ],
      flags: [],
      contactBy: '2026-12-07T11:00:00.000Z', // first thing Monday: opening plus two hours
      proposedSlot: noCaseworker('2026-12-07T10:30:00.000Z'),
      ruleVersion: RULES,
      officeId: 'leeds',
      contactByNotes: [],
    },
  ],
  [
    'not-sure-keep-safe.json',
    '2026-12-03T10:00:00Z', // in hours: today means by close of play
    {
      priority: 'today',
      reasons: [
        { ruleId: 'not_able_to_keep_safe', priority: 'today', text: 'is not sure he can keep himself safe' },
        {
          ruleId: 'thoughts_of_ending_life',
          priority: 'next_working_day',
          text: 'has had thoughts of ending his life (sometimes) since police contact',
        },
      ],
      flags: [],
      contactBy: '2026-12-03T17:00:00.000Z',
      proposedSlot: noCaseworker('2026-12-03T16:30:00.000Z'),
      ruleVersion: RULES,
      officeId: 'leeds',
      contactByNotes: [],
    },
  ],
  [
    'thoughts-sometimes-at-christmas.json',
    '2026-12-24T15:00:00Z', // Christmas Eve; 25th, 26th (Sat) and Monday 28th (Boxing Day substitute) are off
    {
      priority: 'next_working_day',
      reasons: [
        {
          ruleId: 'thoughts_of_ending_life',
          priority: 'next_working_day',
          text: 'has had thoughts of ending his life (sometimes) since police contact; he preferred not to say whether he has made a plan',
        },
      ],
      flags: [],
      contactBy: '2026-12-29T17:00:00.000Z',
      proposedSlot: noCaseworker('2026-12-29T16:30:00.000Z'),
      ruleVersion: RULES,
      officeId: 'manchester',
      contactByNotes: [],
    },
  ],
  [
    'arrested-yesterday.json',
    '2026-12-01T10:00:00Z',
    {
      priority: 'next_working_day',
      reasons: [
        {
          ruleId: 'recent_police_contact',
          priority: 'next_working_day',
          text: 'arrested yesterday: the first 48 hours after police contact carry the highest risk',
        },
      ],
      flags: [],
      contactBy: '2026-12-02T17:00:00.000Z',
      proposedSlot: noCaseworker('2026-12-02T16:30:00.000Z'),
      ruleVersion: RULES,
      officeId: 'leeds',
      contactByNotes: [],
    },
  ],
  [
    'court-date-before-next-working-day.json',
    '2026-12-04T10:00:00Z', // Friday; court on Monday, so contact must be today, before the weekend
    {
      priority: 'next_working_day',
      reasons: [
        { ruleId: 'upcoming_trigger_date', priority: 'next_working_day', text: 'court date in 3 days (Mon 7 Dec)' },
      ],
      flags: [],
      contactBy: '2026-12-04T17:00:00.000Z',
      proposedSlot: noCaseworker('2026-12-04T16:30:00.000Z'),
      ruleVersion: RULES,
      officeId: 'leeds',
      contactByNotes: [],
    },
  ],
  [
    'flags-email-only-remote.json',
    '2026-06-15T08:00:00Z', // Monday 09:00 in London (BST)
    {
      priority: 'within_7_days',
      reasons: [
        {
          ruleId: 'no_urgent_answers',
          priority: 'within_7_days',
          text: 'no urgent answers: first contact within 7 days',
        },
      ],
      flags: [
        { id: 'children_in_household', text: 'children live in his household' },
        { id: 'children_in_regular_contact', text: 'he is in regular contact with children' },
        { id: 'social_care_involved', text: "children's social care is already involved" },
        { id: 'no_gp', text: 'no GP details given' },
        { id: 'no_voicemail', text: 'do not leave a voicemail' },
        { id: 'no_safe_phone', text: 'no phone that is safe to call: contact by email only' },
      ],
      contactBy: '2026-06-22T16:00:00.000Z', // 17:00 BST on day 7
      proposedSlot: noCaseworker('2026-06-22T15:30:00.000Z'),
      ruleVersion: RULES,
      officeId: 'leeds', // remote support is owned by the default office
      contactByNotes: [],
    },
  ],
];

describe('npm run triage:explain', () => {
  it('has fixtures written for the confidentiality statement the form asks for now', () => {
    for (const name of readdirSync(fixtures)) {
      const body = JSON.parse(readFileSync(join(fixtures, name), 'utf8')) as Record<string, unknown>;
      expect(
        body.confidentialityAgreedVersion,
        `update confidentialityAgreedVersion in tests/fixtures/referrals/${name}`,
      ).toBe(confidentialityStatement.version);
    }
  });

  it('explains every fixture exactly as the rules say', async () => {
    const results = await Promise.all(cases.map(([file, at]) => explain(['--at', at, join(fixtures, file)])));
    results.forEach((result, index) => {
      const [file, , expected] = cases[index]!;
      expect(result.code, `${file}: ${result.stderr}`).toBe(0);
      expect(JSON.parse(result.stdout), file).toEqual(expected);
    });
    // One tsx process per fixture, all at once: slow on a busy 2-core machine, never wrong.
  }, 120_000);

  describe('with a real database', () => {
    let dir: string;
    let staffId: string;
    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'explain-db-'));
      const database = openDatabase(join(dir, 'portal.db'));
      await migrateDatabase(database.sqlite);
      const now = new Date('2026-12-01T00:00:00Z');
      seedOffices(database.db, now);
      staffId = addStaff(database.db, { name: 'Alex', offices: ['leeds'] });
      setCaseworkerPattern(
        database.db,
        staffId,
        {
          weekly: [1, 2, 3, 4, 5].map((weekday) => ({ weekday, start: '09:00', end: '17:00' })),
          maxFirstContactsPerDay: 4,
        },
        now,
      );
      database.sqlite.close();
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('proposes a caseworker slot inside his safe times, through the npm script', async () => {
      const { stdout } = await run(
        'npm',
        [
          'run',
          '--silent',
          'triage:explain',
          '--',
          '--at',
          '2026-12-03T10:00:00Z',
          '--db',
          join(dir, 'portal.db'),
          join(fixtures, 'safe-times-afternoon.json'),
        ],
        { cwd: projectRoot, timeout: 30_000 },
      );
      const explained = JSON.parse(stdout) as Record<string, unknown>;
      expect(explained.proposedSlot).toEqual({
        kind: 'slot',
        start: '2026-12-03T12:00:00.000Z',
        end: '2026-12-03T12:30:00.000Z',
        staffId,
        channel: 'phone',
      });
      expect(explained.contactBy).toBe('2026-12-10T17:00:00.000Z');
    });
  });

  it('lists every problem with answers the API would refuse, and exits 1', async () => {
    const result = await explain(['--at', '2026-12-03T10:00:00Z', join(fixtures, 'invalid-answers.json')]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    const { errors } = JSON.parse(result.stderr) as { errors: Array<{ path: string; message: string }> };
    expect(errors.map((error) => error.path)).toEqual(['phone', 'madePlanOrTakenSteps', 'ableToKeepSafe']);
  });

  it('refuses bad command lines with a usage message (exit 2)', async () => {
    const bad: Array<[string[], RegExp]> = [
      [['tests/fixtures/referrals/no-urgent-answers.json'], /--at is required/],
      [['--at', '2026-12-03', 'tests/fixtures/referrals/no-urgent-answers.json'], /ISO time with a zone/],
      [['--at', '2026-12-03T10:00:00Z'], /Usage/],
      [['--at', '2026-12-03T10:00:00Z', 'tests/fixtures/referrals/missing.json'], /Could not read/],
    ];
    const results = await Promise.all(bad.map(([args]) => explain(args)));
    results.forEach((result, index) => {
      expect(result.code, bad[index]![0].join(' ')).toBe(2);
      expect(result.stderr).toMatch(bad[index]![1]);
    });
  }, 60_000); // four Node processes starting at once: slow on a busy machine
});

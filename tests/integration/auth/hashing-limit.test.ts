import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../helpers/app.ts';
import { fixedClock } from '../../../server/clock.ts';
import {
  createHashingLimiter,
  passwordHashing,
  PasswordHashingBusyError,
  useCheaperScryptForTests,
} from '../../../server/security/passwords.ts';
import { enrolStaff, seedTestOffices, StaffClient, type TestStaffMember } from '../backoffice/staff-client.ts';

// The flood test needs hashes that take real time (the production cost), not the cheaper test-suite cost.
beforeAll(() => useCheaperScryptForTests(null));

describe('password hashing limit', () => {
  it('runs at most `concurrency` tasks, queues a few, and refuses the rest at once (a new password always waits)', async () => {
    const limiter = createHashingLimiter({ concurrency: 1, maxQueue: 2, retryAfterSeconds: 7 });
    const releases: Array<() => void> = [];
    const task = () => new Promise<void>((resolve) => releases.push(resolve));
    const first = limiter.run(task, { mustRun: false });
    const queued = [limiter.run(task, { mustRun: false }), limiter.run(task, { mustRun: false })];
    expect(limiter.running).toBe(1);
    expect(limiter.queued).toBe(2);
    const refused = limiter.run(task, { mustRun: false });
    await expect(refused).rejects.toBeInstanceOf(PasswordHashingBusyError);
    await expect(refused).rejects.toMatchObject({ retryAfterSeconds: 7 });
    const setting = limiter.run(task, { mustRun: true });
    expect(limiter.queued).toBe(3);
    // Finish them one by one: each waiting task starts only when the one before ends.
    for (let i = 0; i < 4; i++) {
      await new Promise((resolve) => setImmediate(resolve));
      expect(releases).toHaveLength(i + 1);
      releases[i]!();
    }
    await Promise.all([first, ...queued, setting]);
    expect(limiter.running).toBe(0);
  });
});

describe('sign-in flood', () => {
  const clock = fixedClock('2026-03-10T09:00:00Z');
  let t: TestApp;
  let caseworker: TestStaffMember;

  beforeAll(async () => {
    t = await buildTestApp({ clock });
    seedTestOffices(t.database.db);
    caseworker = await enrolStaff(t.database.db, t.app.services.keyring, clock.now(), { role: 'caseworker' });
  });
  afterAll(async () => t.cleanup());

  it(
    'answers 503 with Retry-After and a friendly page beyond the limit, for known and unknown emails alike',
    { timeout: 90_000 },
    async () => {
      const clients = await Promise.all(
        Array.from({ length: 12 }, async (_, i) => {
          const client = new StaffClient(t.app, { ip: `10.9.0.${i + 1}` });
          await client.get('/staff/sign-in');
          return client;
        }),
      );
      const answers = await Promise.all(
        clients.map((client, i) =>
          client.post('/staff/sign-in', {
            email: i % 2 === 0 ? caseworker.email : `nobody-${i}@example.org`,
            password: i % 2 === 0 ? caseworker.password : 'not the password at all',
          }),
        ),
      );
      const statuses = answers.map((res) => res.statusCode);
      // One hashing now and four waiting are let through; the other seven are told to come back.
      expect(statuses.filter((status) => status === 303)).toHaveLength(5);
      const busy = answers.filter((res) => res.statusCode === 503);
      expect(busy).toHaveLength(7);
      for (const res of busy) {
        expect(res.headers['retry-after']).toBe('5');
        expect(res.body).toContain('A lot of people are signing in right now');
        expect(res.body).toContain('name="email"');
      }
      // Busy answers do not depend on whether the email is known: both kinds were refused.
      const refusedIndexes = answers.flatMap((res, i) => (res.statusCode === 503 ? [i] : []));
      expect(refusedIndexes.some((i) => i % 2 === 0)).toBe(true);
      expect(refusedIndexes.some((i) => i % 2 === 1)).toBe(true);
      expect(passwordHashing.running).toBe(0);

      // Once the burst is over, a real sign-in works again.
      const client = new StaffClient(t.app, { ip: '10.9.1.1' });
      await client.get('/staff/sign-in');
      const later = await client.post('/staff/sign-in', { email: caseworker.email, password: caseworker.password });
      expect(later.statusCode).toBe(303);
    },
  );
});

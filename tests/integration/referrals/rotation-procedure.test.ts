import { afterEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { referrals } from '../../../db/schema/referrals.ts';
import { referralNameParts } from '../../../db/schema/name-search.ts';
import {
  deriveSubkey,
  keyedHash,
  normaliseNameForSearch,
  parseDataKeys,
  type Keyring,
} from '../../../server/security/field-encryption.ts';
import { nameMatch, parseInboxFilters, queryInbox } from '../../../server/backoffice/casework/inbox.ts';
import { reindexNameSearch } from '../../../server/referrals/name-index.ts';
import { loadReferralAnswers } from '../../../server/referrals/store.ts';
import { submitReferral } from '../../../server/referrals/service.ts';
import { projectRoot } from '../../../server/paths.ts';
import { TUESDAY_MORNING, validAnswers } from '../../unit/referrals/fixtures.ts';
import { serviceHarness, type ServiceHarness } from './db.ts';

let h: ServiceHarness;
afterEach(() => h?.cleanup());

const manager = { id: 'm1', role: 'manager' as const, officeIds: ['leeds', 'manchester'] };

/** What staff see when they type `name` into the inbox search (every status). */
function search(keyring: Keyring, name: string): string[] {
  const result = queryInbox(
    h.database.db,
    manager,
    { filters: { ...parseInboxFilters({}), status: 'all' }, match: nameMatch(keyring, name) },
    new Date(TUESDAY_MORNING),
  );
  return result.rows.map((row) => row.id);
}

/** "Restart the app" with a DATA_KEY: the keyring is parsed from it, as the server does at start. */
function restart(dataKey: string): Keyring {
  const keyring = parseDataKeys(dataKey);
  h.deps = { ...h.deps, keyring };
  return keyring;
}

function refer(name: string): string {
  const shown = new Date(TUESDAY_MORNING);
  const outcome = submitReferral(
    h.deps,
    { answers: validAnswers({ name }), formToken: h.formTokens.issue(shown), honeypot: '' },
    new Date(shown.getTime() + 60_000),
  );
  if (outcome.kind !== 'created') throw new Error(outcome.kind);
  return outcome.receipt.referralId;
}

/** `npm run keys:rotate` with the given DATA_KEY, as an operator runs it. */
function keysRotate(dataKey: string) {
  const result = spawnSync(
    process.execPath,
    [join(projectRoot, 'node_modules/tsx/dist/cli.mjs'), join(projectRoot, 'scripts/keys-rotate.ts')],
    {
      cwd: h.dir,
      encoding: 'utf8',
      env: {
        ...process.env,
        NODE_ENV: 'test',
        DATA_DIR: h.dir,
        DATABASE_PATH: join(h.dir, 'portal.db'),
        DATA_KEY: dataKey,
        SESSION_SECRET: randomBytes(32).toString('hex'),
      },
    },
  );
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return result.stdout;
}

describe('the README key rotation procedure, followed literally, keeps name search working', () => {
  it('finds every referral by whole name and by one name at every step', async () => {
    h = await serviceHarness();
    // First deployment: one bare key (its id is k1).
    const oldKey = randomBytes(32).toString('base64');
    const newKey = randomBytes(32).toString('base64');
    let keyring = restart(oldKey);

    const john = refer('John Smith');
    // A referral stored by an older version: an unlabelled whole-name hash from the last key, no word hashes.
    const legacy = refer('Ann Jones');
    h.database.db
      .update(referrals)
      .set({ nameSearchHash: keyedHash(deriveSubkey(keyring, 'name-search'), normaliseNameForSearch('Ann Jones')) })
      .where(eq(referrals.id, legacy))
      .run();
    h.database.db.delete(referralNameParts).where(eq(referralNameParts.referralId, legacy)).run();
    expect(search(keyring, 'ann jones')).toEqual([legacy]);
    // The start after upgrading labels it and indexes its words, once.
    expect(reindexNameSearch(h.database.sqlite, keyring, 'unlabelled')).toBe(1);
    expect(reindexNameSearch(h.database.sqlite, keyring, 'unlabelled')).toBe(0);

    const everyone = () => {
      expect(search(keyring, 'John Smith')).toEqual([john]);
      expect(search(keyring, 'john')).toEqual([john]);
      expect(search(keyring, 'SMITH')).toEqual([john]);
      expect(search(keyring, 'Ann')).toEqual([legacy]);
      expect(search(keyring, 'Jones Ann')).toEqual([legacy]);
      expect(search(keyring, 'John Jones')).toEqual([]);
      expect(search(keyring, 'Smithson')).toEqual([]);
    };
    everyone();

    // Step 1: put the new key first in DATA_KEY and restart.
    keyring = restart(`k2:${newKey},k1:${oldKey}`);
    everyone();
    const jane = refer('Jane Doe');
    expect(search(keyring, 'Jane')).toEqual([jane]);
    expect(search(keyring, 'doe')).toEqual([jane]);
    everyone();

    // Step 2: npm run keys:rotate.
    const first = keysRotate(`k2:${newKey},k1:${oldKey}`);
    expect(first).toContain('Current key: k2');
    expect(first).toContain('name search (whole name and each word): 2 referral(s) rewritten');
    everyone();
    expect(search(keyring, 'Jane Doe')).toEqual([jane]);
    // Running it again changes nothing.
    const second = keysRotate(`k2:${newKey},k1:${oldKey}`);
    expect(second).toContain('referrals.answers_enc: 3 checked, 0 re-encrypted');
    expect(second).toContain('name search (whole name and each word): 0 referral(s) rewritten');
    // Every search value now says it was made with k2; nothing needs k1 any more.
    const hashes = [
      ...h.database.db.select({ v: referrals.nameSearchHash }).from(referrals).all(),
      ...h.database.db.select({ v: referralNameParts.partHash }).from(referralNameParts).all(),
    ].map((row) => row.v);
    expect(hashes.length).toBe(3 + 6);
    expect(hashes.every((value) => value.startsWith('k2:'))).toBe(true);

    // Step 3: remove the old key and restart.
    keyring = restart(`k2:${newKey}`);
    everyone();
    expect(search(keyring, 'Jane Doe')).toEqual([jane]);
    expect(loadReferralAnswers(h.database.db, keyring, john)?.answers.name).toBe('John Smith');
  }, 60_000);
});

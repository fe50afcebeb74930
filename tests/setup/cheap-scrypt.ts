/**
 * Runs before every test file (setupFiles in vitest.config.ts and vitest.e2e.config.ts): new password hashes and
 * dummy checks use scrypt at N=2^10 instead of the production N=2^17, the same code path and format at 1/128 of the
 * cost. Back-office tests enrol and sign in hundreds of times; at the production cost (about 0.3 s of a core and
 * 128 MiB each) that alone took minutes of the suite.
 *
 * Tests about hashing itself put the production cost back (`useCheaperScryptForTests(null)` or
 * `useProductionScryptCostInThisTest()`):
 * tests/unit/security/passwords.test.ts (format, cost, dummy timing), tests/integration/auth/hashing-limit.test.ts
 * (the flood limit needs real hashing time), the rehash test in sign-in.test.ts and the enrolment test that checks
 * the stored cost.
 */
import { useCheaperScryptForTests } from '../../server/security/passwords.ts';
import { TEST_SCRYPT_PARAMETERS } from '../helpers/scrypt-cost.ts';

useCheaperScryptForTests(TEST_SCRYPT_PARAMETERS);

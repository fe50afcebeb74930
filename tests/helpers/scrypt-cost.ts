import { onTestFinished } from 'vitest';
import { useCheaperScryptForTests, type ScryptParameters } from '../../server/security/passwords.ts';

/** The cost every test file hashes new passwords at (tests/setup/cheap-scrypt.ts): 1/128 of production. */
export const TEST_SCRYPT_PARAMETERS: Readonly<ScryptParameters> = Object.freeze({ log2N: 10, r: 8, p: 1 });

/** For a test about the production scrypt cost: uses it until this test ends, then goes back to the test cost. */
export function useProductionScryptCostInThisTest(): void {
  useCheaperScryptForTests(null);
  onTestFinished(() => useCheaperScryptForTests(TEST_SCRYPT_PARAMETERS));
}

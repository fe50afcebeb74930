/**
 * Writes docs/data-dictionary.md from the export definitions (server/evaluation/research-export.ts and
 * aggregate-export.ts). `npm run docs:data-dictionary`. A test fails while the committed file differs.
 */
import { writeFileSync } from 'node:fs';
import { formattedDataDictionary } from './data-dictionary-format.ts';
import { DATA_DICTIONARY_PATH } from '../server/evaluation/data-dictionary.ts';

writeFileSync(DATA_DICTIONARY_PATH, await formattedDataDictionary());
console.log(`Wrote ${DATA_DICTIONARY_PATH}`);

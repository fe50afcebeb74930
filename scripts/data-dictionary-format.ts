import prettier from 'prettier';
import { DATA_DICTIONARY_PATH, dataDictionaryMarkdown } from '../server/evaluation/data-dictionary.ts';

/** The dictionary as committed: formatted with the repository's Prettier settings, so `format:check` agrees. */
export async function formattedDataDictionary(): Promise<string> {
  const options = (await prettier.resolveConfig(DATA_DICTIONARY_PATH)) ?? {};
  return prettier.format(dataDictionaryMarkdown(), { ...options, filepath: DATA_DICTIONARY_PATH });
}

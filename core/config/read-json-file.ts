import { readFile } from 'node:fs/promises';
import { ConfigInvalid } from '../errors.js';

/** A JSON file's content; an unreadable file or bad JSON is a ConfigInvalid naming the file. */
export async function readJsonFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigInvalid(`${path}: cannot be read (${(error as NodeJS.ErrnoException).code ?? error})`, {
      cause: error,
    });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ConfigInvalid(`${path}: not valid JSON (${(error as Error).message})`, { cause: error });
  }
}

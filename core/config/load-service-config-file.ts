import { readFile } from 'node:fs/promises';
import { ConfigInvalid } from '../errors.js';
import { parseServiceConfig, type ServiceConfig } from './service-config.js';

/** Reads and validates a service configuration file; every error names the file. */
export async function loadServiceConfigFile(path: string): Promise<ServiceConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigInvalid(`${path}: cannot be read (${(error as NodeJS.ErrnoException).code ?? error})`, {
      cause: error,
    });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ConfigInvalid(`${path}: not valid JSON (${(error as Error).message})`, { cause: error });
  }
  return parseServiceConfig(raw, path);
}

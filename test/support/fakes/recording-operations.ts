import { BakeshiftError } from '../../../core/errors.js';
import type { OperationName } from '../../../core/operations/operation-inputs.js';
import type { Operations } from '../../../core/operations/operations.js';

/**
 * A fake of the operations port for tests of what carries it (the local API and its client): records each
 * call's input and answers `answers[name]`, or throws the error named in `refuse` (tests only).
 */
export function recordingOperations(answers: Partial<Record<OperationName, unknown>> = {}) {
  const calls: { name: OperationName; input: unknown }[] = [];
  const refuse: { error?: string } = {};
  const operations = new Proxy({} as Operations, {
    get: (_, name) => async (input: unknown) => {
      calls.push({ name: name as OperationName, input });
      if (refuse.error) throw new BakeshiftError(refuse.error, `refused by the fake (${refuse.error})`);
      return answers[name as OperationName] ?? {};
    },
  });
  return { operations, calls, refuse };
}

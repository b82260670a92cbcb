import type { FailureDescription } from './deployment-record.js';

/**
 * Normalizes what a Catch put in `$.failed.<Step>`. On AWS a Lambda error's Cause is a JSON document whose
 * errorMessage is the text we want; locally it is the message itself. Parsing happens here, never in the ASL.
 */
export function describeFailure(step: string, caught: { Error: string; Cause?: string }): FailureDescription {
  let cause = caught.Cause ?? '';
  try {
    const parsed: unknown = JSON.parse(cause);
    if (parsed && typeof parsed === 'object' && 'errorMessage' in parsed) {
      cause = String((parsed as { errorMessage: unknown }).errorMessage);
    }
  } catch {
    // Not JSON: the cause is already plain text.
  }
  if (cause === '') cause = caught.Error;
  return { step, error: caught.Error, cause };
}

export const summarizeFailure = (failure: FailureDescription) =>
  `${failure.step} failed with ${failure.error}: ${failure.cause}`;

/** A mistake in how the CLI was called, or something the user must do first: printed, exit status 2. */
export class UsageError extends Error {}

import { namedError } from '#domain/named-error.ts';
/** A mistake the user can fix (bad argument, missing file): printed without a stack trace. */
export class UsageError extends namedError('UsageError') {}

type ErrorClass = abstract new (...args: never[]) => Error;

/**
 * Rethrows `error` as a UsageError when it is one of `expected`: errors a person fixes by
 * changing what they typed (an unknown number, a state that refuses the change), printed
 * without a stack trace. Anything else is rethrown as it is. Checked by class, not by name.
 */
export function asUsageError(error: unknown, expected: readonly ErrorClass[]): never {
  if (expected.some((kind) => error instanceof kind)) throw new UsageError((error as Error).message);
  throw error;
}

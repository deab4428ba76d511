/** A mistake the user can fix (bad argument, missing file): printed without a stack trace. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * A queue message's schema, shared by the producer and the consumer of its queue: the producer
 * builds, validates and serializes with `serialize`, the consumer reads with `parse`. So a
 * message no consumer could read is refused where it is made, not five receives later.
 */
import type { z } from 'zod';
import { namedError } from '#domain/named-error.ts';

/** A body a consumer cannot read: retrying cannot help (it reaches the dead-letter queue). */
export class MalformedMessageError extends namedError('MalformedMessageError') {}

export interface QueueMessage<T> {
  /** What the message is, in errors: `invoice job`, `render request`... */
  readonly name: string;
  readonly schema: z.ZodType<T>;
  /** Validates `value` and returns the body to send; throws MalformedMessageError. */
  serialize(value: T): string;
  /** Reads a received body; throws MalformedMessageError saying what is wrong. */
  parse(body: string): T;
}

export function queueMessage<T>(name: string, schema: z.ZodType<T>): QueueMessage<T> {
  const check = (value: unknown, what: string): T => {
    const parsed = schema.safeParse(value);
    if (!parsed.success) throw new MalformedMessageError(`${what} is not a valid ${name}: ${describe(parsed.error)}`);
    return parsed.data;
  };
  return {
    name,
    schema,
    serialize: (value) => JSON.stringify(check(value, 'the message to send')),
    parse: (body) => {
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch (error) {
        throw new MalformedMessageError(`the body is not JSON (${(error as Error).message}): send the ${name} as a JSON object`);
      }
      return check(json, 'the body');
    },
  };
}

function describe(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`).join('; ');
}

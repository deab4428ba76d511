/**
 * Why an external format could not be read at the edge (one home for the formats' errors).
 * The handlers' commons map them by class: to HTTP answers (the webhook) and to permanent
 * record failures (a body no retry will make readable).
 */
import type { SignatureProblem } from './stripe-signature.ts';
import { namedError } from '#domain/named-error.ts';

export class WebhookSignatureError extends namedError('WebhookSignatureError') {
  constructor(
    readonly problem: SignatureProblem,
    message: string,
  ) {
    super(message);
  }
}

/** A scheduler payload a run cannot start from: retrying the same input cannot help. */
export class NotAScheduledRunError extends namedError('NotAScheduledRunError') {}

/** A body that is neither an SES event nor an SNS notification carrying one. */
export class NotAMailNotificationError extends namedError('NotAMailNotificationError') {}

export class NotAStripeEventError extends namedError('NotAStripeEventError') {}

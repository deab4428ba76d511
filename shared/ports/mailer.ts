import { namedError } from '#domain/named-error.ts';
export interface Attachment {
  readonly filename: string;
  readonly content: Buffer;
  readonly contentType: string;
}

export interface OutgoingEmail {
  readonly from: string;
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  readonly attachment: Attachment;
  /** Attached after it: the invoice's e-invoice XML, for customers who receive one. */
  readonly moreAttachments?: readonly Attachment[];
}

export interface Mailer {
  /** Sends one email; returns the provider's message id. */
  send(email: OutgoingEmail): Promise<string>;
}

/** The provider refused the email for good (bad address, unverified sender): retrying cannot help. */
export class PermanentSendError extends namedError('PermanentSendError') {}

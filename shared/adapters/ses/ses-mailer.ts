/**
 * Mailer on SES v2 with a raw MIME message built by nodemailer's MailComposer (text, HTML and
 * the PDF attachment, then any other, such as the e-invoice XML), sent with the configuration set whose events record bounces.
 */
import {
  AccountSuspendedException,
  BadRequestException,
  MailFromDomainNotVerifiedException,
  MessageRejected,
  NotFoundException,
  SendEmailCommand,
  type SESv2Client,
} from '@aws-sdk/client-sesv2';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import { PermanentSendError, type Mailer, type OutgoingEmail } from '#ports/mailer.ts';

/** SES refusals that the same email will meet again (the SDK's modeled exceptions, by class). */
const PERMANENT = [MessageRejected, MailFromDomainNotVerifiedException, AccountSuspendedException, BadRequestException, NotFoundException];

function isPermanent(error: unknown): error is Error {
  return PERMANENT.some((refusal) => error instanceof refusal);
}

export class SesMailer implements Mailer {
  constructor(
    private readonly client: SESv2Client,
    private readonly configurationSetName?: string,
  ) {}

  async send(email: OutgoingEmail): Promise<string> {
    const raw = await new MailComposer({
      from: email.from,
      to: email.to,
      subject: email.subject,
      text: email.text,
      html: email.html,
      attachments: [email.attachment, ...(email.moreAttachments ?? [])].map(({ filename, content, contentType }) => ({
        filename,
        content,
        contentType,
      })),
    })
      .compile()
      .build();
    try {
      const result = await this.client.send(
        new SendEmailCommand({
          Content: { Raw: { Data: raw } },
          ...(this.configurationSetName === undefined ? {} : { ConfigurationSetName: this.configurationSetName }),
        }),
      );
      if (result.MessageId === undefined) throw new Error('SES returned no message id');
      return result.MessageId;
    } catch (error) {
      if (isPermanent(error)) throw new PermanentSendError(`${error.name}: ${error.message}`);
      throw error;
    }
  }
}

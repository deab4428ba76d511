/**
 * SES refusals the same email would meet again become PermanentSendError, by the SDK's exception
 * class (not its name as a string); anything else (throttling, a timeout) is rethrown to retry.
 */
import { describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { MessageRejected, SendEmailCommand, SESv2Client, TooManyRequestsException } from '@aws-sdk/client-sesv2';
import { SesMailer } from '#adapters/ses/ses-mailer.ts';
import { PermanentSendError } from '#ports/mailer.ts';

const email = {
  from: 'billing@acme.example',
  to: 'ap@globex.example',
  subject: 'Invoice ACME-2026-000001 from Acme Cloud GmbH',
  text: 'Amount due: EUR 121.38',
  html: '<p>Amount due: EUR 121.38</p>',
  attachment: { filename: 'ACME-2026-000001.pdf', content: Buffer.from('%PDF-1.7'), contentType: 'application/pdf' },
};

describe('SesMailer', () => {
  it('returns the SES message id of a sent email, sent with the configuration set', async () => {
    const ses = mockClient(SESv2Client);
    ses.on(SendEmailCommand).resolves({ MessageId: 'ses-1' });
    expect(await new SesMailer(new SESv2Client({}), 'billflow-mail').send(email)).toBe('ses-1');
    expect(ses.commandCalls(SendEmailCommand)[0]!.args[0].input.ConfigurationSetName).toBe('billflow-mail');
    ses.restore();
  });

  it('turns a refusal SES would repeat into a PermanentSendError that names it', async () => {
    const ses = mockClient(SESv2Client);
    ses.on(SendEmailCommand).rejects(new MessageRejected({ message: 'Email address is not verified.', $metadata: {} }));
    const sending = new SesMailer(new SESv2Client({})).send(email);
    await expect(sending).rejects.toBeInstanceOf(PermanentSendError);
    await expect(sending).rejects.toThrow('MessageRejected: Email address is not verified.');
    ses.restore();
  });

  it('rethrows a throttling error as it is, so the send is retried', async () => {
    const ses = mockClient(SESv2Client);
    const throttled = new TooManyRequestsException({ message: 'Maximum sending rate exceeded.', $metadata: {} });
    ses.on(SendEmailCommand).rejects(throttled);
    await expect(new SesMailer(new SESv2Client({})).send(email)).rejects.toBe(throttled);
    ses.restore();
  });
});

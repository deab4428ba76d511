/**
 * External formats read at the edge into domain types: SES/SNS mail notifications and the
 * scheduler payloads. A body a run or a record cannot use is a typed error saying what to fix.
 */
import { describe, expect, it } from 'vitest';
import { parseMailNotification } from '#formats/mail-notifications.ts';
import { NotAMailNotificationError } from '#formats/errors.ts';
import { groupEventTexts, splitMessageBody } from '#formats/cloudevents-batch.ts';
import { parseScheduledInvoiceRun, parseScheduledRun, scheduledRunPayload } from '#formats/scheduler-events.ts';
import { NotAScheduledRunError } from '#formats/errors.ts';

const bounce = {
  eventType: 'Bounce',
  mail: { messageId: 'ses-1', timestamp: '2026-12-01T10:00:00Z', destination: ['ap@globex.example'] },
  bounce: {
    bounceType: 'Permanent',
    bounceSubType: 'General',
    bouncedRecipients: [{ emailAddress: 'ap@globex.example', diagnosticCode: 'smtp; 550 5.1.1 user unknown' }],
  },
};
const sns = (message: unknown) => JSON.stringify({ Type: 'Notification', MessageId: 'sns-1', Message: JSON.stringify(message) });

describe('SES mail notifications', () => {
  it('reads a permanent bounce inside an SNS notification, with who bounced and why', () => {
    expect(parseMailNotification(sns(bounce))).toEqual({
      kind: 'bounce',
      messageId: 'ses-1',
      permanent: true,
      detail: 'Permanent bounce (General): ap@globex.example smtp; 550 5.1.1 user unknown',
    });
  });

  it('reads the SES event itself (raw message delivery) the same way', () => {
    expect(parseMailNotification(JSON.stringify(bounce))).toEqual(parseMailNotification(sns(bounce)));
  });

  it('reads a transient bounce without recipients and a complaint as problems that are not permanent', () => {
    const transient = { ...bounce, bounce: { bounceType: 'Transient' } };
    expect(parseMailNotification(sns(transient))).toEqual({
      kind: 'bounce',
      messageId: 'ses-1',
      permanent: false,
      detail: 'Transient bounce: ',
    });
    const complaint = { eventType: 'Complaint', mail: { messageId: 'ses-2' }, complaint: { complaintFeedbackType: 'abuse' } };
    expect(parseMailNotification(sns(complaint))).toEqual({ kind: 'complaint', messageId: 'ses-2', detail: 'complaint (abuse)' });
  });

  it('reads a delivery as an event to acknowledge', () => {
    expect(parseMailNotification(JSON.stringify({ eventType: 'Delivery', mail: { messageId: 'ses-3' } }))).toEqual({
      kind: 'other',
      messageId: 'ses-3',
    });
  });

  it('refuses an empty body, a non-JSON message inside SNS, and an event without a message id, saying what is wrong', () => {
    expect(() => parseMailNotification('')).toThrow(NotAMailNotificationError);
    expect(() => parseMailNotification(JSON.stringify({ Type: 'Notification', Message: '{' }))).toThrow(/not JSON/);
    expect(() => parseMailNotification(JSON.stringify({ eventType: 'Bounce', mail: {} }))).toThrow(/mail\.messageId/);
  });
});

describe('scheduler payloads', () => {
  const now = () => Date.parse('2026-12-04T17:00:00Z');

  it('reads the scheduled time, in the past, in the future and at a month end, and the local scheduler sends what is read', () => {
    for (const at of ['2024-02-29T23:00:00Z', '2031-01-01T00:00:00Z', '2026-11-30T23:59:59.999Z']) {
      expect(parseScheduledRun({ asOf: at }, now)).toEqual({ asOf: Date.parse(at) });
      expect(parseScheduledRun(scheduledRunPayload(Date.parse(at)), now)).toEqual({ asOf: Date.parse(at) });
    }
  });

  it('runs as of now without an input or an asOf, and keeps extra attributes out of the way', () => {
    expect(parseScheduledRun(undefined, now)).toEqual({ asOf: now() });
    expect(parseScheduledRun({ note: 'by hand' }, now)).toEqual({ asOf: now() });
  });

  it('reads a period named by hand for the invoice run', () => {
    expect(parseScheduledInvoiceRun({ asOf: '2026-12-01T02:00:00Z', period: '2026-10' }, now)).toEqual({
      asOf: Date.parse('2026-12-01T02:00:00Z'),
      period: '2026-10',
    });
    expect(parseScheduledInvoiceRun({ asOf: '2026-12-01T02:00:00Z' }, now)).toEqual({ asOf: Date.parse('2026-12-01T02:00:00Z') });
  });

  it('refuses an asOf that is not a date-time, a period that is not YYYY-MM and an input that is not an object', () => {
    expect(() => parseScheduledRun({ asOf: 'yesterday' }, now)).toThrow(
      new NotAScheduledRunError('asOf yesterday is not an ISO date-time'),
    );
    expect(() => parseScheduledInvoiceRun({ period: '2026-13' }, now)).toThrow(/period: period must be YYYY-MM/);
    expect(() => parseScheduledRun('2026-12-01', now)).toThrow(NotAScheduledRunError);
  });
});

describe('event texts grouped into bodies to send again (events replay)', () => {
  it('sends JSON objects together in batches of at most 100, and anything else alone as it came', () => {
    const objects = Array.from({ length: 150 }, (_, index) => JSON.stringify({ specversion: '1.0', id: `e-${index}` }));
    const texts = [objects[0]!, 'not json', ...objects.slice(1), '[1,2]'];
    const bodies = groupEventTexts(texts);
    expect(bodies.map(({ members }) => members.length)).toEqual([100, 50, 1, 1]);
    expect(bodies[2]).toEqual({ body: 'not json', members: [1] });
    expect(bodies[3]).toEqual({ body: '[1,2]', members: [151] });
    // Every text is in exactly one body, and a batch body splits back into the same events.
    expect(bodies.flatMap(({ members }) => members).sort((a, b) => a - b)).toEqual(texts.map((_, index) => index));
    const split = splitMessageBody(bodies[0]!.body);
    expect(split.map((part) => part.text)).toEqual(bodies[0]!.members.map((index) => texts[index]));
  });
});

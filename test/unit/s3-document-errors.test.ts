/**
 * The S3 document store tells S3's answers by the SDK's exception classes and HTTP status, not
 * by error names: a missing key is a DocumentMissingError, a key already written (412 from the
 * conditional put) keeps the stored document. No service runs: the HTTP handler answers as S3 does.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { S3Client } from '@aws-sdk/client-s3';
import { S3DocumentStore } from '#adapters/s3/s3-document-store.ts';
import { DocumentMissingError } from '#ports/document-store.ts';

const KEY = 'invoices/ACME/2026/ACME-2026-000001.pdf';
const STORED = Buffer.from('%PDF-1.7 stored first');

interface Answer {
  readonly statusCode: number;
  readonly body?: string | Buffer;
}

const s3Error = (code: string, message: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message><Key>${KEY}</Key></Error>`;

/** A store whose S3 answers each request by its HTTP method. */
function storeAnswering(byMethod: Record<string, Answer>): S3DocumentStore {
  const client = new S3Client({
    region: 'eu-central-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    forcePathStyle: true,
    maxAttempts: 1,
    requestHandler: {
      handle: async (request: { method: string }) => {
        const answer = byMethod[request.method] ?? { statusCode: 500, body: s3Error('InternalError', `no answer for ${request.method}`) };
        const body = answer.body === undefined ? [] : [Buffer.from(answer.body)];
        const type = typeof answer.body === 'string' ? 'application/xml' : 'application/pdf';
        // The shape of an HTTP response is all the SDK checks (smithy's HttpResponse.isInstance).
        return { response: { statusCode: answer.statusCode, headers: { 'content-type': type }, body: Readable.from(body) } };
      },
    },
  });
  return new S3DocumentStore(client, 'invoices');
}

describe('S3 document store errors', () => {
  it("reports a missing document as DocumentMissingError, keeping S3's message", async () => {
    // Prepare
    const store = storeAnswering({ GET: { statusCode: 404, body: s3Error('NoSuchKey', 'The specified key does not exist.') } });

    // Act
    const error = await store.get(KEY).catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(DocumentMissingError);
    expect((error as Error).message).toBe('The specified key does not exist.');
  });

  it('keeps the document another render stored first when the conditional put is refused (412)', async () => {
    // Prepare
    const store = storeAnswering({
      HEAD: { statusCode: 404 },
      PUT: { statusCode: 412, body: s3Error('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold') },
      GET: { statusCode: 200, body: STORED },
    });

    // Act
    const outcome = await store.putOnce(KEY, Buffer.from('%PDF-1.7 rendered again'), 'application/pdf');

    // Assess
    expect(outcome).toEqual({ sha256: createHash('sha256').update(STORED).digest('hex'), bytes: STORED.length, created: false });
  });

  it('passes on any other refusal', async () => {
    // Prepare
    const store = storeAnswering({ HEAD: { statusCode: 404 }, PUT: { statusCode: 403, body: s3Error('AccessDenied', 'Access Denied') } });

    // Act
    const error = await store.putOnce(KEY, STORED, 'application/pdf').catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(DocumentMissingError);
    expect((error as Error).message).toBe('Access Denied');
  });
});

/**
 * `npm start`'s S3 (fauxqs with directory-s3-store.ts) keeps invoice PDFs across a restart:
 * the same bytes come back after the services are stopped and started again on the same
 * directory, through the same S3DocumentStore the handlers use.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, DeleteObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { startLocalServices, type LocalServices } from '#infra/local/services.ts';
import { localCredentials } from '#infra/local/credentials.ts';
import { S3DocumentStore } from '#adapters/s3/s3-document-store.ts';

const region = 'eu-central-1';
let running: LocalServices | undefined;

async function start(s3Dir: string): Promise<{ documents: S3DocumentStore; s3: S3Client }> {
  running = await startLocalServices({ s3Dir, ports: { dynamodb: 0, sqs: 0, ses: 0 }, region });
  const s3 = new S3Client({ region, endpoint: running.endpoints.s3, credentials: localCredentials, forcePathStyle: true });
  // As provisioning does at every start: the bucket may already be there.
  await s3.send(new CreateBucketCommand({ Bucket: 'invoices' })).catch((error: Error) => {
    if (error.name !== 'BucketAlreadyOwnedByYou' && error.name !== 'BucketAlreadyExists') throw error;
  });
  return { documents: new S3DocumentStore(s3, 'invoices'), s3 };
}

afterEach(async () => {
  await running?.stop();
  running = undefined;
});

describe('local S3 under BILLFLOW_HOME', () => {
  it('returns the same bytes after a restart, kept as a plain file; a deleted object stays deleted', async () => {
    // Prepare
    const s3Dir = mkdtempSync(join(tmpdir(), 'billflow-s3-'));
    const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.from(Array.from({ length: 4096 }, (_, i) => i % 256))]);
    const key = 'invoices/ACME/2026/ACME-2026-000001.pdf';
    const first = await start(s3Dir);
    const stored = await first.documents.putOnce(key, pdf, 'application/pdf');
    await first.documents.putOnce('invoices/ACME/2026/ACME-2026-000002.pdf', Buffer.from('%PDF-gone'), 'application/pdf');
    await first.s3.send(new DeleteObjectCommand({ Bucket: 'invoices', Key: 'invoices/ACME/2026/ACME-2026-000002.pdf' }));
    await running!.stop();

    // Act
    const second = await start(s3Dir);
    const again = await second.documents.get(key);

    // Assess
    expect(createHash('sha256').update(again).digest('hex')).toBe(stored.sha256);
    expect(readFileSync(join(s3Dir, 'invoices/objects', key)).equals(pdf)).toBe(true);
    await expect(second.documents.get('invoices/ACME/2026/ACME-2026-000002.pdf')).rejects.toThrow(/does not exist/);
    // putOnce keeps the restored object rather than writing over it.
    expect((await second.documents.putOnce(key, Buffer.from('other'), 'application/pdf')).created).toBe(false);
    rmSync(s3Dir, { recursive: true, force: true });
  });
});

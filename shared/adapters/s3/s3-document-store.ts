/**
 * Invoice PDFs in S3, server-side encrypted, written once. `IfNoneMatch: '*'` makes S3 refuse
 * to overwrite an existing key atomically; the HeadObject before it also keeps the local
 * emulator (which ignores conditional writes) from overwriting, outside of races.
 */
import { createHash } from 'node:crypto';
import {
  GetObjectCommand,
  HeadObjectCommand,
  NoSuchKey,
  NotFound,
  PutObjectCommand,
  S3ServiceException,
  type S3Client,
} from '@aws-sdk/client-s3';
import { DocumentMissingError, type DocumentStore, type StoredDocument } from '#ports/document-store.ts';

export class S3DocumentStore implements DocumentStore {
  constructor(
    private readonly client: S3Client,
    readonly bucket: string,
  ) {}

  async putOnce(key: string, body: Buffer, contentType: string): Promise<StoredDocument> {
    if (await this.exists(key)) return this.describeExisting(key);
    const sha256 = sha256Of(body);
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: body,
          ContentType: contentType,
          ServerSideEncryption: 'AES256',
          IfNoneMatch: '*',
          ChecksumSHA256: Buffer.from(sha256, 'hex').toString('base64'),
        }),
      );
      return { sha256, bytes: body.length, created: true };
    } catch (error) {
      // Another render stored it first: theirs is the document. S3 models no class for these
      // (412 PreconditionFailed, 409 ConditionalRequestConflict): told by the HTTP status.
      if (isRefusedOverwrite(error)) return this.describeExisting(key);
      throw error;
    }
  }

  async get(key: string): Promise<Buffer> {
    const { Body } = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key })).catch((error: unknown) => {
      if (error instanceof NoSuchKey || error instanceof NotFound) throw new DocumentMissingError(error.message, { cause: error });
      throw error;
    });
    if (Body === undefined) throw new Error(`s3://${this.bucket}/${key} has no body`);
    return Buffer.from(await Body.transformToByteArray());
  }

  private async exists(key: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return true;
    } catch (error) {
      if (error instanceof NotFound || error instanceof NoSuchKey) return false;
      throw error;
    }
  }

  private async describeExisting(key: string): Promise<StoredDocument> {
    const body = await this.get(key);
    return { sha256: sha256Of(body), bytes: body.length, created: false };
  }
}

function isRefusedOverwrite(error: unknown): boolean {
  const status = error instanceof S3ServiceException ? error.$metadata.httpStatusCode : undefined;
  return status === 412 || status === 409;
}

function sha256Of(body: Buffer): string {
  return createHash('sha256').update(body).digest('hex');
}

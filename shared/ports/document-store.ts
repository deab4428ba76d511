import { namedError } from '#domain/named-error.ts';
export interface StoredDocument {
  readonly sha256: string;
  readonly bytes: number;
  /** False when the key already held a document, which was kept (written once). */
  readonly created: boolean;
}

/** Invoice documents, written once per key and never overwritten. */
export interface DocumentStore {
  readonly bucket: string;
  putOnce(key: string, body: Buffer, contentType: string): Promise<StoredDocument>;
  /** Throws DocumentMissingError when nothing is stored at `key`. */
  get(key: string): Promise<Buffer>;
}

/** Nothing is stored at the key (a document recorded on an invoice, but deleted from the store). */
export class DocumentMissingError extends namedError('DocumentMissingError') {}

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
  get(key: string): Promise<Buffer>;
}

/**
 * fauxqs (1.x) keeps S3 objects in memory, so every PDF written before a restart of `npm start`
 * would be gone; invoices are legal records. This store is fauxqs' own S3Store with each
 * object also written to a directory (under .billflow/s3/) before fauxqs answers the PUT, and
 * read back from it at start-up.
 *
 * Why not a newer fauxqs: from 2.x it has a directory option itself, but it requires Node
 * >= 22.5 and `npm ci` on the supported Node 20 would warn about its engine. fauxqs 1.x
 * exports no S3Store, so its class is loaded from the file next to the package's entry point
 * (the version is pinned by the lock file; test/integration/local-s3-restart.test.ts fails if
 * that file moves).
 *
 * Layout: {dir}/{bucket}/objects/{key} holds the bytes (open a PDF straight from there),
 * {dir}/{bucket}/meta/{key}.json its content type, metadata and time. Each file is written to a
 * temporary name and renamed, so a kill -9 leaves the old object or the new one, never half.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/** The part of fauxqs' S3Store this file relies on. */
export interface FauxqsS3Store {
  createBucket(name: string): void;
  putObject(bucket: string, key: string, body: Buffer, contentType?: string, metadata?: Record<string, string>): FauxqsS3Object;
  deleteObject(bucket: string, key: string): void;
  completeMultipartUpload(uploadId: string, parts: { partNumber: number; etag: string }[]): FauxqsS3Object & { bucket?: string };
  listBuckets(): { name: string }[];
}

interface FauxqsS3Object {
  key: string;
  body: Buffer;
  contentType: string;
  metadata: Record<string, string>;
  lastModified: Date;
}

interface StoredMeta {
  readonly contentType: string;
  readonly metadata: Record<string, string>;
  readonly lastModified: string;
}

type S3StoreClass = new () => FauxqsS3Store;

async function loadFauxqsS3Store(): Promise<S3StoreClass> {
  const entry = import.meta.resolve('fauxqs');
  const module = (await import(new URL('./s3/s3Store.js', entry).href)) as { S3Store?: S3StoreClass };
  if (typeof module.S3Store !== 'function') {
    throw new Error(`fauxqs at ${entry} has no s3/s3Store.js exporting S3Store: the directory-backed local S3 needs fauxqs 1.9`);
  }
  return module.S3Store;
}

/** fauxqs' S3 store, writing through to `dir` and holding what `dir` held at start-up. */
export async function createDirectoryS3Store(dir: string): Promise<FauxqsS3Store> {
  const S3Store = await loadFauxqsS3Store();
  mkdirSync(dir, { recursive: true });

  const pathIn = (bucket: string, tree: 'objects' | 'meta', key: string): string => {
    const base = resolve(dir, bucket, tree);
    const path = resolve(base, key);
    // A key such as "../x" must not write outside the bucket's directory.
    if (!path.startsWith(base + sep)) throw new Error(`S3 key ${JSON.stringify(key)} cannot be kept as a file under ${base}`);
    return path;
  };
  const writeAtomically = (path: string, data: Buffer | string): void => {
    mkdirSync(dirname(path), { recursive: true });
    const temporary = `${path}.${process.pid}.tmp`;
    writeFileSync(temporary, data);
    renameSync(temporary, path);
  };

  class DirectoryS3Store extends S3Store {
    override createBucket(name: string): void {
      mkdirSync(resolve(dir, name, 'objects'), { recursive: true });
      super.createBucket(name);
    }

    override putObject(bucket: string, key: string, body: Buffer, contentType?: string, metadata?: Record<string, string>): FauxqsS3Object {
      const stored = super.putObject(bucket, key, body, contentType, metadata);
      this.keep(bucket, stored);
      return stored;
    }

    override completeMultipartUpload(uploadId: string, parts: { partNumber: number; etag: string }[]) {
      // fauxqs assembles the parts into the bucket itself, without calling putObject.
      const bucketOf = this.bucketOfUpload(uploadId);
      const stored = super.completeMultipartUpload(uploadId, parts);
      if (bucketOf !== undefined) this.keep(bucketOf, stored);
      return stored;
    }

    override deleteObject(bucket: string, key: string): void {
      super.deleteObject(bucket, key);
      rmSync(pathIn(bucket, 'objects', key), { force: true });
      rmSync(`${pathIn(bucket, 'meta', key)}.json`, { force: true });
    }

    private bucketOfUpload(uploadId: string): string | undefined {
      const uploads = (this as unknown as { multipartUploads?: Map<string, { bucket: string }> }).multipartUploads;
      return uploads?.get(uploadId)?.bucket;
    }

    private keep(bucket: string, object: FauxqsS3Object): void {
      // The object file first: a meta file never names bytes that are not there.
      writeAtomically(pathIn(bucket, 'objects', object.key), object.body);
      const meta: StoredMeta = {
        contentType: object.contentType,
        metadata: object.metadata,
        lastModified: object.lastModified.toISOString(),
      };
      writeAtomically(`${pathIn(bucket, 'meta', object.key)}.json`, JSON.stringify(meta));
    }

    restore(): void {
      for (const bucket of readdirSync(dir, { withFileTypes: true })) {
        if (!bucket.isDirectory()) continue;
        super.createBucket(bucket.name);
        const objectsDir = resolve(dir, bucket.name, 'objects');
        if (!existsSync(objectsDir)) continue;
        for (const file of filesUnder(objectsDir)) {
          if (/\.\d+\.tmp$/.test(file)) continue; // a write cut short by a crash; the object it replaced is still there
          const key = relative(objectsDir, file).split(sep).join('/');
          const metaFile = `${pathIn(bucket.name, 'meta', key)}.json`;
          const meta = existsSync(metaFile) ? (JSON.parse(readFileSync(metaFile, 'utf8')) as StoredMeta) : undefined;
          const restored = super.putObject(bucket.name, key, readFileSync(file), meta?.contentType, meta?.metadata);
          if (meta !== undefined) restored.lastModified = new Date(meta.lastModified);
        }
      }
    }
  }

  const store = new DirectoryS3Store();
  store.restore();
  return store;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

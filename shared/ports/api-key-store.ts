import type { ApiKeyRecord } from '#domain/api-keys/api-key.ts';

/** API keys by the hash of their secret (the secret itself is never stored). */
export interface ApiKeyStore {
  /** Stores a new key; its hash is new (256 random bits). */
  create(record: ApiKeyRecord): Promise<void>;
  findByHash(hash: string): Promise<ApiKeyRecord | undefined>;
  /** Oldest first. */
  list(): Promise<ApiKeyRecord[]>;
  /** Marks the key revoked (once: a second revoke keeps the first time); undefined for an unknown id. */
  revoke(id: string, at: string): Promise<ApiKeyRecord | undefined>;
}

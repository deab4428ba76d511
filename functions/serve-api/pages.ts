/**
 * Cursor pages: items in a stable order (by a key), `limit` at a time; `nextCursor` is the
 * last key of the page, opaque to callers (base64url), null on the last page. `storedPage` when
 * the store reads just the page (customers, invoices: the listings index), `page` when it
 * returns the whole listing (credit notes).
 */
import { z } from 'zod';
import { ProblemError } from './problems.ts';

export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(100).default(50).meta({ description: 'Items per page, 1 to 100 (default 50)' }),
  cursor: z.string().min(1).optional().meta({ description: '`nextCursor` of the previous page' }),
};

export function pageSchema<Item extends z.ZodType>(item: Item, id: string) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() }).meta({ id });
}

export function page<T>(items: readonly T[], keyOf: (item: T) => string, query: { limit: number; cursor?: string | undefined }) {
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  const sorted = [...items].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
  const rest = after === undefined ? sorted : sorted.filter((item) => keyOf(item) > after);
  const shown = rest.slice(0, query.limit);
  const more = rest.length > shown.length;
  return { items: shown, nextCursor: more ? Buffer.from(keyOf(shown.at(-1)!), 'utf8').toString('base64url') : null };
}

/** A page read from a store that pages itself (an index), with the same cursors as `page`. */
export async function storedPage<T>(
  read: (request: { limit: number; after?: string }) => Promise<{ items: T[]; more: boolean }>,
  keyOf: (item: T) => string,
  query: { limit: number; cursor?: string | undefined },
) {
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  const { items, more } = await read({ limit: query.limit, ...(after === undefined ? {} : { after }) });
  const last = items.at(-1);
  return { items, nextCursor: more && last !== undefined ? Buffer.from(keyOf(last), 'utf8').toString('base64url') : null };
}

function decodeCursor(cursor: string): string {
  const key = Buffer.from(cursor, 'base64url').toString('utf8');
  if (key === '' || Buffer.from(key, 'utf8').toString('base64url') !== cursor) {
    throw new ProblemError('validation', 'the cursor is not one this API gave', [
      { path: 'query.cursor', message: 'must be the nextCursor of a previous page, unchanged' },
    ]);
  }
  return key;
}

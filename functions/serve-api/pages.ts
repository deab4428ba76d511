/**
 * Cursor pages: items in a stable order (by a key), `limit` at a time; `nextCursor` is the
 * last key of the page, opaque to callers (base64url), null on the last page. The store reads
 * just the page (customers, invoices, credit notes: the listings index).
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

/** A page read from a store that pages itself (an index); its cursor is the last item's key, so the next page starts after it. */
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

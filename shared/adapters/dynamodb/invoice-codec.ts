/**
 * An invoice is stored as one gzip-compressed JSON document, like event chunks. An invoice is
 * written five times or more (draft, finalized, rendered, claimed for sending, sent, paid) and
 * every write is billed per started KB of the whole item: a typical invoice is ~2.8 KB of JSON
 * (3 write units) and ~1.1 KB compressed (2). Compression also keeps invoices with thousands
 * of lines far below DynamoDB's 400 KB item limit. The CLI (`invoices show --json`) is how
 * people read them.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Invoice } from '../../domain/invoice/invoice.ts';

export function encodeInvoice(invoice: Invoice): Uint8Array {
  return gzipSync(JSON.stringify(invoice), { level: 6 });
}

export function decodeInvoice(payload: Uint8Array): Invoice {
  return JSON.parse(gunzipSync(payload).toString('utf8')) as Invoice;
}

/**
 * Applies a validated catalog document to the current head, as an upsert: what the document
 * names replaces what the head has under the same key, everything else is kept. Nothing is
 * ever deleted by leaving it out, so applying the same file twice gives the same head.
 * Customers are not part of the head; they are stored one by one (CatalogRepository).
 */
import type { CatalogDocument, CatalogHead } from './types.ts';

export function mergeIntoHead(head: CatalogHead, document: CatalogDocument): CatalogHead {
  const issuer = document.issuer ?? head.issuer;
  // Replaced whole, not merged day by day: the list is one schedule, read as written.
  const dunning = document.dunning ?? head.dunning;
  const billing = document.billing ?? head.billing;
  return {
    ...(issuer === undefined ? {} : { issuer }),
    taxRates: { ...head.taxRates, ...document.taxRates },
    meters: upsertByCode(head.meters, document.meters ?? []),
    plans: upsertByCode(head.plans, document.plans ?? []),
    ...(dunning === undefined ? {} : { dunning }),
    ...(billing === undefined ? {} : { billing }),
  };
}

/** Replaced entries keep their place, new ones are appended: stable for diffs and listings. */
function upsertByCode<Entry extends { readonly code: string }>(current: readonly Entry[], updates: readonly Entry[]): Entry[] {
  const byCode = new Map(updates.map((entry) => [entry.code, entry]));
  const kept = current.map((entry) => byCode.get(entry.code) ?? entry);
  const existing = new Set(current.map((entry) => entry.code));
  return [...kept, ...updates.filter((entry) => !existing.has(entry.code))];
}

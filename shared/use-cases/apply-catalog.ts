/**
 * `billflow catalog apply`: an idempotent upsert of a catalog document.
 *
 * 1. Read the current head (meters and plans a document may reference without repeating).
 * 2. Validate the document against it; if anything is wrong, write nothing and list it all.
 * 3. Write the merged head, when the document changes any of it.
 * 4. Upsert the customers, after the head, so the plans they name exist by then.
 *
 * Steps 3 and 4 are not one transaction: if step 4 fails, the head is already written;
 * applying the same document again completes it.
 */
import type { CatalogIssue } from '../domain/catalog/types.ts';
import { validateCatalogDocument } from '../domain/catalog/validate.ts';
import { mergeIntoHead } from '../domain/catalog/merge.ts';
import type { CatalogRepository } from '../ports/catalog-repository.ts';

export interface CatalogApplySummary {
  /** How many of each the document upserted (not how many the catalog now holds). */
  readonly meters: number;
  readonly plans: number;
  readonly customers: number;
  readonly taxRates: number;
  readonly issuer: boolean;
}

export type CatalogApplyResult = { ok: true; summary: CatalogApplySummary } | { ok: false; issues: CatalogIssue[] };

export async function applyCatalog(input: unknown, repository: CatalogRepository): Promise<CatalogApplyResult> {
  const head = await repository.readHead();
  const validation = validateCatalogDocument(input, head);
  if (!validation.ok) return validation;

  const { document } = validation;
  const touchesHead =
    document.issuer !== undefined || document.taxRates !== undefined || document.meters !== undefined || document.plans !== undefined ||
    document.dunning !== undefined;
  if (touchesHead) await repository.writeHead(mergeIntoHead(head, document));
  const customers = document.customers ?? [];
  if (customers.length > 0) await repository.upsertCustomers(customers);

  return {
    ok: true,
    summary: {
      meters: document.meters?.length ?? 0,
      plans: document.plans?.length ?? 0,
      customers: customers.length,
      taxRates: Object.keys(document.taxRates ?? {}).length,
      issuer: document.issuer !== undefined,
    },
  };
}

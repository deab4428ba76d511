/**
 * `billflow catalog apply`: an idempotent upsert of a catalog document.
 *
 * 1. Read the current head (meters and plans a document may reference without repeating).
 * 2. Validate the document against it; if anything is wrong, write nothing and list it all.
 *    Given the invoices, a customer whose subscriptions would change a period already
 *    finalized (or closed) is refused too: a credit note corrects a finalized invoice.
 * 3. Write the merged head, when the document changes any of it.
 * 4. Upsert the customers, after the head, so the plans they name exist by then.
 *
 * Steps 3 and 4 are not one transaction: if step 4 fails, the head is already written;
 * applying the same document again completes it.
 */
import type { CatalogIssue } from '#domain/catalog/types.ts';
import { validateCatalogDocument } from '#domain/catalog/validate.ts';
import { mergeIntoHead } from '#domain/catalog/merge.ts';
import type { CatalogRepository } from '#ports/catalog-repository.ts';
import type { InvoiceListing } from '#ports/invoice-repository.ts';
import { finalizedRewriteIssues } from './manage-subscriptions.ts';

export interface CatalogApplySummary {
  /** How many of each the document upserted (not how many the catalog now holds). */
  readonly meters: number;
  readonly plans: number;
  readonly customers: number;
  readonly taxRates: number;
  readonly issuer: boolean;
}

export type CatalogApplyResult = { ok: true; summary: CatalogApplySummary } | { ok: false; issues: CatalogIssue[] };

export async function applyCatalog(input: unknown, repository: CatalogRepository, invoices?: InvoiceListing): Promise<CatalogApplyResult> {
  const head = await repository.readHead();
  const validation = validateCatalogDocument(input, head);
  if (!validation.ok) return validation;

  const { document } = validation;
  if (invoices !== undefined && document.customers !== undefined) {
    const existing = await repository.findCustomers(document.customers.map((customer) => customer.id));
    const issues = (
      await Promise.all(
        document.customers.map(async (customer, index) => {
          const before = existing.get(customer.id);
          if (before === undefined) return [];
          const found = await finalizedRewriteIssues(before, customer, invoices);
          return found.map((issue) => ({ ...issue, path: `customers[${index}].${issue.path}` }));
        }),
      )
    ).flat();
    if (issues.length > 0) return { ok: false, issues };
  }
  const touchesHead =
    document.issuer !== undefined ||
    document.taxRates !== undefined ||
    document.meters !== undefined ||
    document.plans !== undefined ||
    document.dunning !== undefined ||
    document.billing !== undefined;
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

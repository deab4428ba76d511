import type { CatalogHead, Customer } from '#domain/catalog/types.ts';
import type { OutboundFact } from '#domain/outbound/catalogue.ts';

/** Where the applied catalog lives. Applying is an idempotent upsert of head and customers. */
export interface CatalogRepository {
  /** The current head, or an empty one (no meters, plans or issuer) before the first apply. */
  readHead(): Promise<CatalogHead>;
  /** Replace the head with `head` (already merged and validated by the caller). */
  writeHead(head: CatalogHead): Promise<void>;
  /**
   * Upsert customers, in as few requests as the store allows. With `pending` (a customer's
   * subscription change), the customers and those facts in the outbound outbox in one write
   * (ports/outbound-outbox.ts).
   */
  upsertCustomers(customers: readonly Customer[], pending?: readonly OutboundFact[]): Promise<void>;
  /** The customers with these ids that exist; ids not returned are unknown. */
  findCustomers(ids: readonly string[]): Promise<Map<string, Customer>>;
  listCustomers(): Promise<Customer[]>;
  /** Changes whenever the head or any customer is written: cheap to read, unlike the catalog. */
  version(): Promise<string>;
}

/** Customers by id, a page at a time (the HTTP API's listing): reads the page, not every customer. */
export interface CustomerPages {
  /** Up to `limit` customers with ids after `afterId`, in id order; `more`: another page follows. */
  customersPage(query: { limit: number; afterId?: string }): Promise<{ customers: Customer[]; more: boolean }>;
}

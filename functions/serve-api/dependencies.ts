/** What the HTTP API's operations are given: ports only, built once per container by ./handler.ts (tests inject their own). */
import type { CatalogRepository, CustomerPages } from '#ports/catalog-repository.ts';
import type { CustomerBalances } from '#ports/customer-balance.ts';
import type { CreditNoteDeliveries, CreditNotePages, CreditNoteStore } from '#ports/credit-note-store.ts';
import type { EventStore } from '#ports/event-store.ts';
import type { RequestThrottle } from '#ports/request-throttle.ts';
import type { IdempotencyStore } from '#ports/idempotency-store.ts';
import type { InvoiceListing, InvoicePages, IssuedInvoices } from '#ports/invoice-repository.ts';
import type { OutboundEvents } from '#ports/outbound-events.ts';
import type { IngestRules } from '#use-cases/ingest-events.ts';

export interface ApiDependencies {
  readonly catalog: CatalogRepository & CustomerPages;
  /** The catalog's meters and grace period, and which customers exist: cached, as the ingest function caches them. */
  readonly ingestRules: () => Promise<IngestRules>;
  readonly knownCustomers: (ids: readonly string[]) => Promise<ReadonlySet<string>>;
  readonly invoices: InvoiceListing & IssuedInvoices & InvoicePages;
  /** Read-only: the notes, and a note's delivery for its PDF's key. */
  readonly creditNotes: Pick<CreditNoteStore, 'findByNumber'> & Pick<CreditNoteDeliveries, 'findDelivered'> & CreditNotePages;
  /** A customer's balance movements, and refunds recorded by operators (balance.refunded in the outbound outbox). */
  readonly balances: CustomerBalances;
  readonly events: EventStore;
  /** Sends one events-queue message body (the CloudEvents body as it came). */
  readonly enqueueEvents: (body: string) => Promise<void>;
  /** A GET URL for a stored document, valid for `expiresInSeconds`. */
  readonly presignDocument: (key: string, expiresInSeconds: number) => Promise<string>;
  readonly idempotency: IdempotencyStore;
  /** The API keys' token buckets (per-key throttling). */
  readonly throttle: RequestThrottle;
  /** subscription.changed: recorded in the outbound outbox with the change, published, then cleared from it. */
  readonly outbound: OutboundEvents;
  readonly now: () => number;
}

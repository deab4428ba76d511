/**
 * The catalog as ingestion reads it. The head (meters, grace period) is read once per batch, strongly, so a
 * meter applied a moment ago already applies. Known customers are cached per container for a
 * few minutes; unknown ids are never cached, so `catalog apply` followed by `events replay`
 * accepts a customer's events at once. Subscriptions are cached per catalog version.
 */
import { gracePeriodMsOf } from '#domain/catalog/billing-settings.ts';
import type { CatalogRepository } from '#ports/catalog-repository.ts';
import type { IngestRules } from '#use-cases/ingest-events.ts';
import { subscriptionsOf, type Subscription } from '#domain/subscriptions/subscription.ts';

export class CachedCatalog {
  private readonly known = new Map<string, number>();
  private subscriptionsVersion: string | undefined;
  private readonly subscriptionsById = new Map<string, readonly Subscription[]>();

  constructor(
    private readonly repository: CatalogRepository,
    private readonly now: () => number = Date.now,
    private readonly customerTtlMs = 5 * 60_000,
  ) {}

  async ingestRules(): Promise<IngestRules> {
    const head = await this.repository.readHead();
    return { meters: head.meters, gracePeriodMs: gracePeriodMsOf(head) };
  }

  async knownCustomers(ids: readonly string[]): Promise<ReadonlySet<string>> {
    const now = this.now();
    const result = new Set<string>();
    const missing: string[] = [];
    for (const id of ids) {
      const expiry = this.known.get(id);
      if (expiry !== undefined && expiry > now) result.add(id);
      else missing.push(id);
    }
    if (missing.length > 0) {
      for (const id of (await this.repository.findCustomers(missing)).keys()) {
        result.add(id);
        this.known.set(id, now + this.customerTtlMs);
      }
    }
    return result;
  }

  /**
   * The subscriptions of the known customers among `ids`. Cached until the catalog's version
   * changes (one small read per batch), so `billflow subscriptions start` followed by
   * `events replay` is accepted at once, while a batch of a known customer's events costs no
   * customer read.
   */
  async customerSubscriptions(ids: readonly string[]): Promise<ReadonlyMap<string, readonly Subscription[]>> {
    const version = await this.repository.version();
    if (version !== this.subscriptionsVersion) {
      this.subscriptionsById.clear();
      this.subscriptionsVersion = version;
    }
    const missing = ids.filter((id) => !this.subscriptionsById.has(id));
    if (missing.length > 0) {
      for (const [id, customer] of await this.repository.findCustomers(missing)) this.subscriptionsById.set(id, subscriptionsOf(customer));
    }
    const result = new Map<string, readonly Subscription[]>();
    for (const id of ids) {
      const found = this.subscriptionsById.get(id);
      if (found !== undefined) result.set(id, found);
    }
    return result;
  }
}

/**
 * The catalog as ingestion reads it. The head (meters, grace period) is read once per batch, strongly, so a
 * meter applied a moment ago already applies. Known customers are cached per container for a
 * few minutes; unknown ids are never cached, so `catalog apply` followed by `events replay`
 * accepts a customer's events at once.
 */
import { gracePeriodMsOf } from '../domain/catalog/billing-settings.ts';
import type { CatalogRepository } from '../ports/catalog-repository.ts';
import type { IngestRules } from '../use-cases/ingest-events.ts';

export class CachedCatalog {
  private readonly known = new Map<string, number>();

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
}

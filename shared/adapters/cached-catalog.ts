/**
 * The catalog as ingestion reads it. The head (meters) is read once per batch, strongly, so a
 * meter applied a moment ago already applies. Known customers are cached per container for a
 * few minutes; unknown ids are never cached, so `catalog apply` followed by `events replay`
 * accepts a customer's events at once.
 */
import type { Meter } from '../domain/catalog/types.ts';
import type { CatalogRepository } from '../ports/catalog-repository.ts';

export class CachedCatalog {
  private readonly known = new Map<string, number>();

  constructor(
    private readonly repository: CatalogRepository,
    private readonly now: () => number = Date.now,
    private readonly customerTtlMs = 5 * 60_000,
  ) {}

  async meters(): Promise<readonly Meter[]> {
    return (await this.repository.readHead()).meters;
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

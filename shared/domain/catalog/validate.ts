/**
 * Validates a catalog document against the catalog already applied, reporting every error
 * at once, each by its path (`plans[0].charges[2].tiers[1].upTo`), in document order.
 */
import type { z } from 'zod';
import type { CatalogDocument, CatalogHead, CatalogIssue } from './types.ts';
import { catalogDocumentSchema, catalogErrorMap } from './schema.ts';
import { documentRuleIssues, formatPathSegments, type PathSegment, type RuleIssue } from './document-rules.ts';

export type CatalogValidation = { ok: true; document: CatalogDocument } | { ok: false; issues: CatalogIssue[] };

export function validateCatalogDocument(input: unknown, existing: CatalogHead): CatalogValidation {
  if (input === null || input === undefined) {
    return {
      ok: false,
      issues: [{ path: '(document)', message: `the document is empty; give at least one of ${SECTION_ORDER.join(', ')}` }],
    };
  }
  const parsed = catalogDocumentSchema.safeParse(input, { error: catalogErrorMap });
  const found = [...(parsed.success ? [] : parsed.error.issues.flatMap(fromZodIssue)), ...documentRuleIssues(input, existing)];
  if (parsed.success && found.length === 0) return { ok: true, document: parsed.data };
  return { ok: false, issues: inDocumentOrder(found) };
}

export function formatIssue(issue: CatalogIssue): string {
  return `${issue.path}: ${issue.message}`;
}

function fromZodIssue(issue: z.core.$ZodIssue): RuleIssue[] {
  const path = issue.path.filter((segment): segment is PathSegment => typeof segment !== 'symbol');
  // One issue per unknown key, at the key itself: that is where the typo is.
  if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => ({ path: [...path, key], message: issue.message }));
  if (issue.code === 'invalid_key') {
    return [{ path, message: issue.issues.map((inner) => inner.message).join('; ') }];
  }
  return [{ path, message: issue.message }];
}

const SECTION_ORDER = ['issuer', 'taxRates', 'meters', 'plans', 'customers', 'dunning', 'billing'];

/**
 * Sorts by section, then by item index at every depth (schema and rule issues interleave),
 * keeping the found order among issues of the same item. Drops exact repeats.
 */
function inDocumentOrder(issues: readonly RuleIssue[]): CatalogIssue[] {
  const sortKey = (path: readonly PathSegment[]): number[] => {
    const [section, ...rest] = path;
    const known = SECTION_ORDER.indexOf(String(section));
    const rank = section === undefined ? -1 : known === -1 ? SECTION_ORDER.length : known;
    return [rank, ...rest.filter((segment) => typeof segment === 'number')];
  };
  const compare = (a: number[], b: number[]): number => {
    for (let i = 0; i < Math.min(a.length, b.length); i += 1) {
      const difference = (a[i] ?? 0) - (b[i] ?? 0);
      if (difference !== 0) return difference;
    }
    return a.length - b.length;
  };
  const seen = new Set<string>();
  return [...issues]
    .map((issue) => ({ issue, key: sortKey(issue.path) }))
    .sort((a, b) => compare(a.key, b.key))
    .map(({ issue }) => ({ path: formatPathSegments(issue.path), message: issue.message }))
    .filter((issue) => {
      const text = formatIssue(issue);
      if (seen.has(text)) return false;
      seen.add(text);
      return true;
    });
}

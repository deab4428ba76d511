/** `billflow catalog apply FILE`: validates the whole document, then upserts it; nothing is written when invalid. */
import type { Command } from 'commander';
import { formatIssue } from '#domain/catalog/validate.ts';
import { applyCatalog } from '#use-cases/apply-catalog.ts';
import { createContext } from '../context.ts';
import { readDocumentFile } from '../read-document.ts';
import { emit } from '../output.ts';
import type { GlobalOptions } from '../options.ts';

export function registerCatalogCommands(program: Command, globals: () => GlobalOptions): void {
  const catalog = program.command('catalog').description('meters, plans, customers, issuer and tax rates');
  catalog
    .command('apply')
    .description('validate and upsert a catalog document (JSON or YAML)')
    .argument('<file>', 'catalog document, .json, .yaml or .yml')
    .action(async (file: string) => {
      const parsed = readDocumentFile(file);
      const context = createContext(globals().outputs);
      const result = parsed.ok
        ? await applyCatalog(parsed.value, context.catalog, context.invoices)
        : { ok: false as const, issues: parsed.issues };
      if (!result.ok) {
        if (globals().json) process.stdout.write(`${JSON.stringify({ applied: false, errors: result.issues }, null, 2)}\n`);
        process.stderr.write(
          `${file} is invalid, nothing was applied (${result.issues.length} errors):\n${result.issues.map((issue) => `  ${formatIssue(issue)}`).join('\n')}\n`,
        );
        process.exitCode = 1;
        return;
      }
      const s = result.summary;
      emit(
        globals(),
        { applied: true, ...s },
        () =>
          `applied ${file}: ${s.meters} meters, ${s.plans} plans, ${s.customers} customers, ${s.taxRates} tax rates${s.issuer ? ', issuer' : ''}`,
      );
    });
}

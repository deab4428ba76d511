/** Reads a JSON or YAML document named on the command line (a catalog, one customer). */
import { readFileSync } from 'node:fs';
import { parseCatalogText, type CatalogParse } from '#domain/catalog/parse.ts';
import { UsageError } from './errors.ts';

export function readDocumentFile(file: string): CatalogParse {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as Error).message}`);
  }
  return parseCatalogText(text, file);
}

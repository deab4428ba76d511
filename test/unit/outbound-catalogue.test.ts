/** The README's event catalogue is the domain's examples, rendered: it cannot drift from the types. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { format, resolveConfig } from 'prettier';
import { describe, expect, it } from 'vitest';
import { outboundEventTypes } from '#domain/outbound/catalogue.ts';
import { CATALOGUE_END, CATALOGUE_START, renderCatalogue } from '#infra/tools/outbound-catalogue.ts';

const README = join(import.meta.dirname, '..', '..', 'README.md');

describe('the README event catalogue', () => {
  it('is the examples of shared/domain/outbound/examples.ts as rendered (run infra/tools/outbound-catalogue.ts --write after a change)', async () => {
    const readme = readFileSync(README, 'utf8');
    const section = readme.slice(readme.indexOf(CATALOGUE_START), readme.indexOf(CATALOGUE_END) + CATALOGUE_END.length);
    // As `npm run lint` leaves it: formatted by Prettier with the repository's settings.
    const options = { ...(await resolveConfig(README)), parser: 'markdown' };
    expect(await format(section, options)).toBe(await format(renderCatalogue(), options));
  });

  it('shows one example payload of every event type', () => {
    const rendered = renderCatalogue();
    for (const type of outboundEventTypes) expect(rendered).toContain(`<summary><code>billflow.${type}</code></summary>`);
  });
});

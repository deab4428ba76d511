/**
 * `billflow outputs [NAME]`: the outputs file the CLI talks to, or one value of it, so scripts
 * read URLs, ports and the local webhook secret from the pipeline instead of assuming them.
 */
import type { Command } from 'commander';
import { loadOutputs } from '../context.ts';
import { UsageError } from '../errors.ts';
import { emit } from '../output.ts';
import type { GlobalOptions } from '../options.ts';

export function registerOutputsCommand(program: Command, globals: () => GlobalOptions): void {
  program
    .command('outputs')
    .description("print the pipeline's outputs, or the value of one (e.g. apiUrl, mailViewerUrl, stripeWebhookSecret)")
    .argument('[name]', 'one output')
    .action((name: string | undefined) => {
      const outputs = loadOutputs(globals().outputs) as Record<string, unknown>;
      if (name === undefined) {
        emit({ json: true }, outputs, () => '');
        return;
      }
      if (!(name in outputs)) throw new UsageError(`no output ${name}: the outputs are ${Object.keys(outputs).join(', ')}`);
      const value = outputs[name];
      emit(globals(), value, () => (typeof value === 'string' || typeof value === 'number' ? String(value) : JSON.stringify(value)));
    });
}

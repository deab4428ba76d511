/**
 * The stack outputs, from the one definition of the outputs (shared/outputs.ts) that also
 * writes the local outputs.json (infra/local/function-environment.ts) and validates both in
 * the CLI: every output but the local-only ones, under the same names (CONTRACTS.md section 6).
 */
import { CfnOutput, type Stack } from 'aws-cdk-lib';
import { outputDefinitions, type OutputName, type OutputSource } from '#shared/outputs.ts';
import { pipelineSettings } from './resources.ts';

export interface StackOutputValues {
  /** Environment variable -> the table name, queue URL or bucket name the functions get in it. */
  readonly env: Readonly<Record<string, string>>;
  readonly apiUrl: string;
  /** The values only the stack has (source `stack`). */
  readonly stackOnly: Readonly<Partial<Record<OutputName, string>>>;
}

export function addStackOutputs(stack: Stack, values: StackOutputValues): void {
  for (const [output, definition] of Object.entries(outputDefinitions) as [OutputName, (typeof outputDefinitions)[OutputName]][]) {
    const source: OutputSource = definition.source;
    if (source === 'local') continue;
    new CfnOutput(stack, output, { value: valueOf(stack, output, source, values), description: definition.description });
  }
}

function valueOf(stack: Stack, output: OutputName, source: Exclude<OutputSource, 'local'>, values: StackOutputValues): string {
  if (source === 'region') return stack.region;
  if (source === 'apiUrl') return values.apiUrl;
  const value = source === 'stack' ? values.stackOnly[output] : 'env' in source ? values.env[source.env] : pipelineSettings[source.setting];
  if (value === undefined) throw new Error(`${stack.node.path}: no value for the stack output ${output} (${JSON.stringify(source)})`);
  return value;
}

/**
 * Compares the CloudFormation templates of two checkouts of billflow, for a refactoring of the
 * stack that must not change what is deployed:
 *
 *   npx tsx infra/tools/compare-templates.ts /work/main .
 *
 * Each checkout's own infra/stack.ts is synthesized with its own aws-cdk-lib (bundling off:
 * the functions' code is not compared) into a temporary directory, for both stages; nothing is
 * written into either checkout. Resources are matched by logical id and compared property by
 * property, after two normalizations that change nothing deployed: the statements of a policy
 * document are compared as a set (IAM evaluates them unordered), and so are the alarms of the
 * dashboard's alarm-status widget (it sorts them by state change). Exits 1 on any difference.
 */
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { pathToFileURL } from 'node:url';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
interface TemplateJson {
  Resources: Record<string, { Type: string; Properties?: Json; [key: string]: Json | undefined }>;
  Outputs?: Record<string, Json>;
  Parameters?: Record<string, Json>;
  Conditions?: Record<string, Json>;
}

const STAGES = ['dev', 'prod'] as const;

async function synthesize(root: string, stage: string): Promise<TemplateJson> {
  const requireFromRoot = createRequire(join(root, 'package.json'));
  const cdk = requireFromRoot('aws-cdk-lib') as typeof import('aws-cdk-lib');
  const { Template } = requireFromRoot('aws-cdk-lib/assertions') as typeof import('aws-cdk-lib/assertions');
  const { BUNDLING_STACKS } = requireFromRoot('aws-cdk-lib/cx-api') as typeof import('aws-cdk-lib/cx-api');
  const { featureFlags } = (await import(pathToFileURL(join(root, 'infra/feature-flags.ts')).href)) as {
    featureFlags: Record<string, boolean>;
  };
  const { BillflowStack } = (await import(pathToFileURL(join(root, 'infra/stack.ts')).href)) as {
    BillflowStack: new (scope: unknown, id: string, props: { stage: string }) => import('aws-cdk-lib').Stack;
  };
  const app = new cdk.App({
    outdir: mkdtempSync(join(tmpdir(), 'billflow-template-')),
    context: { ...featureFlags, stage, [BUNDLING_STACKS]: [] },
  });
  const stack = new BillflowStack(app, `billflow-${stage}`, { stage });
  return Template.fromStack(stack).toJSON() as TemplateJson;
}

/** Sorts what is unordered in effect, so equal meaning compares equal. */
function normalize(value: Json, key = ''): Json {
  if (Array.isArray(value)) {
    const items = value.map((item) => normalize(item));
    return key === 'Statement' || key === 'alarms' ? items.sort((a, b) => stable(a).localeCompare(stable(b))) : items;
  }
  if (value !== null && typeof value === 'object') {
    // Without bundling, an asset's hash is of its source directory, not of the code deployed.
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((name) => [name, name === 'S3Key' && key === 'Code' ? '<function code>' : normalize(value[name] as Json, name)]),
    );
  }
  return value;
}

function stable(value: Json): string {
  return JSON.stringify(normalize(value));
}

/** The dashboard body is a Fn::Join of JSON text and references: parsed, so its widgets compare as data. */
function dashboardBody(resource: Json): Json {
  const join = (resource as { Properties: { DashboardBody: { 'Fn::Join': [string, Json[]] } } }).Properties.DashboardBody['Fn::Join'];
  const text = join[1].map((part) => (typeof part === 'string' ? part : JSON.stringify(stable(part)).slice(1, -1))).join('');
  return normalize(JSON.parse(text) as Json);
}

function describeDifference(before: Json | undefined, after: Json | undefined, path: string, out: string[]): void {
  if (isDeepStrictEqual(before, after)) return;
  const isObject = (value: Json | undefined) => value !== null && typeof value === 'object' && !Array.isArray(value);
  if (isObject(before) && isObject(after)) {
    const keys = new Set([...Object.keys(before as object), ...Object.keys(after as object)]);
    for (const key of keys) {
      describeDifference((before as Record<string, Json>)[key], (after as Record<string, Json>)[key], `${path}.${key}`, out);
    }
    return;
  }
  out.push(`${path}\n    before: ${JSON.stringify(before)}\n    after:  ${JSON.stringify(after)}`);
}

function compare(before: TemplateJson, after: TemplateJson): string[] {
  const differences: string[] = [];
  const count = (template: TemplateJson) => {
    const counts: Record<string, number> = {};
    for (const { Type } of Object.values(template.Resources)) counts[Type] = (counts[Type] ?? 0) + 1;
    return counts;
  };
  describeDifference(normalize(count(before)), normalize(count(after)), 'resource counts', differences);
  for (const id of new Set([...Object.keys(before.Resources), ...Object.keys(after.Resources)])) {
    const [was, is] = [before.Resources[id], after.Resources[id]];
    if (was === undefined || is === undefined) {
      differences.push(`${id}: ${was === undefined ? `added (${is?.Type})` : `removed (${was.Type})`}`);
      continue;
    }
    // Construct paths show where the code builds a resource, not what is deployed.
    const strip = ({ Metadata: _metadata, ...rest }: TemplateJson['Resources'][string]) => rest as Json;
    if (was.Type === 'AWS::CloudWatch::Dashboard') {
      describeDifference(dashboardBody(was as unknown as Json), dashboardBody(is as unknown as Json), `${id}.DashboardBody`, differences);
      continue;
    }
    describeDifference(normalize(strip(was)), normalize(strip(is)), id, differences);
  }
  for (const section of ['Outputs', 'Parameters', 'Conditions'] as const) {
    describeDifference(normalize(before[section] ?? {}), normalize(after[section] ?? {}), section, differences);
  }
  return differences;
}

async function main(): Promise<void> {
  const [beforeRoot, afterRoot] = process.argv.slice(2).map((path) => resolve(path));
  if (beforeRoot === undefined || afterRoot === undefined) {
    console.error('usage: tsx infra/tools/compare-templates.ts <checkout before> <checkout after>');
    process.exit(2);
  }
  let failed = false;
  for (const stage of STAGES) {
    const [before, after] = [await synthesize(beforeRoot, stage), await synthesize(afterRoot, stage)];
    const differences = compare(before, after);
    const resources = Object.keys(after.Resources).length;
    const statements = JSON.stringify(after.Resources).match(/"Effect"/g)?.length ?? 0;
    if (differences.length === 0) {
      console.log(`${stage}: same template (${resources} resources, ${statements} policy statements, same logical ids)`);
    } else {
      failed = true;
      console.log(`${stage}: ${differences.length} difference(s)\n  ${differences.join('\n  ')}`);
    }
  }
  process.exit(failed ? 1 : 0);
}

await main();

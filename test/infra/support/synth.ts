/**
 * Builds BillflowStack the way `cdk synth -c stage=...` does (the feature-flag defaults of
 * infra/app.ts plus the stage), and reads the template: policy statements, the dashboard body.
 */
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { BUNDLING_STACKS } from 'aws-cdk-lib/cx-api';
import type { IConstruct } from 'constructs';
import { featureFlags } from '#infra/feature-flags.ts';
import { BillflowStack } from '#infra/stack.ts';
import { parseStage, type Stage } from '#infra/stage.ts';

export const STAGES = ['dev', 'prod'] as const satisfies readonly Stage[];

export interface Built {
  readonly stack: BillflowStack;
  readonly template: Template;
}

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: string;
  readonly Principal?: unknown;
  readonly Action?: string | readonly string[];
  readonly NotAction?: unknown;
  readonly Resource?: unknown;
  readonly NotResource?: unknown;
  readonly Condition?: unknown;
}

/**
 * Synthesizes the stage. `bundle: false` skips esbuild (the functions get placeholder code):
 * for tests of the template's configuration, which does not depend on the bundles. `change`
 * runs on the stack before synthesis.
 */
export function build(stage: Stage, options: { bundle?: boolean; change?: (stack: BillflowStack) => void } = {}): Built {
  const context: Record<string, unknown> = { ...featureFlags, stage };
  if (options.bundle === false) context[BUNDLING_STACKS] = [];
  const app = new App({ context });
  const stack = new BillflowStack(app, `billflow-${stage}`, { stage: parseStage(app.node.tryGetContext('stage')) });
  // A test may change the stack before it is synthesized (e.g. add a grant the checks must catch).
  options.change?.(stack);
  return { stack, template: Template.fromStack(stack) };
}

/** The logical id of an L2 construct's CloudFormation resource. */
export function logicalId(construct: IConstruct): string {
  const element = (construct.node.defaultChild ?? construct) as CfnElement;
  return Stack.of(element).getLogicalId(element);
}

/** `{ Fn::GetAtt: [id, 'Arn'] }` of a construct. */
export function arnOf(construct: IConstruct): unknown {
  return { 'Fn::GetAtt': [logicalId(construct), 'Arn'] };
}

export function asArray<T>(value: T | readonly T[] | undefined): readonly T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value as T];
}

export interface LocatedStatement {
  /** Logical id and type of the resource holding the policy, e.g. `IngestFunctionRoleDefaultPolicy… (AWS::IAM::Policy)`. */
  readonly resourceId: string;
  readonly resourceType: string;
  readonly statement: PolicyStatement;
}

/** Where each resource type keeps its policy documents (identity and resource policies). */
const POLICY_DOCUMENTS: Readonly<Record<string, (properties: Record<string, any>) => unknown[]>> = {
  'AWS::IAM::Policy': (p) => [p.PolicyDocument],
  'AWS::IAM::ManagedPolicy': (p) => [p.PolicyDocument],
  'AWS::IAM::Role': (p) => (p.Policies ?? []).map((policy: { PolicyDocument: unknown }) => policy.PolicyDocument),
  'AWS::KMS::Key': (p) => [p.KeyPolicy],
  'AWS::SQS::QueuePolicy': (p) => [p.PolicyDocument],
  'AWS::SNS::TopicPolicy': (p) => [p.PolicyDocument],
  'AWS::S3::BucketPolicy': (p) => [p.PolicyDocument],
  'AWS::SecretsManager::ResourcePolicy': (p) => [p.ResourcePolicy],
  'AWS::Logs::ResourcePolicy': (p) => [typeof p.PolicyDocument === 'string' ? JSON.parse(p.PolicyDocument) : p.PolicyDocument],
};

/** Every statement of every identity and resource policy in the template. */
export function allStatements(template: Template): LocatedStatement[] {
  const resources = template.toJSON().Resources as Record<string, { Type: string; Properties?: Record<string, any> }>;
  return Object.entries(resources).flatMap(([resourceId, resource]) => {
    const documents = POLICY_DOCUMENTS[resource.Type]?.(resource.Properties ?? {}) ?? [];
    return documents.flatMap((document) =>
      asArray((document as { Statement?: PolicyStatement | PolicyStatement[] } | undefined)?.Statement).map((statement) => ({
        resourceId,
        resourceType: resource.Type,
        statement,
      })),
    );
  });
}

/** Resource types that hold a policy document, so a test can fail on a type it does not read. */
export const POLICY_RESOURCE_TYPES: readonly string[] = Object.keys(POLICY_DOCUMENTS);

export interface DashboardWidget {
  readonly type: string;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly properties: Record<string, any>;
}

/**
 * The dashboard's widgets, with each CloudFormation reference in the body written as
 * `<Ref:Id>` or `<Id.Attribute>` so a test can tell which resource a widget shows.
 */
export function dashboardWidgets(template: Template): DashboardWidget[] {
  const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
  if (dashboards.length !== 1) throw new Error(`expected one dashboard, found ${dashboards.length}`);
  const body = dashboards[0]?.Properties.DashboardBody as { 'Fn::Join': [string, unknown[]] };
  const text = body['Fn::Join'][1]
    .map((part) => {
      if (typeof part === 'string') return part;
      const record = part as Record<string, unknown>;
      if ('Ref' in record) return `<Ref:${String(record.Ref)}>`;
      if ('Fn::GetAtt' in record) {
        const [id, attribute] = record['Fn::GetAtt'] as [string, string];
        return `<${id}.${attribute}>`;
      }
      throw new Error(`unexpected token in the dashboard body: ${JSON.stringify(part)}`);
    })
    .join('');
  return (JSON.parse(text) as { widgets: DashboardWidget[] }).widgets;
}

/**
 * Deployment stages and what differs between them. Everything else is the same in dev and
 * prod, so a dev deployment exercises the prod configuration.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';

export const STAGES = ['dev', 'prod'] as const;
export type Stage = (typeof STAGES)[number];

/** Reads the `stage` context value (`cdk synth -c stage=prod`); dev when it is not set. */
export function parseStage(value: unknown): Stage {
  if (value === undefined) return 'dev';
  const stage = STAGES.find((candidate) => candidate === value);
  if (stage === undefined) {
    throw new Error(`Unknown stage ${JSON.stringify(value)}: pass -c stage=dev or -c stage=prod (default dev).`);
  }
  return stage;
}

export interface StageSettings {
  /** Tables, the alarm key and log groups: prod keeps them when the stack or a resource is deleted. */
  readonly dataRemovalPolicy: RemovalPolicy;
  /** DynamoDB deletion protection: a prod table cannot be deleted, even by hand, until it is turned off. */
  readonly deletionProtection: boolean;
  /** Function log retention. */
  readonly logRetention: RetentionDays;
  /** Days S3 server access logs are kept. */
  readonly accessLogRetentionDays: number;
  /** CloudFormation termination protection for the whole stack. */
  readonly terminationProtection: boolean;
}

const SETTINGS: Readonly<Record<Stage, StageSettings>> = {
  // dev is disposable: `cdk destroy` removes everything that holds no legal record.
  dev: {
    dataRemovalPolicy: RemovalPolicy.DESTROY,
    deletionProtection: false,
    logRetention: RetentionDays.ONE_MONTH,
    accessLogRetentionDays: 30,
    terminationProtection: false,
  },
  prod: {
    dataRemovalPolicy: RemovalPolicy.RETAIN,
    deletionProtection: true,
    logRetention: RetentionDays.ONE_YEAR,
    accessLogRetentionDays: 365,
    terminationProtection: true,
  },
};

export function stageSettings(stage: Stage): StageSettings {
  return SETTINGS[stage];
}

/**
 * A Lambda function with billflow's defaults (STYLE.md practice 3): Node 22 on arm64, X-Ray
 * tracing, an explicit log group with retention, ESM bundling with the local esbuild, and
 * helpers that set a resource's env var and grant exactly the listed actions in one call.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, type RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { Alarm, IAlarmAction, Metric, MetricOptions } from 'aws-cdk-lib/aws-cloudwatch';
import { notifyingAlarm } from './notifying-alarm.ts';
import type { ITable, Table } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, type CfnFunction, EventSourceMapping, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { type ICommandHooks, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { IConfigurationSet } from 'aws-cdk-lib/aws-ses';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct, IConstruct } from 'constructs';
import type { QueueConsumerDefinition } from '../resources.ts';

/** Repository root: holds package-lock.json and tsconfig.json, which esbuild resolves from. */
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Resolves packages the way the functions do at run time, from the repository's node_modules. */
const requireFromRepo = createRequire(join(REPO_ROOT, 'package.json'));

/**
 * Powertools service name and metrics namespace of every function (as in
 * shared/observability.ts). Powertools adds `service` as a dimension to each business metric,
 * so an alarm on one names both (see businessMetric).
 */
export const SERVICE_NAME = 'billflow';
export const METRICS_NAMESPACE = 'Billflow';

export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
export type DynamoDbAction = `dynamodb:${string}`;
/** Object-level actions, granted on the given keys only; s3:ListBucket is granted on the bucket. */
export type S3Action = `s3:${string}`;

/**
 * Files of a dependency that the bundled code loads at run time through a require or path
 * esbuild cannot follow, copied into the asset at `node_modules/{packageName}/{file}`, where
 * Node's resolution from the bundle (`/var/task/index.mjs`) finds them. The package's
 * package.json is always copied too.
 */
export interface PackageFiles {
  readonly packageName: string;
  /** Files or directories inside the package, e.g. `ttf/DejaVuSans.ttf`. */
  readonly files: readonly [string, ...string[]];
}

export interface ErrorsAlarmProps {
  /** Full alarm name; must start with the alarm topic's `alarmNamePrefix` to be allowed to publish. */
  readonly alarmName: string;
  /** What an operator should do when it fires. */
  readonly alarmDescription: string;
  /** Where alarm and OK notifications go. */
  readonly action: IAlarmAction;
}

/** Same shape: a throttles alarm is named and described at the call site like an errors alarm. */
export type ThrottlesAlarmProps = ErrorsAlarmProps;

export interface BillingFunctionProps {
  /** Handler module relative to the repository root (as in infra/resources.ts); exports `handler`. */
  readonly entry: string;
  readonly memorySize: number;
  readonly timeout: Duration;
  /** How long the function's log events are kept (one month dev, one year prod). */
  readonly logRetention: RetentionDays;
  /** What happens to the log group when the function is removed. */
  readonly logRemovalPolicy: RemovalPolicy;
  readonly description?: string;
  /**
   * Powertools Logger level.
   * @default 'INFO'
   */
  readonly logLevel?: LogLevel;
  /**
   * V8 options for this function's Node process, after the team's `--enable-source-maps` in
   * NODE_OPTIONS (e.g. RENDER_V8_OPTIONS).
   * @default - none
   */
  readonly v8Options?: string;
  /**
   * Function-specific settings; resource names are added with the bind/consume helpers.
   * @default - only the team defaults (Powertools, source maps)
   */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * Dependency files read at run time, shipped next to the bundle.
   * @default - none
   */
  readonly packageFiles?: readonly PackageFiles[];
  /**
   * Subpath imports (`#name` specifiers) for the asset's own package.json. A dependency's
   * `require('#x')` bundled into index.mjs is resolved against the package scope of the
   * bundle, i.e. `/var/task/package.json`, no longer against the dependency's own.
   * @default - no package.json in the asset
   */
  readonly packageImports?: Readonly<Record<string, string>>;
}

export class BillingFunction extends NodejsFunction {
  public readonly functionLogGroup: LogGroup;

  public constructor(scope: Construct, id: string, props: BillingFunctionProps) {
    // Siblings rather than children: both must exist before super() creates the function.
    // The explicit log group replaces the deprecated logRetention custom resource.
    const logGroup = new LogGroup(scope, `${id}LogGroup`, {
      retention: props.logRetention,
      removalPolicy: props.logRemovalPolicy,
    });
    // Our own role, so the function gets no AWSLambdaBasicExecutionRole (which may write to
    // every log group in the account): it can only write to its own log group (below).
    const role = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${id}`,
    });

    super(scope, id, {
      entry: join(REPO_ROOT, props.entry),
      handler: 'handler',
      description: props.description,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      tracing: Tracing.ACTIVE,
      role,
      logGroup,
      environment: {
        POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        POWERTOOLS_LOG_LEVEL: props.logLevel ?? 'INFO',
        // Stack traces point into the TypeScript sources, not the minified bundle.
        NODE_OPTIONS: props.v8Options === undefined ? '--enable-source-maps' : `--enable-source-maps ${props.v8Options}`,
        ...props.environment,
      },
      projectRoot: REPO_ROOT,
      depsLockFilePath: join(REPO_ROOT, 'package-lock.json'),
      bundling: {
        format: OutputFormat.ESM,
        target: 'node22',
        minify: true,
        sourceMap: true,
        // The map only needs line mappings; the sources are in git. Keeps the asset small.
        sourcesContent: false,
        // Prefer the ESM build of dependencies (better tree shaking).
        mainFields: ['module', 'main'],
        // CommonJS dependencies bundled into an ESM file still call require(); give them one.
        // Aliased so it cannot clash with a createRequire import inside the bundle.
        banner: "import { createRequire as topLevelCreateRequire } from 'module'; const require = topLevelCreateRequire(import.meta.url);",
        // Bundle the AWS SDK instead of using the runtime's copy: the SDK version we test
        // against (package-lock.json) is the one that runs, and a runtime update cannot
        // change behaviour under us. Costs a slightly larger asset.
        bundleAwsSDK: true,
        // Offline and fast: the esbuild in node_modules, never a Docker image.
        forceDockerBundling: false,
        ...(props.packageFiles === undefined && props.packageImports === undefined
          ? {}
          : { commandHooks: runtimeFileHooks(props.packageFiles ?? [], props.packageImports) }),
      },
    });
    this.functionLogGroup = logGroup;
    logGroup.grantWrite(this);

    const runtimeReason =
      'Node 22 is the team runtime: local mode, tests and the esbuild target (node22) all run Node 22, so Lambda runs what was tested. Moving to Node 24 is a deliberate upgrade of all three together.';
    Validations.of(this).acknowledge(
      { id: 'AwsSolutions-L1', reason: runtimeReason },
      { id: 'Serverless-LambdaLatestVersion', reason: runtimeReason },
    );
    // Tracing.ACTIVE adds xray:PutTraceSegments and xray:PutTelemetryRecords on "*" to the
    // role's default policy. Only that finding is acknowledged, on that policy; test/infra
    // checks that no other statement uses Resource "*".
    const defaultPolicy = role.node.tryFindChild('DefaultPolicy');
    if (defaultPolicy === undefined) throw new Error(`${role.node.path}: expected the X-Ray grant in DefaultPolicy`);
    Validations.of(defaultPolicy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions, so active tracing requires Resource "*".',
    });
  }

  /**
   * Passes `table`'s name in `envVar` and grants exactly `actions` on it (no wildcards):
   * the function can do nothing with the table that is not listed at the call site.
   * On the table itself only, not its indexes: Table.grant would add `{table}/index/*` as
   * soon as the table has an index, i.e. every index to every function. An index is granted
   * by name with queriesIndex.
   */
  public bindTable(table: ITable, envVar: string, ...actions: [DynamoDbAction, ...DynamoDbAction[]]): this {
    const wildcard = actions.find((action) => action.includes('*'));
    if (wildcard !== undefined) {
      throw new Error(`${this.node.path}: bindTable grants named actions only, got "${wildcard}".`);
    }
    this.addEnvironment(envVar, table.tableName);
    this.addToRolePolicy(new PolicyStatement({ actions, resources: [table.tableArn] }));
    return this;
  }

  /**
   * Grants dynamodb:Query on the global secondary index `indexName` of `table` only
   * (`{table}/index/{indexName}`); the table's name comes with bindTable. Throws if the table
   * has no such index, so a renamed index cannot leave a grant on nothing.
   */
  public queriesIndex(table: Table, indexName: string): this {
    table.schemaV2(indexName);
    this.addToRolePolicy(new PolicyStatement({ actions: ['dynamodb:Query'], resources: [`${table.tableArn}/index/${indexName}`] }));
    return this;
  }

  /**
   * Passes `queue`'s URL in `envVar` and grants sqs:SendMessage on that queue only (which also
   * authorizes SendMessageBatch). No GetQueueAttributes or GetQueueUrl: the URL is passed in.
   * The queues use SSE-SQS, so no KMS grant is needed.
   */
  public sendsTo(queue: IQueue, envVar: string): this {
    this.addEnvironment(envVar, queue.queueUrl);
    queue.grant(this, 'sqs:SendMessage');
    return this;
  }

  /**
   * Passes `bucket`'s name in `envVar` and grants exactly `actions` on the objects matching
   * `keyPattern` only (e.g. `invoices/*`); `s3:ListBucket`, if listed, on the bucket itself.
   * The wildcard in the key pattern is the one cdk-nag IAM5 finding this acknowledges.
   */
  public bindBucket(bucket: IBucket, envVar: string, keyPattern: string, ...actions: [S3Action, ...S3Action[]]): this {
    const wildcard = actions.find((action) => action.includes('*'));
    if (wildcard !== undefined) {
      throw new Error(`${this.node.path}: bindBucket grants named actions only, got "${wildcard}".`);
    }
    this.addEnvironment(envVar, bucket.bucketName);
    const objectActions = actions.filter((action) => action !== 's3:ListBucket');
    const objects = bucket.arnForObjects(keyPattern);
    if (objectActions.length > 0) {
      this.addToRolePolicy(new PolicyStatement({ actions: objectActions, resources: [objects] }));
    }
    if (actions.includes('s3:ListBucket')) {
      this.addToRolePolicy(new PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }));
    }
    if (objectActions.length > 0 && keyPattern.includes('*')) {
      Validations.of(this.defaultPolicy()).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${nagResource(Stack.of(this).resolve(objects))}]`,
        reason: `Object keys are per document (one key per invoice), so the grant names a key prefix: ${objectActions.join(', ')} on "${keyPattern}" of this bucket only, never the whole bucket.`,
      });
    }
    return this;
  }

  /**
   * Passes `configurationSet`'s name in `envVar` and grants ses:SendEmail and ses:SendRawEmail
   * (SES v2 SendEmail with raw content is authorized by both) as `identityArn` with that
   * configuration set only: SES checks the sending identity and the configuration set.
   */
  public sendsEmail(identityArn: string, configurationSet: IConfigurationSet, envVar: string): this {
    this.addEnvironment(envVar, configurationSet.configurationSetName);
    this.addToRolePolicy(
      new PolicyStatement({
        actions: ['ses:SendEmail', 'ses:SendRawEmail'],
        resources: [
          identityArn,
          Stack.of(this).formatArn({
            service: 'ses',
            resource: 'configuration-set',
            resourceName: configurationSet.configurationSetName,
          }),
        ],
      }),
    );
    return this;
  }

  /**
   * Feeds `queue` to the function with the batching of `consumer`. Failed records are
   * reported individually (partial batch response), so one bad message never redelivers
   * the whole batch. The event source grants the receive/delete/visibility permissions.
   * A batching window of 0 is left out: the event source's default is no window.
   */
  public consumeQueue(queue: IQueue, consumer: QueueConsumerDefinition): this {
    const before = new Set(this.node.children);
    this.addEventSource(
      new SqsEventSource(queue, {
        batchSize: consumer.batchSize,
        ...(consumer.maxBatchingWindowSeconds > 0 ? { maxBatchingWindow: Duration.seconds(consumer.maxBatchingWindowSeconds) } : {}),
        reportBatchItemFailures: true,
      }),
    );
    const mapping = this.node.children.find((child) => !before.has(child) && child instanceof EventSourceMapping);
    if (mapping === undefined) throw new Error(`${this.node.path}: expected the event source mapping of ${consumer.queueId}`);
    Validations.of(mapping).acknowledge({
      id: 'Serverless-LambdaEventSourceMappingDestination',
      reason: `Lambda supports on-failure destinations for stream and Kafka sources only, not SQS: a message that fails ${consumer.queueId}'s maxReceiveCount times goes to the queue's own dead-letter queue (redrive policy), which is alarmed.`,
    });
    Validations.of(this).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason: `Invoked synchronously by the ${consumer.queueId} event source mapping only, never asynchronously, so a function DeadLetterConfig would never receive anything: failed messages go to the queue's dead-letter queue.`,
    });
    return this;
  }

  /**
   * Sends asynchronous invocations that failed every attempt (the first and Lambda's retries)
   * to `queue`: sets the function's DeadLetterConfig and grants sqs:SendMessage on that queue
   * only. For functions invoked asynchronously (by EventBridge Scheduler).
   */
  public sendFailedInvocationsTo(queue: IQueue): void {
    const cfn = this.node.defaultChild as CfnFunction;
    if (cfn.deadLetterConfig !== undefined) throw new Error(`${this.node.path}: already has a dead-letter queue`);
    cfn.deadLetterConfig = { targetArn: queue.queueArn };
    queue.grant(this, 'sqs:SendMessage');
  }

  /**
   * Alarms when any invocation fails within five minutes: an error thrown out of the handler
   * (not a record reported as a partial batch failure), a timeout or an out-of-memory crash.
   */
  public addErrorsAlarm(props: ErrorsAlarmProps): Alarm {
    return this.anyInFiveMinutesAlarm('ErrorsAlarm', this.metricErrors.bind(this), props);
  }

  /**
   * Alarms when any invocation was throttled within five minutes: the account's (or the
   * function's reserved) concurrency is exhausted, so work waits or is refused.
   */
  public addThrottlesAlarm(props: ThrottlesAlarmProps): Alarm {
    return this.anyInFiveMinutesAlarm('ThrottlesAlarm', this.metricThrottles.bind(this), props);
  }

  /** An alarm on the sum of one of the function's metrics over five minutes: any at all fires it. */
  private anyInFiveMinutesAlarm(id: string, metric: (props: MetricOptions) => Metric, props: ErrorsAlarmProps): Alarm {
    return notifyingAlarm(this, id, {
      alarmName: props.alarmName,
      alarmDescription: props.alarmDescription,
      metric: metric({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: 0,
      action: props.action,
    });
  }

  private defaultPolicy(): IConstruct {
    const policy = this.role?.node.tryFindChild('DefaultPolicy');
    if (policy === undefined) throw new Error(`${this.node.path}: expected the role's DefaultPolicy`);
    return policy;
  }
}

/**
 * esbuild hooks that copy each package's listed files into `{asset}/node_modules/{package}/`
 * and write the asset's package.json with `imports`. Runs on the host (no Docker); the files
 * come from the repository's node_modules, so they are the package-lock.json version, with no
 * npm install in the asset.
 */
function runtimeFileHooks(packages: readonly PackageFiles[], imports: Readonly<Record<string, string>> | undefined): ICommandHooks {
  const quote = (text: string) => `'${text.replaceAll("'", "'\\''")}'`;
  return {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (_inputDir: string, outputDir: string) => [
      ...packages.flatMap(({ packageName, files }) => {
        const source = packageDirectory(packageName);
        return ['package.json', ...files].flatMap((file) => {
          const target = join(outputDir, 'node_modules', packageName, file);
          return [`mkdir -p ${quote(dirname(target))}`, `cp -R ${quote(join(source, file))} ${quote(target)}`];
        });
      }),
      ...(imports === undefined
        ? []
        : [`printf '%s' ${quote(JSON.stringify({ private: true, imports }))} > ${quote(join(outputDir, 'package.json'))}`]),
    ],
  };
}

/** Where Node finds `packageName` from the repository root (its exports may hide package.json). */
function packageDirectory(packageName: string): string {
  for (const nodeModules of requireFromRepo.resolve.paths(packageName) ?? []) {
    const candidate = join(nodeModules, packageName);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
  }
  throw new Error(`${packageName} is not installed (npm ci): its files cannot be shipped with the function`);
}

/** How cdk-nag names a resolved resource in a finding id: `<LogicalId.Arn>/invoices/*`. */
function nagResource(resolved: unknown): string {
  if (typeof resolved === 'string') return resolved;
  const record = resolved as Record<string, unknown>;
  if ('Fn::GetAtt' in record) {
    const [id, attribute] = record['Fn::GetAtt'] as [string, string];
    return `<${id}.${attribute}>`;
  }
  if ('Ref' in record) return `<${String(record.Ref)}>`;
  if ('Fn::Join' in record) {
    const [separator, parts] = record['Fn::Join'] as [string, unknown[]];
    return parts.map(nagResource).join(separator);
  }
  throw new Error(`cannot name ${JSON.stringify(resolved)} as cdk-nag does`);
}

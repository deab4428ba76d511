/**
 * The CDK app: `npx cdk synth -c stage=prod` (stage dev by default). Synthesizes offline
 * with no credentials: no lookups, and environment-agnostic unless a default region is known.
 */
import { App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { featureFlags } from './feature-flags.ts';
import { BillflowStack } from './stack.ts';
import { parseStage, type Stage } from './stage.ts';

const app = new App({ context: featureFlags });

let stage: Stage;
try {
  stage = parseStage(app.node.tryGetContext('stage'));
} catch (error) {
  // A one-line message instead of a stack trace: this is a usage error, not a bug.
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}

// The CLI sets CDK_DEFAULT_REGION from the AWS profile when there is one; pinning only the
// region keeps the account unresolved, so synth never needs credentials.
const region = process.env.CDK_DEFAULT_REGION;
new BillflowStack(app, `billflow-${stage}`, {
  stage,
  ...(region === undefined ? {} : { env: { region } }),
});

Tags.of(app).add('project', 'billflow');
Tags.of(app).add('stage', stage);
// cdk-nag 3 runs as CDK validation plugins: an AwsSolutions or Serverless finding that is not
// acknowledged in the code, with a reason (Validations.of(x).acknowledge), fails synth.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }), new ServerlessChecks(app, { verbose: true }));

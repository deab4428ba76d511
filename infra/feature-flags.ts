/**
 * CDK feature flags the stack relies on, passed as App context defaults by infra/app.ts
 * and by the infra tests, so `cdk synth` and the in-process test App build the same template.
 * A value set in cdk.json or with `-c` still wins (CLI context overrides App defaults).
 */
import { S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY } from 'aws-cdk-lib/cx-api';

export const featureFlags: Readonly<Record<string, boolean>> = {
  // Server access logs are delivered through a bucket policy scoped to the source bucket,
  // not the legacy LogDeliveryWrite ACL (ACLs stay disabled: BucketOwnerEnforced).
  [S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY]: true,
};

/**
 * Where the webhook endpoint secret(s) come from: Secrets Manager in AWS (through Powertools
 * Parameters, cached for five minutes so a rotation reaches every container within that time
 * without a call per request), or the value itself locally.
 */
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { parseWebhookSecrets } from '#formats/stripe-signature.ts';

const SECRET_CACHE_SECONDS = 300;

export function webhookSecrets(
  source: { readonly secretArn: string } | { readonly value: string },
  secretsManager?: () => SecretsManagerClient,
): () => Promise<readonly string[]> {
  if ('value' in source) {
    const secrets = parseWebhookSecrets(source.value);
    return async () => secrets;
  }
  const provider = new SecretsProvider(secretsManager === undefined ? {} : { awsSdkV3Client: secretsManager() });
  return async () => {
    const value = await provider.get(source.secretArn, { maxAge: SECRET_CACHE_SECONDS });
    if (typeof value !== 'string') throw new Error(`secret ${source.secretArn} holds no text`);
    return parseWebhookSecrets(value);
  };
}

/** `billflow api-keys create | list | revoke`: keys for the HTTP API (`Authorization: Bearer bf_...`). */
import type { Command } from 'commander';
import { Option } from 'commander';
import { API_KEY_SCOPES, rateLimitOf, type ApiKeyRecord, type ApiKeyScope } from '#domain/api-keys/api-key.ts';
import { DEFAULT_KEY_RATE_LIMIT, rateLimitIssues, type KeyRateLimit } from '#domain/api-keys/rate-limit.ts';
import { DynamoDbApiKeyStore } from '#adapters/dynamodb/api-key-store.ts';
import { createApiKey } from '#use-cases/manage-api-keys.ts';
import { createContext } from '../context.ts';
import { UsageError } from '../errors.ts';
import { emit, table } from '../output.ts';
import type { GlobalOptions } from '../options.ts';

export function registerApiKeyCommands(program: Command, globals: () => GlobalOptions): void {
  const apiKeys = program.command('api-keys').description('keys for the HTTP API: the key is printed once, only its SHA-256 is stored');
  const storeOf = () => {
    const context = createContext(globals().outputs);
    return new DynamoDbApiKeyStore(context.clients.dynamodb, context.outputs.billingTable);
  };

  apiKeys
    .command('create')
    .description("create a key and print it once (store it in the caller's secret store: it cannot be shown again)")
    .requiredOption('--name <name>', 'who uses the key, e.g. "orders-service"')
    .addOption(
      new Option('--scope <scope...>', `what the key may do (default: all): ${API_KEY_SCOPES.join(', ')}`).choices([...API_KEY_SCOPES]),
    )
    .option(
      '--rate <n>',
      `requests per second this key may send (default ${DEFAULT_KEY_RATE_LIMIT.ratePerSecond}; decimals allowed, e.g. 0.5)`,
    )
    .option('--burst <n>', `requests it may send at once after a quiet time (default ${DEFAULT_KEY_RATE_LIMIT.burst}, or twice --rate)`)
    .action(async (options: { name: string; scope?: ApiKeyScope[]; rate?: string; burst?: string }) => {
      if (options.name.trim() === '') throw new UsageError('--name must say who uses the key');
      const rateLimit = rateLimitOption(options);
      const { key, record } = await createApiKey(
        { name: options.name.trim(), scopes: options.scope ?? [...API_KEY_SCOPES], ...(rateLimit === undefined ? {} : { rateLimit }) },
        { keys: storeOf(), now: Date.now },
      );
      emit(globals(), { key, ...publicView(record) }, () =>
        [
          `created ${record.id} (${record.name}, scopes ${record.scopes.join(' ')}, ${limitText(record)}); the key, shown this once:`,
          key,
        ].join('\n'),
      );
    });

  apiKeys
    .command('list')
    .description('every key, oldest first (ids, names, scopes; never the keys)')
    .action(async () => {
      const records = await storeOf().list();
      emit(globals(), records.map(publicView), () =>
        records.length === 0
          ? 'no API keys'
          : table(
              ['ID', 'NAME', 'SCOPES', 'LIMIT', 'CREATED', 'REVOKED'],
              records.map((record) => [
                record.id,
                record.name,
                record.scopes.join(' '),
                limitText(record),
                record.createdAt,
                record.revokedAt ?? '',
              ]),
            ),
      );
    });

  apiKeys
    .command('revoke')
    .description('revoke a key: refused from then on (within the authorizer cache, 60 s in AWS)')
    .argument('<id>', 'key id from api-keys list, e.g. key_0123456789abcdef')
    .action(async (id: string) => {
      const record = await storeOf().revoke(id, new Date().toISOString());
      if (record === undefined) throw new UsageError(`no API key ${id}: see billflow api-keys list`);
      emit(globals(), publicView(record), () => `revoked ${record.id} (${record.name}) at ${record.revokedAt}`);
    });
}

/** What is shown of a key: never its hash (it identifies the key to anyone who reads logs); its limit, the default spelled out. */
function publicView(record: ApiKeyRecord) {
  const { hash: _secretDerived, ...rest } = record;
  return { ...rest, rateLimit: rateLimitOf(record) };
}

function limitText(record: Pick<ApiKeyRecord, 'rateLimit'>): string {
  const { ratePerSecond, burst } = rateLimitOf(record);
  return `${ratePerSecond}/s burst ${burst}${record.rateLimit === undefined ? ' (default)' : ''}`;
}

/** --rate and --burst as the key's own limit; neither: undefined (the default, which may change with billflow). */
function rateLimitOption(options: { rate?: string; burst?: string }): KeyRateLimit | undefined {
  if (options.rate === undefined && options.burst === undefined) return undefined;
  const ratePerSecond = options.rate === undefined ? DEFAULT_KEY_RATE_LIMIT.ratePerSecond : Number(options.rate);
  const burst =
    options.burst !== undefined
      ? Number(options.burst)
      : options.rate === undefined
        ? DEFAULT_KEY_RATE_LIMIT.burst
        : Math.max(1, Math.ceil(2 * ratePerSecond));
  const limit = { ratePerSecond, burst };
  const issues = rateLimitIssues(limit);
  if (issues.length > 0) throw new UsageError(issues.map((issue) => `--${issue.path} ${issue.message}`).join('; '));
  return limit;
}

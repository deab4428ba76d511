/** `billflow api-keys create | list | revoke`: keys for the HTTP API (`Authorization: Bearer bf_...`). */
import type { Command } from 'commander';
import { Option } from 'commander';
import { API_KEY_SCOPES, type ApiKeyRecord, type ApiKeyScope } from '#domain/api-keys/api-key.ts';
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
    .action(async (options: { name: string; scope?: ApiKeyScope[] }) => {
      if (options.name.trim() === '') throw new UsageError('--name must say who uses the key');
      const { key, record } = await createApiKey(
        { name: options.name.trim(), scopes: options.scope ?? [...API_KEY_SCOPES] },
        { keys: storeOf(), now: Date.now },
      );
      emit(globals(), { key, ...publicView(record) }, () =>
        [`created ${record.id} (${record.name}, scopes ${record.scopes.join(' ')}); the key, shown this once:`, key].join('\n'),
      );
    });

  apiKeys
    .command('list')
    .description('every key, oldest first (ids, names, scopes; never the keys)')
    .action(async () => {
      const records = (await storeOf().list()).map(publicView);
      emit(globals(), records, () =>
        records.length === 0
          ? 'no API keys'
          : table(
              ['ID', 'NAME', 'SCOPES', 'CREATED', 'REVOKED'],
              records.map((record) => [record.id, record.name, record.scopes.join(' '), record.createdAt, record.revokedAt ?? '']),
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

/** What is shown of a key: never its hash (it identifies the key to anyone who reads logs). */
function publicView(record: ApiKeyRecord) {
  const { hash: _secretDerived, ...rest } = record;
  return rest;
}

/**
 * The customer balance in the billing table (issue 16).
 *
 * | item      | pk                   | sk                          |
 * | balance   | BALANCE#{customerId} | {currency}#BALANCE          |  `amount`: the sum of the movements, minor units
 * | movement  | BALANCE#{customerId} | {currency}#MOVEMENT#{id}    |  the movement's fields
 *
 * A movement is written in one TransactWriteItems with the update of its account's balance item:
 * the movement only if no item has its id (so a retried step records it once), the balance
 * `amount + delta` only if, for a delta below zero, the amount is at least what it takes out. So
 * the balance never goes below zero whatever races, and never disagrees with its movements.
 * movementWrites() gives those items to other transactions that must record a movement with
 * their own write (a credit note, an invoice's finalization). A movement that makes an outbound
 * fact (a refund) writes it to the outbound outbox in the same transaction.
 */
import { paginateQuery, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { BalanceAccount, BalanceMovement, BalanceMovementKind } from '#domain/balance/ledger.ts';
import type { CustomerBalances, RecordedMovement } from '#ports/customer-balance.ts';
import { cancellationReasons, ConcurrentChangeError } from '../errors.ts';
import { outboxPuts } from './outbound-outbox.ts';
import { sleep } from './retry-delay.ts';

const PARTITION = 'BALANCE#';
const balanceKey = (account: BalanceAccount) => ({ pk: `${PARTITION}${account.customerId}`, sk: `${account.currency}#BALANCE` });
const movementKey = (movement: BalanceMovement) => ({
  pk: `${PARTITION}${movement.customerId}`,
  sk: `${movement.currency}#MOVEMENT#${movement.id}`,
});

export class DynamoDbCustomerBalances implements CustomerBalances {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly maxAttempts = 50,
  ) {}

  async record(
    account: BalanceAccount,
    decide: Parameters<CustomerBalances['record']>[1],
    pendingFacts?: Parameters<CustomerBalances['record']>[2],
  ): Promise<RecordedMovement> {
    for (let attempt = 0; attempt < this.maxAttempts; attempt += 1) {
      const ledger = await readLedger(this.client, this.tableName, account);
      const movement = await decide(ledger);
      if (movement === undefined) return { movement, ledger };
      if (movement.customerId !== account.customerId || movement.currency !== account.currency)
        throw new Error(`balance movement ${movement.id} is for ${movement.customerId}/${movement.currency}, not the account read`);
      const after = [...ledger, movement];
      try {
        await this.client.send(
          new TransactWriteCommand({
            TransactItems: [
              ...movementWrites(this.tableName, [movement]),
              ...outboxPuts(this.tableName, pendingFacts?.(movement, after) ?? []),
            ],
          }),
        );
        return { movement, ledger: after };
      } catch (error) {
        if (cancellationReasons(error) === undefined) throw error;
        // Another writer recorded a movement with this id or took the balance meanwhile: decide again.
        await sleep(Math.random() * Math.min(1_000, 10 * 2 ** Math.min(attempt, 7)));
      }
    }
    throw new ConcurrentChangeError(`the balance of ${account.customerId} in ${account.currency} kept changing while recording a movement`);
  }

  async movements(customerId: string, currency?: string): Promise<BalanceMovement[]> {
    const movements: BalanceMovement[] = [];
    const pages = paginateQuery(
      { client: this.client },
      {
        TableName: this.tableName,
        KeyConditionExpression: currency === undefined ? 'pk = :pk' : 'pk = :pk AND begins_with(sk, :currency)',
        ExpressionAttributeValues:
          currency === undefined
            ? { ':pk': `${PARTITION}${customerId}` }
            : { ':pk': `${PARTITION}${customerId}`, ':currency': `${currency}#` },
        ConsistentRead: true,
      },
    );
    for await (const page of pages) for (const item of page.Items ?? []) if (item.kind !== undefined) movements.push(storedMovement(item));
    return movements.sort(oldestFirst);
  }
}

/** One account's ledger, strongly consistent (a decision is taken on it), oldest first. */
export async function readLedger(client: DynamoDBDocumentClient, tableName: string, account: BalanceAccount): Promise<BalanceMovement[]> {
  const movements: BalanceMovement[] = [];
  const pages = paginateQuery(
    { client },
    {
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :movements)',
      ExpressionAttributeValues: { ':pk': balanceKey(account).pk, ':movements': `${account.currency}#MOVEMENT#` },
      ConsistentRead: true,
    },
  );
  for await (const page of pages) for (const item of page.Items ?? []) movements.push(storedMovement(item));
  return movements.sort(oldestFirst);
}

/**
 * The transaction items recording `movements`: a put per movement (only if its id is new), then
 * one update per account by their sum (a transaction may touch an item once), conditioned on the
 * balance covering what it takes out. Movements come first, so a cancellation reason at index i
 * < movements.length names a movement already recorded.
 */
export function movementWrites(tableName: string, movements: readonly BalanceMovement[]) {
  const deltas = new Map<string, { account: BalanceAccount; delta: number }>();
  for (const movement of movements) {
    const key = `${movement.customerId}\u0000${movement.currency}`;
    const entry = deltas.get(key) ?? { account: { customerId: movement.customerId, currency: movement.currency }, delta: 0 };
    entry.delta += movement.amount;
    deltas.set(key, entry);
  }
  return [
    ...movements.map((movement) => ({
      Put: {
        TableName: tableName,
        Item: { ...movementKey(movement), ...movement },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    })),
    ...[...deltas.values()]
      .filter(({ delta }) => delta !== 0)
      .map(({ account, delta }) => ({
        Update: {
          TableName: tableName,
          Key: balanceKey(account),
          UpdateExpression: 'SET #amount = if_not_exists(#amount, :zero) + :delta',
          ExpressionAttributeNames: { '#amount': 'amount' },
          ...(delta < 0
            ? { ConditionExpression: '#amount >= :needed', ExpressionAttributeValues: { ':zero': 0, ':delta': delta, ':needed': -delta } }
            : { ExpressionAttributeValues: { ':zero': 0, ':delta': delta } }),
        },
      })),
  ];
}

function storedMovement(item: Record<string, unknown>): BalanceMovement {
  return {
    id: String(item.id),
    customerId: String(item.customerId),
    currency: String(item.currency),
    kind: item.kind as BalanceMovementKind,
    amount: Number(item.amount),
    at: String(item.at),
    reference: String(item.reference),
  };
}

function oldestFirst(a: BalanceMovement, b: BalanceMovement): number {
  return a.at.localeCompare(b.at) || a.id.localeCompare(b.id);
}

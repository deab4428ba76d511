/**
 * The DynamoDB adapters tell DynamoDB's errors by the SDK's exception classes: this proves that
 * what lib-dynamodb's document client throws for DynamoDB's error responses are instances of
 * client-dynamodb's classes (one copy of the SDK, the real deserializer), with no service
 * running: the HTTP handler answers as DynamoDB does.
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ConditionalCheckFailedException, DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { cancellationReasons, isConditionFailed, isTransactionCancelled } from '#adapters/errors.ts';

/** A document client whose every request is answered with DynamoDB's error response `body` (HTTP 400). */
function answeredWith(body: Record<string, unknown>): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    region: 'eu-central-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
    requestHandler: {
      handle: async () => ({
        // The shape of an HTTP response is all the SDK checks (smithy's HttpResponse.isInstance).
        response: {
          statusCode: 400,
          headers: { 'content-type': 'application/x-amz-json-1.0' },
          body: Readable.from([Buffer.from(JSON.stringify(body))]),
        },
      }),
    },
  });
  return DynamoDBDocumentClient.from(client);
}

const put = new PutCommand({
  TableName: 'billing',
  Item: { pk: 'INVOICE#cus_1', sk: '2026-11' },
  ConditionExpression: 'attribute_not_exists(pk)',
});

describe('DynamoDB errors through the document client', () => {
  it('a failed condition is a ConditionalCheckFailedException, told by class', async () => {
    // Prepare
    const client = answeredWith({
      __type: 'com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException',
      message: 'The conditional request failed',
    });

    // Act
    const error = await client.send(put).catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(ConditionalCheckFailedException);
    expect(isConditionFailed(error)).toBe(true);
    expect(isTransactionCancelled(error)).toBe(false);
    expect(cancellationReasons(error)).toBeUndefined();
  });

  it("a cancelled transaction is a TransactionCanceledException carrying each item's reason", async () => {
    // Prepare
    const client = answeredWith({
      __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
      message: 'Transaction cancelled, please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed]',
      CancellationReasons: [{ Code: 'None' }, { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' }],
    });

    // Act
    const error = await client
      .send(new TransactWriteCommand({ TransactItems: [{ Put: put.input }, { Put: put.input }] }))
      .catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(TransactionCanceledException);
    expect(isTransactionCancelled(error)).toBe(true);
    expect(cancellationReasons(error)).toEqual(['None', 'ConditionalCheckFailed']);
  });

  it("an error that only carries the name is not taken for DynamoDB's", () => {
    const impostor = Object.assign(new Error('The conditional request failed'), { name: 'ConditionalCheckFailedException' });

    expect(isConditionFailed(impostor)).toBe(false);
    expect(cancellationReasons(impostor)).toBeUndefined();
  });
});

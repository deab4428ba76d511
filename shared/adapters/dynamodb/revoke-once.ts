/** Revocation of a stored credential (API key, invoice page token): `revokedAt` set once, the first time kept. */
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';

/** The item's attributes after revoking it now, or undefined when it was revoked already (or is gone). */
export async function revokeOnce(
  client: DynamoDBDocumentClient,
  tableName: string,
  key: Record<string, string>,
  at: string,
): Promise<Record<string, unknown> | undefined> {
  try {
    const { Attributes } = await client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: key,
        UpdateExpression: 'SET revokedAt = :at',
        ConditionExpression: 'attribute_exists(pk) AND revokedAt = :null',
        ExpressionAttributeValues: { ':at': at, ':null': null },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return Attributes;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return undefined;
    throw error;
  }
}

import { describe, expect, it } from 'vitest';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { createTestStack } from '#test-support/local-stack.ts';
import { queues, tables } from '#infra/resources.ts';

describe('local stack provisioned from infra/resources.ts', () => {
  it('creates the tables, the events queue with its redrive policy, and the bucket', async () => {
    // Prepare / Act
    const stack = await createTestStack();

    // Assess
    const table = await stack.clients.dynamodb.send(new DescribeTableCommand({ TableName: stack.env[tables.events.envVar] }));
    expect(table.Table?.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    const attributes = await stack.clients.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: stack.eventsQueueUrl, AttributeNames: ['All'] }),
    );
    const redrive = JSON.parse(attributes.Attributes?.RedrivePolicy ?? '{}');
    expect(redrive.maxReceiveCount).toBe(queues.events.maxReceiveCount);
    expect(redrive.deadLetterTargetArn).toMatch(/events-dlq$/);
    expect(Number(attributes.Attributes?.MaximumMessageSize)).toBe(queues.events.maxMessageSizeBytes);
    await expect(stack.clients.s3.send(new HeadBucketCommand({ Bucket: stack.invoicesBucket }))).resolves.toBeDefined();
  });
});

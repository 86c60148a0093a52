// Reads an item with the official AWS SDK for JavaScript (v3), a client nobody in this project
// wrote, to show that what the server stores is plain DynamoDB data.
//   node read_with_aws_sdk.js ENDPOINT TABLE PK SK
// Prints the item as DynamoDB JSON ({"name": {"S": "..."}, ...}), or "null".
'use strict';
const { DynamoDBClient, GetItemCommand } = require('@aws-sdk/client-dynamodb');

async function main() {
  const [endpoint, table, pk, sk] = process.argv.slice(2);
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const answer = await client.send(new GetItemCommand({
    TableName: table,
    Key: { pk: { S: pk }, sk: { S: sk } },
    ConsistentRead: true,
  }));
  process.stdout.write(JSON.stringify(answer.Item ?? null) + '\n');
}

main().catch((error) => {
  process.stderr.write(`${error.name}: ${error.message}\n`);
  process.exit(1);
});

// Runs dynalite, an in-memory implementation of the DynamoDB API, for the tests of the DynamoDB
// backend (tests/support/dynalite.h starts and stops it).
//
//   node tests/support/dynalite_server.js PORT
//
// Listens on 127.0.0.1:PORT (0 picks a free port) and prints `dynalite listening on <port>` on
// stdout once connections are accepted, so the parent knows both when and where to connect.
// Tables are created, updated and deleted at once (no CREATING/DELETING states to poll) and live
// only in memory. Exits on SIGTERM or SIGINT, and when stdin closes: the parent holds the other
// end of a pipe, so a test binary that crashes or is killed takes its dynalite with it. (By
// hand: run it from a terminal, or `sleep infinity | node ...` in scripts, since a background
// job's stdin is /dev/null and would end it at once.)
'use strict';

const path = require('path');

function fail(message, exitCode) {
  process.stderr.write(`dynalite_server: ${message}\n`);
  process.exit(exitCode);
}

const portArgument = process.argv[2] === undefined ? '0' : process.argv[2];
if (!/^\d{1,5}$/.test(portArgument) || Number(portArgument) > 65535) {
  fail(`the port must be a number from 0 to 65535, got "${portArgument}"`, 2);
}

let dynalite;
try {
  dynalite = require('dynalite');
} catch (error) {
  const root = path.resolve(__dirname, '..', '..');
  fail(`cannot load dynalite (${error.message}); run \`npm ci\` in ${root}`, 3);
}

const server = dynalite({createTableMs: 0, deleteTableMs: 0, updateTableMs: 0});
server.on('error', (error) => fail(`cannot listen on 127.0.0.1:${portArgument}: ${error.message}`, 1));
server.listen(Number(portArgument), '127.0.0.1', () => {
  process.stdout.write(`dynalite listening on ${server.address().port}\n`);
});

// Exit at once rather than closing gracefully: callers stop dynalite to simulate an outage, and
// open keep-alive connections would otherwise hold a graceful close open.
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
process.stdin.on('end', () => process.exit(0));
process.stdin.on('close', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();

#!/usr/bin/env node
// @ts-check
'use strict';

/**
 * Runs the emulator as its own process (for the e2e launcher and benchmarks):
 *   node test/emulator/cli.js [--port N] [--host H] [--api-key K] [--latency-ms N]
 *     [--max-in-flight N] [--rpm N] [--token-ttl-seconds N] [--file-processing-ms N]
 *     [--batch-pending-ms N] [--batch-run-ms N] [--batch-outcome SUCCEEDED|FAILED|EXPIRED]
 *     [--closed-models ID,ID] [--retired-models ID,ID] [--service-account-out PATH] [--verbose]
 * Prints one JSON line {"url","apiKey","serviceAccountFile"} on stdout once listening,
 * and stops cleanly on SIGINT/SIGTERM.
 */

const fs = require('fs');
const os = require('os');
const path = require('path');
const { startEmulator } = require('./server');

const FLAGS = /** @type {Record<string, string>} */ ({
  '--port': 'port',
  '--host': 'host',
  '--api-key': 'apiKey',
  '--latency-ms': 'latencyMs',
  '--max-in-flight': 'maxInFlight',
  '--rpm': 'rpm',
  '--token-ttl-seconds': 'tokenTtlSeconds',
  '--file-processing-ms': 'fileProcessingMs',
  '--batch-pending-ms': 'batchPendingMs',
  '--batch-run-ms': 'batchRunMs',
  '--batch-outcome': 'batchOutcome',
  '--closed-models': 'closedModels',
  '--retired-models': 'retiredModels',
});
/** Options passed on as strings (the rest are numbers). */
const STRING_OPTIONS = ['host', 'apiKey', 'batchOutcome', 'closedModels', 'retiredModels'];

/** @param {string[]} argv */
function parseArgs(argv) {
  /** @type {Record<string, unknown>} */
  const options = {};
  /** @type {string | undefined} */
  let serviceAccountOut;
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    if (flag === '--verbose') {
      options.verbose = true;
      continue;
    }
    if (flag === '--help' || flag === '-h') {
      process.stdout.write(`usage: node cli.js ${Object.keys(FLAGS).map((f) => `[${f} V]`).join(' ')} [--service-account-out PATH] [--verbose]\n`);
      process.exit(0);
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new Error(`Missing value for ${flag}`);
    if (flag === '--service-account-out') serviceAccountOut = value;
    else if (FLAGS[flag]) options[FLAGS[flag]] = STRING_OPTIONS.includes(FLAGS[flag]) ? value : Number(value);
    else throw new Error(`Unknown option ${flag}`);
  }
  return { options, serviceAccountOut };
}

async function main() {
  const { options, serviceAccountOut } = parseArgs(process.argv.slice(2));
  const emulator = await startEmulator(options);
  const ownTempDir = serviceAccountOut ? null : fs.mkdtempSync(path.join(os.tmpdir(), 'nano-banana-emulator-'));
  const serviceAccountFile = serviceAccountOut ?? path.join(/** @type {string} */ (ownTempDir), 'service-account.json');
  fs.writeFileSync(serviceAccountFile, JSON.stringify(emulator.serviceAccountKey, null, 2), { mode: 0o600 });

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await emulator.close();
    if (ownTempDir) fs.rmSync(ownTempDir, { recursive: true, force: true });
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  process.stdout.write(`${JSON.stringify({ url: emulator.url, apiKey: emulator.apiKey, serviceAccountFile })}\n`);
}

main().catch((error) => {
  process.stderr.write(`[emulator] ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

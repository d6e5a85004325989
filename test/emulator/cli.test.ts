/* eslint-disable @n8n/community-nodes/no-dangerous-functions, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test code, run by Node, not n8n (README: Lint) */
// Tests of the emulator's command-line launcher (used by the e2e runner and benchmarks).
import { spawn, ChildProcess } from 'child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { http } from './test-helpers';

const CLI = join(__dirname, 'cli.js');

interface Running {
  child: ChildProcess;
  info: { url: string; apiKey: string; serviceAccountFile: string };
  stderr: () => string;
  exit: Promise<number | null>;
}

function launch(args: string[]): Promise<Running> {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    child.stdout?.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      const nl = stdout.indexOf('\n');
      if (nl >= 0) resolve({ child, info: JSON.parse(stdout.slice(0, nl)), stderr: () => stderr, exit });
    });
    exit.then((code) => reject(new Error(`cli exited with ${code}: ${stderr}`)));
  });
}

describe('cli.js', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'emu-cli-test-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints one JSON line, applies its flags, writes the key file, stops on SIGTERM', async () => {
    const keyFile = join(dir, 'sa.json');
    const run = await launch(['--port', '0', '--api-key', 'cli-key', '--rpm', '5', '--max-in-flight', '2', '--latency-ms', '3', '--service-account-out', keyFile, '--verbose',
      '--closed-models', 'gemini-2.5-flash-image', '--retired-models=']);
    try {
      expect(run.info).toEqual({ url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/), apiKey: 'cli-key', serviceAccountFile: keyFile });
      const state = await http(`${run.info.url}/__emulator/state`);
      expect(state.json.options).toMatchObject({ apiKey: 'cli-key', rpm: 5, maxInFlight: 2, latencyMs: 3, closedModels: ['gemini-2.5-flash-image'], retiredModels: [] });
      const served = await http(`${run.info.url}/__emulator/service-account.json`);
      expect(JSON.parse(readFileSync(keyFile, 'utf8'))).toEqual(served.json);
      expect(served.json.token_uri).toBe(`${run.info.url}/token`);
      await http(`${run.info.url}/v1beta/models?key=cli-key`);
      await new Promise((r) => setTimeout(r, 100));
      expect(run.stderr()).toMatch(/GET \/v1beta\/models\?key=REDACTED -> 200/);
    } finally {
      run.child.kill('SIGTERM');
    }
    expect(await run.exit).toBe(0);
  });

  it('writes the key to a temp file by default and removes it on SIGINT', async () => {
    const run = await launch([]);
    expect(existsSync(run.info.serviceAccountFile)).toBe(true);
    expect(JSON.parse(readFileSync(run.info.serviceAccountFile, 'utf8')).type).toBe('service_account');
    run.child.kill('SIGINT');
    expect(await run.exit).toBe(0);
    expect(existsSync(run.info.serviceAccountFile)).toBe(false);
  });

  it('exits 1 on an unknown flag', async () => {
    await expect(launch(['--no-such-flag', '1'])).rejects.toThrow(/exited with 1: .*Unknown option --no-such-flag/);
  });
});

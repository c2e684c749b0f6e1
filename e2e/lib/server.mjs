// Starts and stops the Anhörigstöd binary for one test file.
//
//   ANHORIGSTOD_BIN    the binary (default: ../target/debug/anhorigstod from this repo)
//   E2E_DATABASE_URL   database to use (CI runs once with PostgreSQL, once with SQLite);
//                      unset: a SQLite file in a fresh temporary directory. When set, every
//                      test file's server uses the same database (`sharedDatabase`), so a
//                      test must not rely on what other files (or earlier runs) left there.
//
// The server binds to port 0 and prints `Anhörigstöd listening on http://127.0.0.1:PORT`
// as its first stdout line; we read the base URL from there.
//
// `cli()` runs other subcommands of the same binary against the same database while the
// server runs (SQLite in WAL mode and PostgreSQL both allow that), e.g. to create an account.

import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const DEFAULT_BIN = path.resolve(here, '..', '..', 'target', 'debug', 'anhorigstod');
const LISTENING = /^Anhörigstöd listening on (http:\/\/\S+)\s*$/;
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;
const CLI_TIMEOUT_MS = 30_000;

/** The demo municipality (Uppsala) seeded by `serve --demo`. */
export const DEMO_KOMMUNKOD = '0380';

/**
 * Runs `bin args...` with ANHORIGSTOD_DATABASE_URL set, writing `input` to its stdin.
 * Rejects, with everything it printed, if it exits non-zero.
 * @returns {Promise<{stdout: string, stderr: string}>}
 */
function runCli(bin, databaseUrl, args, input) {
  return new Promise((resolve, reject) => {
    const child = execFile(
      bin,
      args,
      {
        env: { ...process.env, ANHORIGSTOD_DATABASE_URL: databaseUrl, ANHORIGSTOD_LOG: 'warn' },
        timeout: CLI_TIMEOUT_MS,
        encoding: 'utf8',
      },
      (error, stdout, stderr) => {
        if (error) {
          reject(
            new Error(
              `anhorigstod ${args.join(' ')} failed (${error.code ?? error.signal}):\n` +
                `--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`,
            ),
          );
        } else {
          resolve({ stdout, stderr });
        }
      },
    );
    child.stdin.end(input ?? '');
  });
}

/**
 * Starts `anhorigstod serve --demo` and resolves once it listens.
 * @returns {Promise<{baseUrl: string, url: (p: string) => string, databaseUrl: string,
 *   sharedDatabase: boolean,
 *   cli: (args: string[], options?: {input?: string}) => Promise<{stdout: string, stderr: string}>,
 *   stop: () => Promise<void>, log: () => string}>}
 */
export async function startServer() {
  const bin = process.env.ANHORIGSTOD_BIN || DEFAULT_BIN;
  let tempDir = null;
  let databaseUrl = process.env.E2E_DATABASE_URL;
  if (!databaseUrl) {
    tempDir = await mkdtemp(path.join(tmpdir(), 'anhorigstod-e2e-'));
    databaseUrl = `sqlite://${path.join(tempDir, 'e2e.db')}`;
  }

  const child = spawn(
    bin,
    ['serve', '--demo', '--bind', '127.0.0.1:0', '--database-url', databaseUrl],
    {
      env: { ...process.env, ANHORIGSTOD_LOG: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );

  // Keep everything the server says, to show it when something fails.
  const output = [];
  const keep = (stream, prefix) => {
    createInterface({ input: stream }).on('line', (line) => {
      output.push(`${prefix}${line}`);
      if (output.length > 500) output.shift();
    });
  };
  keep(child.stderr, '[stderr] ');
  const log = () => output.join('\n');

  // If the test process dies without calling stop(), take the server with it.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      process.off('exit', killOnExit);
      resolve({ code, signal });
    });
  });

  const cleanup = async () => {
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
  };

  let baseUrl;
  try {
    baseUrl = await new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`server did not start within ${START_TIMEOUT_MS} ms`)),
        START_TIMEOUT_MS,
      );
      child.once('error', (e) => {
        clearTimeout(timer);
        reject(new Error(`cannot start ${bin}: ${e.message}`));
      });
      exited.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(new Error(`server exited before listening (code ${code}, signal ${signal})`));
      });
      const lines = createInterface({ input: child.stdout });
      lines.on('line', (line) => {
        output.push(line);
        const m = LISTENING.exec(line);
        if (m && !baseUrl) {
          clearTimeout(timer);
          resolve(m[1].replace(/\/$/, ''));
        }
      });
    });
  } catch (e) {
    child.kill('SIGKILL');
    await exited;
    await cleanup();
    throw new Error(`${e.message}\n--- server output ---\n${log()}`);
  }

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    }
    await cleanup();
  };

  return {
    baseUrl,
    url: (p) => new URL(p, `${baseUrl}/`).href,
    databaseUrl,
    /** Whether the database is shared with other test files (E2E_DATABASE_URL). */
    sharedDatabase: tempDir === null,
    /** Runs `anhorigstod ARGS...` against this server's database; `input` goes to stdin. */
    cli: (args, { input } = {}) => runCli(bin, databaseUrl, args, input),
    stop,
    log,
  };
}

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
//
// The demo clock: `startServer({ today: 'YYYY-MM-DD' })` runs `serve --demo --today DATE`, whose
// clock says that date is today at the real time of day (the TOTP second factor is checked
// against it too: compute codes at `server.now()`, as `totpTracker({ now: () => server.now() })`
// does).
// `server.restart({ today })` stops a server and starts another on the same database (the
// temporary SQLite file is kept for it), to live through deadlines. The server keeps each
// account's last used TOTP step, so only ever move forward in time across restarts, and never
// sign accounts other files use (the demo staff) in at a shifted time.

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

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Today's date in Sweden (Europe/Stockholm), YYYY-MM-DD, by this machine's clock. */
export function stockholmToday(ms = Date.now()) {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Stockholm' }).format(new Date(ms));
}

/**
 * How far (ms, whole days) a server started now with `--today today` moves the clock: the
 * server takes the days between `today` and the real date in Sweden.
 */
export function clockOffsetMs(today) {
  return Date.parse(`${today}T00:00:00Z`) - Date.parse(`${stockholmToday()}T00:00:00Z`);
}

/**
 * Starts `anhorigstod serve --demo` and resolves once it listens.
 * @param {{today?: string}} [options] `today`: YYYY-MM-DD for `--today` (the demo clock);
 *   unset: the real clock.
 * @returns {Promise<Server>}
 */
export async function startServer({ today } = {}) {
  let tempDir = null;
  let databaseUrl = process.env.E2E_DATABASE_URL;
  if (!databaseUrl) {
    tempDir = await mkdtemp(path.join(tmpdir(), 'anhorigstod-e2e-'));
    databaseUrl = `sqlite://${path.join(tempDir, 'e2e.db')}`;
  }
  try {
    return await launch({ databaseUrl, tempDir, today });
  } catch (e) {
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
    throw e;
  }
}

/**
 * @typedef {object} Server
 * @property {string} baseUrl
 * @property {(p: string) => string} url
 * @property {string} databaseUrl
 * @property {boolean} sharedDatabase whether other test files use the database too
 * @property {string | null} today the `--today` date, or null for the real clock
 * @property {number} offsetMs how far the server's clock is from the real one (0 if real)
 * @property {() => number} now the server's time (ms since the epoch), for TOTP codes
 * @property {(args: string[], options?: {input?: string}) =>
 *   Promise<{stdout: string, stderr: string}>} cli
 * @property {(options?: {keepDatabase?: boolean}) => Promise<void>} stop
 * @property {(options?: {today?: string}) => Promise<Server>} restart
 * @property {() => string} log
 */

/**
 * Starts the server on `databaseUrl`; it owns `tempDir` (removed on stop) if there is one.
 * With `today`, the offset is checked on both sides of the start, so a start just as the
 * Swedish date turns is done again rather than leaving codes a day off.
 * @returns {Promise<Server>}
 */
async function launch({ databaseUrl, tempDir, today }) {
  if (today !== undefined && today !== null && !ISO_DATE.test(today)) {
    throw new Error(`today must be YYYY-MM-DD, not ${JSON.stringify(today)}`);
  }
  for (let attempt = 1; ; attempt++) {
    const offsetMs = today ? clockOffsetMs(today) : 0;
    const server = await spawnServer({ databaseUrl, tempDir, today, offsetMs });
    if (!today || clockOffsetMs(today) === offsetMs || attempt >= 3) return server;
    await server.stop({ keepDatabase: true });
  }
}

async function spawnServer({ databaseUrl, tempDir, today, offsetMs }) {
  const bin = process.env.ANHORIGSTOD_BIN || DEFAULT_BIN;
  const args = ['serve', '--demo', '--bind', '127.0.0.1:0', '--database-url', databaseUrl];
  if (today) args.push('--today', today);
  const child = spawn(bin, args, {
    // The suite sends far more forms from 127.0.0.1 than any person would; the limits on
    // anonymous writes have their own tests (crates/server/tests/abuse.rs).
    env: {
      ...process.env,
      ANHORIGSTOD_LOG: 'warn',
      ANHORIGSTOD_RATE_LIMIT_PER_MINUTE: '0',
      ANHORIGSTOD_RATE_LIMIT_MUNICIPALITY_PER_MINUTE: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });

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
  /** Stops the server; `keepDatabase` keeps a temporary SQLite file (for a restart). */
  const stop = async ({ keepDatabase = false } = {}) => {
    if (stopped) return;
    stopped = true;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    }
    if (!keepDatabase) await cleanup();
  };

  return {
    baseUrl,
    url: (p) => new URL(p, `${baseUrl}/`).href,
    databaseUrl,
    /** Whether the database is shared with other test files (E2E_DATABASE_URL). */
    sharedDatabase: tempDir === null,
    /** The `--today` date, or null: the real clock. */
    today: today ?? null,
    /** How far the server's clock is from the real one, in ms (whole days). */
    offsetMs,
    /** The server's time, ms since the epoch (for one-time codes). */
    now: () => Date.now() + offsetMs,
    /** Runs `anhorigstod ARGS...` against this server's database; `input` goes to stdin. */
    cli: (args, { input } = {}) => runCli(bin, databaseUrl, args, input),
    stop,
    /**
     * Stops this server and starts another on the same database, with `today` (unset: the
     * real clock). The new one owns the temporary database, if any.
     */
    restart: async ({ today: next } = {}) => {
      await stop({ keepDatabase: true });
      try {
        return await launch({ databaseUrl, tempDir, today: next });
      } catch (e) {
        await cleanup();
        throw e;
      }
    },
    log,
  };
}

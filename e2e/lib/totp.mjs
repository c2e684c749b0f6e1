// One-time codes (RFC 6238 TOTP: HMAC-SHA1, 6 digits, 30-second steps) computed in the test,
// the way an authenticator app would, with Node's crypto only.

import { createHmac } from 'node:crypto';

export const STEP_SECONDS = 30;
export const DIGITS = 6;

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/**
 * Decodes RFC 4648 base32. Spaces (the enrol page groups the key in fours), case and '='
 * padding are ignored; any other character is an error.
 * @param {string} text
 * @returns {Buffer}
 */
export function base32Decode(text) {
  const clean = text.replace(/[\s=]/g, '').toUpperCase();
  const bytes = [];
  let bits = 0;
  let value = 0;
  for (const c of clean) {
    const v = BASE32.indexOf(c);
    if (v < 0) throw new Error(`not base32: ${JSON.stringify(c)} in ${JSON.stringify(text)}`);
    value = (value << 5) | v;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((value >>> bits) & 0xff);
    }
  }
  return Buffer.from(bytes);
}

/** The 30-second step a Unix time (seconds) falls in. */
export function stepAt(unixSeconds) {
  return Math.floor(unixSeconds / STEP_SECONDS);
}

/**
 * The current step by this machine's clock (the server under test runs on the same one), or
 * at `nowMs` (ms since the epoch), e.g. a server's shifted clock (`server.now()`).
 */
export function currentStep(nowMs = Date.now()) {
  return stepAt(nowMs / 1000);
}

/**
 * RFC 4226 HOTP with HMAC-SHA1: the code for `counter`, `digits` long, zero-padded.
 * @param {Buffer} key
 * @param {number} counter
 */
export function hotp(key, counter, digits = DIGITS) {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac('sha1', key).update(message).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

/**
 * The TOTP code for a step. `secret` is base32 text (as shown to people) or the raw key bytes.
 * @param {string | Buffer} secret
 * @param {{step?: number, time?: number, digits?: number}} [at] a step, or a Unix time in
 *   seconds; default: now
 */
export function totp(secret, { step, time, digits = DIGITS } = {}) {
  const key = typeof secret === 'string' ? base32Decode(secret) : secret;
  const counter = step ?? stepAt(time ?? Date.now() / 1000);
  return hotp(key, counter, digits);
}

/**
 * Checks the helpers against RFC 6238 appendix B (SHA1, ASCII key "12345678901234567890")
 * and the base32 decoder against that key's base32 form; throws on any mismatch.
 */
export function selfCheck() {
  const ascii = Buffer.from('12345678901234567890', 'ascii');
  const vectors = [
    // [time, the RFC's 8-digit code]
    [59, '94287082'],
    [1111111109, '07081804'],
    [1234567890, '89005924'],
    [20000000000, '65353130'],
  ];
  for (const [time, code8] of vectors) {
    const got8 = totp(ascii, { time, digits: 8 });
    if (got8 !== code8) {
      throw new Error(`TOTP(t=${time}, 8 digits) = ${got8}, RFC 6238 says ${code8}`);
    }
    const got6 = totp(ascii, { time });
    if (got6 !== code8.slice(-6)) {
      throw new Error(`TOTP(t=${time}, 6 digits) = ${got6}, want ${code8.slice(-6)}`);
    }
  }
  const decoded = base32Decode('GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ');
  if (!decoded.equals(ascii)) throw new Error(`base32Decode gave ${decoded.toString('hex')}`);
  if (totp('gezdgnbvgy3tqojqgezdgnbvgy3tqojq', { time: 59 }) !== '287082') {
    throw new Error('TOTP from a base32 secret disagrees with the RFC 6238 vector');
  }
}

/**
 * Hands out sign-in codes without tripping the server's replay protection.
 *
 * The server accepts a code for the current step or one either side (±1), and afterwards
 * refuses every step up to the one it matched, for that account. So two sign-ins of one
 * account within a step cannot both use the current code. This keeps, per account, the last
 * step it gave out and gives the next one: the current step if unused, otherwise the NEXT
 * step (still accepted, as +1), and only if that is used too does it wait for the clock.
 * A code must then be used promptly (within about 30 s), which the tests do.
 *
 * One tracker per server (each server has its own database, so its own replay state), or
 * per database for servers restarted on it. `now`: the server's clock in ms since the epoch
 * (default: the real one); for servers with a demo clock (`--today`), e.g.
 * `() => server.now()`, moving only forward across restarts.
 * @param {{now?: () => number}} [options]
 */
export function totpTracker({ now = () => Date.now() } = {}) {
  /** @type {Map<string, number>} account -> last step handed out */
  const last = new Map();
  return {
    /**
     * A fresh code for `account`'s `secret`.
     * @param {string} account
     * @param {string} secret base32
     */
    async code(account, secret) {
      let step = Math.max(currentStep(now()), (last.get(account) ?? -Infinity) + 1);
      while (step > currentStep(now()) + 1) {
        // Sleep until `step - 1` is the current step, so `step` is the accepted +1.
        const wait = (step - 1) * STEP_SECONDS * 1000 - now() + 50;
        await new Promise((resolve) => setTimeout(resolve, Math.max(wait, 50)));
      }
      last.set(account, step);
      return totp(secret, { step });
    },
    /** Records that `account` used a code at `step` some other way (e.g. enrolment). */
    used(account, step) {
      last.set(account, Math.max(step, last.get(account) ?? -Infinity));
    },
    /**
     * Waits until every step handed out for `accounts` (default: every account) is in the
     * past. A tracker that starts afresh (another test file's, on a shared database) hands
     * out the current step first; after this it cannot be one that was used here. Waits at
     * most two steps (60 s), and not at all if the codes were handed out long enough ago.
     * @param {string[]} [accounts]
     */
    async settle(accounts = [...last.keys()]) {
      const latest = Math.max(-Infinity, ...accounts.map((a) => last.get(a) ?? -Infinity));
      const wait = (latest + 1) * STEP_SECONDS * 1000 - now() + 50;
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    },
  };
}

selfCheck();

/**
 * Bearer tokens of `mobo serve`: random (256 bits from `crypto.randomBytes`), of two scopes
 * ('read': GET only; 'write': everything), kept in a JSON file of mode 0600 (by default
 * `DIR/.mobo-tokens.json`) that holds only their SHA-256 hashes, so that the file never reveals a
 * token: a token is shown once, when it is made. A presented token is hashed and compared with
 * every stored hash in constant time (`crypto.timingSafeEqual` on equal-length digests).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export type TokenScope = 'read' | 'write';

/** The file name of the token store inside the served directory. */
export const TOKENS_FILE = '.mobo-tokens.json';

interface StoredToken {
  /** A short random id, to tell tokens apart in the file (not derived from the token). */
  readonly id: string;
  readonly scope: TokenScope;
  /** SHA-256 of the token, hex. */
  readonly sha256: string;
  readonly created: string;
}

interface TokenFile {
  readonly format: 'mobo-tokens';
  readonly version: 1;
  readonly tokens: readonly StoredToken[];
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** The tokens a server accepts; empty when none were made (then none is asked for on loopback). */
export class TokenStore {
  readonly file: string;
  private tokens: StoredToken[];

  private constructor(file: string, tokens: StoredToken[]) {
    this.file = file;
    this.tokens = tokens;
  }

  /**
   * Loads `file` (an empty store when it does not exist). Refuses a file that others can read or
   * write (mode & 0o077), as ssh does with keys, and one that is not a token file.
   */
  static load(file: string): TokenStore {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return new TokenStore(file, []);
      throw new Error(`token file ${file}: ${(e as Error).message}`);
    }
    const mode = fs.statSync(file).mode & 0o777;
    if ((mode & 0o077) !== 0) {
      throw new Error(
        `token file ${file} has mode ${mode.toString(8).padStart(4, '0')}: others may read it; run chmod 600 ${file}`,
      );
    }
    let parsed: Partial<TokenFile>;
    try {
      parsed = JSON.parse(text) as Partial<TokenFile>;
    } catch (e) {
      throw new Error(`token file ${file}: not JSON: ${(e as Error).message}`);
    }
    if (parsed.format !== 'mobo-tokens' || !Array.isArray(parsed.tokens)) {
      throw new Error(`token file ${file}: not a mobo token file (expected {"format": "mobo-tokens", ...})`);
    }
    parsed.tokens.forEach((t, i) => {
      if (
        (t?.scope !== 'read' && t?.scope !== 'write') ||
        typeof t.sha256 !== 'string' ||
        !/^[0-9a-f]{64}$/.test(t.sha256)
      ) {
        throw new Error(
          `token file ${file}: tokens[${i}]: expected a scope 'read' or 'write' and a sha256 hash`,
        );
      }
    });
    return new TokenStore(file, [...parsed.tokens]);
  }

  /** How many tokens the store holds. */
  get size(): number {
    return this.tokens.length;
  }

  /**
   * Makes a token of `scope`, stores its hash (rewriting the file with mode 0600) and returns the
   * token itself: the only time it is ever shown.
   */
  create(scope: TokenScope): string {
    if (scope !== 'read' && scope !== 'write') {
      throw new TypeError(`token scope must be 'read' or 'write', got ${String(scope)}`);
    }
    const token = `mobo_${randomBytes(32).toString('base64url')}`;
    const entry: StoredToken = {
      id: randomBytes(4).toString('hex'),
      scope,
      sha256: digest(token).toString('hex'),
      created: new Date().toISOString(),
    };
    this.tokens = [...this.tokens, entry];
    this.save();
    return token;
  }

  /**
   * The scope of `presented`, or undefined when it matches no stored token. Every stored hash is
   * compared (in constant time), whether or not an earlier one matched.
   */
  verify(presented: string): TokenScope | undefined {
    const given = digest(presented);
    let scope: TokenScope | undefined;
    for (const t of this.tokens) {
      const stored = Buffer.from(t.sha256, 'hex');
      if (stored.length === given.length && timingSafeEqual(stored, given)) scope ??= t.scope;
    }
    return scope;
  }

  private save(): void {
    const body: TokenFile = { format: 'mobo-tokens', version: 1, tokens: this.tokens };
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const temporary = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, `${JSON.stringify(body, null, 2)}\n`, { mode: 0o600 });
    fs.chmodSync(temporary, 0o600);
    fs.renameSync(temporary, this.file);
  }
}

/** Whether `host` names this machine's loopback interface only. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

/**
 * API keys kept by the app, encrypted by the OS (Electron safeStorage, injected as `SecretCrypto`),
 * in `<dataDir>/secrets.json` as base64 blobs. Never in SQLite, the config file, logs or exports;
 * the plaintext exists only in memory while a provider is built. The environment beats a stored key,
 * as it beats the config file, so a team's env setup keeps working inside the app.
 */
import fs from 'node:fs';
import { z } from 'zod';
import { writeFileAtomic } from '../commands/atomicFile';
import { SECRET_NAMES, type SecretName, type SecretStore } from '../secrets';

export const SECRETS_FILE = 'secrets.json';

/** What the host encrypts with; Electron's adapter is src/main/electron/safeStorage.ts. */
export interface SecretCrypto {
  encrypt(plain: string): Buffer;
  decrypt(blob: Buffer): string;
  /** False when the OS offers no encryption (e.g. no keyring): keys are then refused, not stored in clear. */
  available(): boolean;
}

const SecretsFile = z
  .object({ version: z.literal(1), keys: z.partialRecord(z.enum(SECRET_NAMES), z.string().base64()) })
  .strict();

export class SecretStoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretStoreError';
  }
}

export class EncryptedSecretStore implements SecretStore {
  private blobs: Partial<Record<SecretName, string>>;
  /** Why the file could not be read, if it could not: keys are then unset rather than guessed. */
  readonly problem: string | null = null;

  constructor(
    private readonly file: string,
    private readonly crypto: SecretCrypto,
    private readonly env: Record<string, string | undefined>,
  ) {
    this.blobs = {};
    try {
      const parsed = SecretsFile.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
      if (parsed.success) this.blobs = parsed.data.keys;
      else this.problem = `${file} is not a valid secrets file; stored keys are ignored until a key is saved`;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
        this.problem = `cannot read ${file}: ${(err as Error).message}`;
    }
  }

  get(name: SecretName): string | undefined {
    const fromEnv = this.env[name]?.trim();
    if (fromEnv) return fromEnv;
    return this.stored(name);
  }

  source(name: SecretName): 'env' | 'stored' | null {
    if (this.env[name]?.trim()) return 'env';
    return this.stored(name) !== undefined ? 'stored' : null;
  }

  set(name: SecretName, value: string): void {
    if (!this.crypto.available()) {
      throw new SecretStoreError(
        `the operating system offers no encryption for stored keys; set ${name} in the environment and restart`,
      );
    }
    this.write({ ...this.blobs, [name]: this.crypto.encrypt(value).toString('base64') });
  }

  clear(name: SecretName): void {
    if (this.blobs[name] === undefined) return;
    const next = { ...this.blobs };
    delete next[name];
    this.write(next);
  }

  private stored(name: SecretName): string | undefined {
    const blob = this.blobs[name];
    if (blob === undefined || !this.crypto.available()) return undefined;
    try {
      const v = this.crypto.decrypt(Buffer.from(blob, 'base64')).trim();
      return v ? v : undefined;
    } catch {
      // Encrypted under another OS account or keyring: unusable, so unset.
      return undefined;
    }
  }

  private write(blobs: Partial<Record<SecretName, string>>): void {
    writeFileAtomic(this.file, `${JSON.stringify({ version: 1, keys: blobs }, null, 2)}\n`);
    try {
      fs.chmodSync(this.file, 0o600);
    } catch {
      // Windows: ACLs, not modes; the blobs are encrypted either way.
    }
    this.blobs = blobs;
  }
}

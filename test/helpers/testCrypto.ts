/** A SecretCrypto for tests: AES-256-GCM under a fixed test key, standing in for Electron safeStorage. */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { SecretCrypto } from '../../src/main/settings/encryptedSecretStore';

const KEY = Buffer.alloc(32, 7);

export function testCrypto(available = true): SecretCrypto & { calls: number } {
  const c = {
    calls: 0,
    available: () => available,
    encrypt(plain: string): Buffer {
      c.calls++;
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', KEY, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), body]);
    },
    decrypt(blob: Buffer): string {
      const decipher = createDecipheriv('aes-256-gcm', KEY, blob.subarray(0, 12));
      decipher.setAuthTag(blob.subarray(12, 28));
      return Buffer.concat([decipher.update(blob.subarray(28)), decipher.final()]).toString('utf8');
    },
  };
  return c;
}

/**
 * Electron's safeStorage as the SecretCrypto of the EncryptedSecretStore: keys are encrypted with
 * the OS keychain (Keychain, DPAPI, libsecret/kwallet). Only valid after app 'ready'.
 */
import { safeStorage } from 'electron';
import type { SecretCrypto } from '../settings/encryptedSecretStore';

export function electronSecretCrypto(): SecretCrypto {
  return {
    encrypt: (plain) => safeStorage.encryptString(plain),
    decrypt: (blob) => safeStorage.decryptString(blob),
    available: () => safeStorage.isEncryptionAvailable(),
  };
}

/**
 * On Linux without a keyring safeStorage falls back to a hard-coded password ('basic_text'): the
 * blobs are then obfuscated, not protected. Said once at start so the trader can install one.
 */
export function safeStorageWarning(platform = process.platform): string | null {
  if (platform !== 'linux') return null;
  const backend = safeStorage.getSelectedStorageBackend();
  return backend === 'basic_text' || backend === 'unknown'
    ? `no OS keyring found (safeStorage backend: ${backend}); stored API keys are only obfuscated. ` +
        'Install gnome-keyring or kwallet, or set the keys in the environment.'
    : null;
}

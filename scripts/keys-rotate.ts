/**
 * npm run keys:rotate — re-seals every stored secret with the current APP_ENCRYPTION_KEY.
 *
 * Rotation: set APP_ENCRYPTION_KEY to the new key and APP_ENCRYPTION_KEYS_PREVIOUS to the old one(s)
 * on every process (they keep working: old values still open), run this once, then drop the old key
 * from APP_ENCRYPTION_KEYS_PREVIOUS. Running it again changes nothing. App sessions (signed with a key
 * derived from APP_ENCRYPTION_KEY) end with the switch; pages simply open a new one.
 */
import { encryptionKeyring, getConfig } from '../lib/core/config';
import { keyId } from '../lib/core/crypto';
import { getDatabase } from '../lib/db';
import { rotateEncryptionKey } from '@/lib/sync/account/key-rotation';

const keyring = encryptionKeyring(getConfig());
const db = await getDatabase();
const report = await rotateEncryptionKey(db.prisma, keyring);
console.log(`Secrets re-sealed with key ${keyId(keyring[0])}: ${report.resealed}; already current: ${report.current}.`);
await db.close();

import { randomBytes } from 'node:crypto';

/** A new API token key: 48 random bytes, URL-safe base64 (64 characters). */
export const generateTokenKey = () => randomBytes(48).toString('base64url');

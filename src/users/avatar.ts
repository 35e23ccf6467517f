import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';

/** authentik's image for users without an avatar (AVATARS=none). */
export const DEFAULT_AVATAR = '/static/dist/assets/images/user_default.png';

const escapeXml = (text: string) => text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

function initials(name: string, username: string): string {
  const words = (name.trim() || username).split(/\s+/).filter(Boolean);
  return words
    .slice(0, 2)
    .map((word) => [...word][0]!.toUpperCase())
    .join('');
}

/**
 * The initials avatars of the users shown lately: every list renders one per user, and computing
 * one (a hash, an SVG, base64) cost more than anything else of a user's JSON. A few hundred kB.
 */
const INITIALS_AVATARS = new LRUCache<string, string>({ max: 2_000 });

/** An SVG with the user's initials as a data URI: no network access, stable colour per user. */
export function initialsAvatar(name: string, username: string): string {
  const key = `${username}\n${name}`;
  let avatar = INITIALS_AVATARS.get(key);
  if (avatar === undefined) {
    avatar = renderInitialsAvatar(name, username);
    INITIALS_AVATARS.set(key, avatar);
  }
  return avatar;
}

function renderInitialsAvatar(name: string, username: string): string {
  const hue = createHash('sha256').update(username).digest().readUInt16BE(0) % 360;
  const svg =
    '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">' +
    `<rect width="64" height="64" fill="hsl(${hue},45%,40%)"/>` +
    '<text x="50%" y="50%" dy=".35em" text-anchor="middle" font-family="sans-serif" ' +
    `font-size="26" fill="#fff">${escapeXml(initials(name, username))}</text></svg>`;
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
}

function lookup(attributes: Record<string, unknown>, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>(
      (node, key) =>
        node !== null && typeof node === 'object'
          ? (node as Record<string, unknown>)[key]
          : undefined,
      attributes,
    );
}

export interface AvatarSubject {
  name: string;
  username: string;
  attributes: Record<string, unknown>;
}

/** The first mode of the AVATARS list that yields an avatar; the default image otherwise. */
export function avatarFor(user: AvatarSubject, modes: readonly string[]): string {
  for (const mode of modes) {
    if (mode === 'initials') return initialsAvatar(user.name, user.username);
    if (mode === 'none') return DEFAULT_AVATAR;
    const value = lookup(user.attributes, mode.slice('attributes.'.length));
    if (typeof value === 'string' && value !== '') return value;
  }
  return DEFAULT_AVATAR;
}

import type { IncomingMessage } from 'node:http';
import ipaddr from 'ipaddr.js';
import proxyaddr from 'proxy-addr';
import type { TrustProxy } from '../../config/config.js';

/** Express's request is Node's; Fastify's wraps it as `raw`. */
function nodeRequest(request: object): IncomingMessage {
  return ((request as { raw?: IncomingMessage }).raw ?? request) as IncomingMessage;
}

/**
 * One address per client: IPv4 as is (also when mapped into IPv6), an IPv6 client as its /64,
 * which it usually holds whole and could otherwise walk through address by address. Undefined
 * for anything that is not an address.
 */
export function clientKey(address: string | undefined): string | undefined {
  if (!address || !ipaddr.isValid(address)) return undefined;
  const parsed = ipaddr.process(address.split('%')[0]!);
  if (parsed.kind() === 'ipv4') return parsed.toString();
  const bytes = parsed.toByteArray().fill(0, 8);
  return `${ipaddr.fromByteArray(bytes).toString()}/64`;
}

/**
 * The client's address as the rate limits see it, whatever the HTTP adapter and its own
 * `trust proxy` setting: the socket's peer, or with `trust` the first X-Forwarded-For hop that is
 * not a trusted proxy (proxy-addr, as Express computes `req.ip`).
 */
export function clientAddressReader(trust: TrustProxy): (request: object) => string {
  const trusted =
    trust === false
      ? undefined
      : typeof trust === 'number'
        ? (_address: string, hop: number) => hop < trust
        : proxyaddr.compile(trust);
  return (request) => {
    const raw = nodeRequest(request);
    const peer = clientKey(raw.socket?.remoteAddress) ?? 'unknown';
    // A forwarded value that is not an address (a misconfigured proxy) never becomes a key.
    return trusted ? (clientKey(proxyaddr(raw, trusted)) ?? peer) : peer;
  };
}

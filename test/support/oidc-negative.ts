/**
 * Helpers of the OAuth2/OIDC negative matrix (test/e2e/oidc-negative.spec.ts): the protocol error a
 * relying party got, whatever openid-client wrapped it in, and requests whose every byte the test
 * decides (openid-client refuses to send malformed ones, and fetch normalises URLs).
 */
import http from 'node:http';
import { client } from './oidc-client.js';

export interface OAuthFailure {
  status: number | undefined;
  /** The OAuth error code: from the JSON body, the WWW-Authenticate challenge, or the redirect. */
  error: string | undefined;
}

/**
 * How a relying party's call failed. A 401 with a `WWW-Authenticate` challenge (client_secret_basic,
 * bearer tokens) reaches openid-client's caller as a challenge error, not a body error: both say
 * the same thing, so the test asserts the status and error code either way. Resolves to the
 * failure; a call that succeeds fails the test.
 */
export async function oauthFailure(call: Promise<unknown>): Promise<OAuthFailure> {
  try {
    await call;
  } catch (error) {
    if (error instanceof client.ResponseBodyError) {
      return { status: error.status, error: error.error };
    }
    if (error instanceof client.WWWAuthenticateChallengeError) {
      const challenge = error.cause.find((c) => c.parameters.error !== undefined);
      return { status: error.status, error: challenge?.parameters.error };
    }
    if (error instanceof client.AuthorizationResponseError) {
      return { status: undefined, error: error.error };
    }
    throw error;
  }
  throw new Error('the call succeeded; a protocol error was expected');
}

export interface RawAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

export interface RawRequestSpec {
  method?: string;
  /** Path and query, sent on the request line exactly as given. */
  path: string;
  headers?: Record<string, string | string[]>;
  body?: string | Buffer;
}

/**
 * One request on a fresh connection, bytes as given (no normalisation of the path, no default
 * content type). A connection the server closes before answering is a failure of the test.
 */
export function rawRequest(base: string, spec: RawRequestSpec): Promise<RawAnswer> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: hostname,
        port,
        method: spec.method ?? 'GET',
        path: spec.path,
        headers: {
          ...(spec.body === undefined ? {} : { 'content-length': Buffer.byteLength(spec.body) }),
          ...spec.headers,
        },
        agent: false,
        insecureHTTPParser: false,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    request.on('error', reject);
    request.end(spec.body);
  });
}

/** What must never reach a client: stack frames, module paths, driver or runtime error names. */
export const INTERNALS =
  /\n\s+at |\bat .+\.(js|ts):\d+|node_modules|QueryFailedError|invalid input syntax|\bERROR:|TypeError|ReferenceError|RangeError/;

/**
 * A refusal the protocol allows: a 4xx (never a 5xx), no internals in the body, and no redirect
 * anywhere (the request named no verified redirect_uri to send an error to).
 */
export function expectRefusal(answer: RawAnswer, what: string): void {
  const context = `${what} → ${answer.status} ${answer.text.slice(0, 300)}`;
  if (answer.status < 400 || answer.status > 499) throw new Error(`not a 4xx: ${context}`);
  if (INTERNALS.test(answer.text)) throw new Error(`internals in the body: ${context}`);
  if (answer.headers.location !== undefined) {
    throw new Error(`redirected to ${answer.headers.location}: ${context}`);
  }
}

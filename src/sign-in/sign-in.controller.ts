import type { IncomingMessage, ServerResponse } from 'node:http';
import { Controller, Get, Inject, Logger, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { errors, type default as Provider } from 'oidc-provider';
import { Public } from '../common/auth/access.decorator.js';
import { isDatabaseUnavailable } from '../common/errors/errors.filter.js';
import { clientAddressReader } from '../common/throttling/client-address.js';
import type { RuntimeConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { InteractionProviders } from '../oidc/interaction-providers.js';
import { SignInAttempts } from './sign-in-attempts.js';
import { SignInCsrf } from './sign-in-csrf.js';
import { SignInService } from './sign-in.service.js';
import {
  GENERIC_FAILURE,
  messagePage,
  signInPage,
  signInPath,
  STYLE_HASH,
  type SignInForm,
} from './sign-in.view.js';

/** oidc-provider's interaction uids are nanoids; anything else names no interaction. */
const UID = /^[\w-]{1,64}$/;

const EXPIRED = messagePage(
  'Sign-in request expired',
  'This sign-in request has expired or is no longer valid. Go back to the application and sign in again.',
);

const FORM = /^application\/x-www-form-urlencoded\s*(;|$)/i;

/** One request as both adapters give it, reduced to what the page needs, answered on Node's response. */
interface Exchange {
  uid: string;
  body: Record<string, unknown>;
  /** Node's request and response: what oidc-provider reads and writes. */
  req: IncomingMessage;
  res: ServerResponse;
}

/**
 * Express hands Node's own request and response (extended); Fastify wraps them as `raw`. The
 * page answers on Node's response itself, as the engine does, so on Fastify the reply is hijacked
 * first: Fastify then leaves the response alone.
 */
function exchangeOf(request: object, reply: object): Exchange {
  const fastify = reply as { hijack?: () => void; raw?: ServerResponse };
  const wrapped = request as { raw?: IncomingMessage };
  if (typeof fastify.hijack === 'function' && fastify.raw) fastify.hijack();
  const { params, body } = request as { params?: { uid?: unknown }; body?: unknown };
  const req = wrapped.raw ?? (request as IncomingMessage);
  // Only a form has fields: a JSON body (which both adapters parse too), text or none has none.
  const form = FORM.test(req.headers['content-type'] ?? '') && body && typeof body === 'object';
  return {
    uid: typeof params?.uid === 'string' ? params.uid : '',
    body: form ? (body as Record<string, unknown>) : {},
    req,
    res: fastify.raw ?? (reply as ServerResponse),
  };
}

/** A field's value when it was sent once, as text (`username[]=`, `username[a]=` are not). */
const field = (body: Record<string, unknown>, name: string) =>
  typeof body[name] === 'string' ? body[name] : undefined;

/**
 * The policy of every page: nothing but its own stylesheet (by hash) and the form. `form-action`
 * also governs the redirects that follow the POST (Chromium), which end at the client's
 * redirect_uri: the origins of the URIs the client may redirect to are allowed too.
 */
function contentSecurityPolicy(redirectUris: string[] = []): string {
  const sources = new Set(["'self'"]);
  for (const uri of redirectUris) {
    const source = redirectSource(uri);
    if (source) sources.add(source);
  }
  return [
    "default-src 'none'",
    `style-src ${STYLE_HASH}`,
    `form-action ${[...sources].join(' ')}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
}

/** A CSP source for a redirect URI: its origin (http, https), else its scheme (native apps). */
function redirectSource(redirectUri: string): string | undefined {
  try {
    const url = new URL(redirectUri);
    if (url.protocol === 'http:' || url.protocol === 'https:') return url.origin;
    return /^[a-z][a-z0-9+.-]*:$/i.test(url.protocol) ? url.protocol : undefined;
  } catch {
    return undefined;
  }
}

function send(
  res: ServerResponse,
  status: number,
  html: string,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) return;
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  // The page holds a CSRF token, and says who failed to sign in: no cache may keep it.
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Content-Security-Policy', contentSecurityPolicy());
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.end(html);
}

/**
 * The sign-in page oidc-provider sends browsers to (`interactions.url`): username and password,
 * CSRF-protected, failures rate-limited, then the engine's `interactionFinished` with the account.
 */
@ApiExcludeController()
@Public()
@Controller('if/flow/sign-in')
export class SignInController {
  private readonly logger = new Logger('SignIn');
  private readonly clientAddress: (request: object) => string;

  constructor(
    private readonly engine: InteractionProviders,
    private readonly signIn: SignInService,
    private readonly csrf: SignInCsrf,
    private readonly attempts: SignInAttempts,
    @Inject(APP_CONFIG) config: RuntimeConfig,
  ) {
    this.clientAddress = clientAddressReader(config.trustProxy);
  }

  @Get(':uid')
  async show(@Req() request: object, @Res() reply: object): Promise<void> {
    const exchange = exchangeOf(request, reply);
    await this.guarded(exchange, async () => {
      const interaction = await this.interaction(exchange);
      if (!interaction) return send(exchange.res, 400, EXPIRED);
      await this.form(exchange, interaction.details, 200, {});
    });
  }

  @Post(':uid')
  async submit(@Req() request: object, @Res() reply: object): Promise<void> {
    const exchange = exchangeOf(request, reply);
    await this.guarded(exchange, async () => {
      const { uid, body, res } = exchange;
      if (!UID.test(uid)) return send(res, 400, EXPIRED);
      if (!this.csrf.verify(uid, body.csrf_token)) {
        return send(
          res,
          403,
          messagePage(
            'Sign-in form expired',
            'This form could not be verified: it may be out of date. Load the sign-in page again and retry.',
            { href: signInPath(uid), text: 'Load the sign-in page again' },
          ),
        );
      }
      const interaction = await this.interaction(exchange);
      if (!interaction) return send(res, 400, EXPIRED);

      const username = field(body, 'username') ?? '';
      const password = field(body, 'password') ?? '';
      const address = this.clientAddress(exchange.req);
      const wait = await this.attempts.retryAfter(address, username);
      if (wait > 0) {
        return send(
          res,
          429,
          messagePage(
            'Too many attempts',
            `Too many failed sign-in attempts. Try again in ${wait} ${wait === 1 ? 'second' : 'seconds'}.`,
            { href: signInPath(uid), text: 'Back to the sign-in page' },
          ),
          { 'Retry-After': String(wait) },
        );
      }

      const userId = await this.signIn.authenticate(username, password);
      if (userId === undefined) {
        await this.attempts.recordFailure(address, username);
        return this.form(exchange, interaction.details, 200, { username, error: GENERIC_FAILURE });
      }
      await this.signIn.recordSignIn(userId);
      await this.finish(exchange, interaction.provider, userId);
    });
  }

  /** The engine answers 303 to its resume URL (`/application/o/authorize/<uid>`). */
  private async finish(exchange: Exchange, provider: Provider, userId: number): Promise<void> {
    try {
      await provider.interactionFinished(
        exchange.req,
        exchange.res,
        { login: { accountId: String(userId) } },
        { mergeWithLastSubmission: false },
      );
    } catch (error) {
      // Expired between the check and now: as expired as it would have been a moment later.
      if (!isInteractionError(error)) throw error;
      send(exchange.res, 400, EXPIRED);
    }
  }

  private async form(
    exchange: Exchange,
    details: Awaited<ReturnType<Provider['interactionDetails']>>,
    status: number,
    state: Pick<SignInForm, 'username' | 'error'>,
  ): Promise<void> {
    const client = await this.signIn.client(details.params.client_id);
    const html = signInPage({
      uid: exchange.uid,
      applicationName: client.name,
      csrfToken: this.csrf.create(exchange.uid),
      ...state,
    });
    send(exchange.res, status, html, {
      // The engine accepted the request's redirect_uri only if it is one of these.
      'Content-Security-Policy': contentSecurityPolicy(client.redirectUris),
    });
  }

  /**
   * The pending interaction `uid` names, with its engine instance; undefined when it is unknown,
   * expired or finished. oidc-provider finds an interaction by its cookie, not by the URL: the
   * two must agree.
   */
  private async interaction({ uid, req, res }: Exchange) {
    if (!UID.test(uid)) return undefined;
    const provider = await this.engine.forInteraction(uid);
    if (!provider) return undefined;
    try {
      const details = await provider.interactionDetails(req, res);
      return details.uid === uid ? { provider, details } : undefined;
    } catch (error) {
      if (isInteractionError(error)) return undefined;
      throw error;
    }
  }

  /**
   * The response is ours alone (hijacked on Fastify): no exception filter answers for us, so an
   * unexpected failure (the database) gets its page here, never a stack trace.
   */
  private async guarded(exchange: Exchange, handle: () => Promise<void>): Promise<void> {
    try {
      await handle();
    } catch (error) {
      const unavailable = isDatabaseUnavailable(error);
      this.logger.error(
        `sign-in page failed: ${error instanceof Error ? error.name : 'error'}`,
        error instanceof Error ? error.stack : undefined,
      );
      send(
        exchange.res,
        unavailable ? 503 : 500,
        messagePage(
          'Sign-in unavailable',
          'Signing in is temporarily unavailable. Try again in a moment.',
        ),
      );
    }
  }
}

/** The engine's own refusals of an interaction (not found, cookie missing, session changed). */
function isInteractionError(error: unknown): boolean {
  return error instanceof errors.OIDCProviderError && error.statusCode < 500;
}

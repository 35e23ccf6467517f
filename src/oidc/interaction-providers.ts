import type Provider from 'oidc-provider';

/**
 * What the sign-in page needs from the OAuth2/OIDC engine: the engine instance (one per OAuth2
 * provider) that owns a pending interaction. The engine's module binds it; the sign-in module
 * injects it, so either can be tested with the other replaced through Nest's DI.
 */
export abstract class InteractionProviders {
  /** The instance that owns interaction `uid`; undefined when the uid is unknown or expired. */
  abstract forInteraction(uid: string): Promise<Provider | undefined>;
}

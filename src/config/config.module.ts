/**
 * The injection token of the configuration (`@Inject(APP_CONFIG)`). GrantsApiModule provides it,
 * globally: its options with defaults applied (grants-api.options.ts); the standalone service
 * passes its whole validated RuntimeConfig.
 */
export const APP_CONFIG = Symbol('APP_CONFIG');

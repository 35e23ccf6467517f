/*
 * oidc-provider writes two notices straight to the console (stderr), outside our logs. Imported
 * before oidc-provider itself (first import of oidc-engine.ts), this routes them:
 * - "Unsupported runtime" (Node.js 20, which the service supports; the issue accepts the engine
 *   running there) is noted, and OidcEngine logs it once as a warning in our JSON logs;
 * - "already parsed request body detected" is dropped: the dispatcher hands the engine the body it
 *   read on purpose (src/oidc/oidc-dispatcher.ts), bounded by BODY_LIMIT_BYTES.
 * Every other console output passes unchanged.
 */
export const engineNotices = { unsupportedRuntime: false };

/* eslint-disable no-console -- the console is what this module intercepts */
const warn = console.warn.bind(console);

console.warn = (...args: unknown[]) => {
  const text = args.map(String).join(' ');
  if (text.includes('oidc-provider WARNING: Unsupported runtime')) {
    engineNotices.unsupportedRuntime = true;
    return;
  }
  if (text.includes('oidc-provider WARNING: already parsed request body detected')) return;
  warn(...args);
};

import { createHash } from 'node:crypto';
import escapeHtml from 'escape-html';

/**
 * The sign-in page's HTML: server-rendered, no script, no external asset. Every interpolated
 * value goes through escapeHtml (text and double-quoted attribute values alike).
 */

/** The one message every failed sign-in gets, whatever failed: no account is singled out. */
export const GENERIC_FAILURE = 'Invalid username or password.';

/* Relative units only, and no fixed widths, so that the page reflows at 200% zoom. */
const STYLE = `
:root { color-scheme: light dark; font-family: system-ui, sans-serif; line-height: 1.5; }
body { margin: 0; padding: 1rem; }
main { max-width: 26rem; margin: 2rem auto; }
h1 { font-size: 1.5rem; margin: 0 0 1rem; overflow-wrap: anywhere; }
form { display: flex; flex-direction: column; gap: 0.25rem; }
label { font-weight: 600; margin-top: 0.75rem; }
input, button { font: inherit; padding: 0.5rem 0.75rem; border-radius: 0.25rem; }
input { border: 1px solid #6b7280; }
button { margin-top: 1.25rem; border: 1px solid #1d4ed8; background: #1d4ed8; color: #fff; cursor: pointer; }
:focus-visible { outline: 3px solid #f59e0b; outline-offset: 2px; }
.alert { border: 2px solid #b91c1c; border-radius: 0.25rem; padding: 0.5rem 0.75rem; color: #b91c1c; font-weight: 600; }
@media (prefers-color-scheme: dark) { .alert { color: #fca5a5; border-color: #fca5a5; } }
`;

/** The page's CSP allows exactly this stylesheet, by its hash: no nonce to thread through. */
export const STYLE_HASH = `'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`;

const ERROR_ID = 'sign-in-error';

export interface SignInForm {
  uid: string;
  /** The application (or provider) name the heading shows; undefined: "Sign in". */
  applicationName?: string;
  csrfToken: string;
  /** Kept after a failure; the password never is. */
  username?: string;
  error?: string;
}

/** The path of the form of interaction `uid` (the engine's `interactions.url`). */
export const signInPath = (uid: string) => `/if/flow/sign-in/${encodeURIComponent(uid)}/`;

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

export function signInPage(form: SignInForm): string {
  const heading = form.applicationName ? `Sign in to ${form.applicationName}` : 'Sign in';
  // The alert is announced when the page loads; the fields point at it for screen readers.
  const described = form.error ? ` aria-describedby="${ERROR_ID}" aria-invalid="true"` : '';
  const alert = form.error
    ? `<p id="${ERROR_ID}" class="alert" role="alert">${escapeHtml(form.error)}</p>\n`
    : '';
  return layout(
    heading,
    `<h1>${escapeHtml(heading)}</h1>
${alert}<form method="post" action="${escapeHtml(signInPath(form.uid))}">
<input type="hidden" name="csrf_token" value="${escapeHtml(form.csrfToken)}">
<label for="username">Username</label>
<input id="username" name="username" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" required maxlength="150" value="${escapeHtml(form.username ?? '')}"${described}>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required${described}>
<button type="submit">Sign in</button>
</form>`,
  );
}

/** A page that only says what happened (400, 403, 429, 5xx), with an optional way on. */
export function messagePage(title: string, message: string, link?: { href: string; text: string }) {
  const next = link
    ? `\n<p><a href="${escapeHtml(link.href)}">${escapeHtml(link.text)}</a></p>`
    : '';
  return layout(
    title,
    `<h1>${escapeHtml(title)}</h1>
<p role="alert">${escapeHtml(message)}</p>${next}`,
  );
}

/**
 * oidc-provider warns once, on stderr, when it is imported on a Node.js release before 22 ("Use
 * Node.js v22.x LTS"). Node 20 is still supported here (CI's first pass runs it), so that one line
 * is expected there and nowhere else; every other byte on stderr still fails the specs that read it.
 */
const UNSUPPORTED_RUNTIME = /^oidc-provider WARNING: Unsupported runtime\.[^\n]*\n/m;

const warnsOnThisRuntime = Number(process.versions.node.split('.')[0]) < 22;

/** `stderr` without the warnings this runtime is known to print. */
export function withoutRuntimeWarnings(stderr: string): string {
  return warnsOnThisRuntime ? stderr.replace(UNSUPPORTED_RUNTIME, '') : stderr;
}

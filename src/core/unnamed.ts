// The build (esbuild, and tsx in the tests and the bench) keeps function names: a function written where it takes
// a name (`const f = () => …`, `{ f: () => … }`) gets Object.defineProperty(f, 'name', …), which turns its own
// properties into a dictionary of about 250 bytes. A function kept per channel for the node's life (the watch's
// callbacks) is written as the argument of unnamed() instead: an argument takes no name, and costs none of it.

/** `f` itself. */
export function unnamed<F extends (...args: never[]) => unknown>(f: F): F {
  return f;
}

import type { Compile } from 'velocityjs';

/**
 * API Gateway's VTL runs on Java objects; velocityjs calls JavaScript methods. Where the two differ
 * for methods templates commonly use, these handlers give the Java result:
 * - `String.replace` replaces every occurrence (JS: the first), `replaceAll`/`matches` take a regex
 *   (`matches` must match the whole string), `length()`/`isEmpty()`/`contains()`/`equals()` exist.
 * - `Map.get`/`List.get` look the key up exactly (velocityjs retries with the first letter's case flipped),
 *   and `Map.put` returns the previous value (velocityjs returns the new one, which would render).
 */
type CompileConfig = NonNullable<ConstructorParameters<typeof Compile>[1]>;
type Handler = NonNullable<CompileConfig['customMethodHandlers']>[number];
type Payload = Parameters<Handler['match']>[0];

const stringMethods: Readonly<Record<string, (s: string, params: readonly unknown[]) => unknown>> = {
  length: (s) => s.length,
  isEmpty: (s) => s.length === 0,
  contains: (s, [x]) => s.includes(String(x)),
  equals: (s, [x]) => s === x,
  equalsIgnoreCase: (s, [x]) => typeof x === 'string' && s.toLowerCase() === x.toLowerCase(),
  matches: (s, [re]) => regex(`^(?:${String(re)})$`, '').test(s),
  replace: (s, [from, to]) => s.split(String(from)).join(String(to)),
  replaceAll: (s, [re, to]) => s.replace(regex(String(re), 'g'), javaReplacement(String(to))),
};

const regexes = new Map<string, RegExp>();

// Templates use a handful of fixed patterns; compile each once. A global regex is safe to share
// with String.replace, which resets lastIndex.
function regex(source: string, flags: string): RegExp {
  const key = `${flags}/${source}`;
  let re = regexes.get(key);
  if (!re) {
    re = new RegExp(source, flags);
    if (regexes.size >= 256) regexes.clear();
    regexes.set(key, re);
  }
  return re;
}

// Java replacement strings escape with a backslash; JavaScript escapes `$` as `$$`. `$1` means the same in both.
function javaReplacement(to: string): string {
  return to.replace(/\\(.)/g, (_m, ch: string) => (ch === '$' ? '$$' : ch));
}

function isPlainContainer(value: unknown): value is Record<string, unknown> | unknown[] {
  if (Array.isArray(value)) return true;
  if (value === null || typeof value !== 'object') return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** The handlers, in velocityjs's `customMethodHandlers` form (checked before its built-in ones). */
export const javaMethodHandlers: readonly Handler[] = [
  {
    uid: 'java: String methods',
    match: ({ property, context }: Payload) => typeof context === 'string' && Object.hasOwn(stringMethods, property),
    resolve: ({ property, context, params }: Payload) => stringMethods[property]!(context as string, params),
  },
  {
    uid: 'java: Map.get / List.get',
    match: ({ property, context }: Payload) => property === 'get' && isPlainContainer(context) && !Object.hasOwn(context, 'get'),
    resolve: ({ context, params }: Payload) => {
      const container = context as Record<string, unknown> | unknown[];
      const key = params[0];
      if (Array.isArray(container)) return typeof key === 'number' ? container[key] : undefined;
      const name = String(key);
      return Object.hasOwn(container, name) ? container[name] : undefined;
    },
  },
  {
    uid: 'java: Map.put',
    match: ({ property, context }: Payload) =>
      property === 'put' && isPlainContainer(context) && !Array.isArray(context) && !Object.hasOwn(context, 'put'),
    resolve: ({ context, params }: Payload) => {
      const map = context as Record<string, unknown>;
      const name = String(params[0]);
      const previous = Object.hasOwn(map, name) ? map[name] : undefined;
      map[name] = params[1];
      return previous;
    },
  },
];

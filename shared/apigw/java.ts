import type { CompileConfig } from 'velocityjs/dist/src/type';

/**
 * API Gateway's VTL runs on Java objects; velocityjs calls JavaScript methods. Where the two differ
 * for methods templates commonly use, these handlers give the Java result:
 * - `String.replace` replaces every occurrence (JS: the first), `replaceAll`/`matches` take a regex
 *   (`matches` must match the whole string), `length()`/`isEmpty()`/`contains()`/`equals()` exist.
 * - `Map.get`/`List.get` look the key up exactly (velocityjs retries with the first letter's case flipped).
 */
type Handler = NonNullable<CompileConfig['customMethodHandlers']>[number];
type Payload = Parameters<Handler['match']>[0];

const stringMethods: Readonly<Record<string, (s: string, params: readonly unknown[]) => unknown>> = {
  length: (s) => s.length,
  isEmpty: (s) => s.length === 0,
  contains: (s, [x]) => s.includes(String(x)),
  equals: (s, [x]) => s === x,
  equalsIgnoreCase: (s, [x]) => typeof x === 'string' && s.toLowerCase() === x.toLowerCase(),
  matches: (s, [re]) => wholeMatch(String(re)).test(s),
  replace: (s, [from, to]) => s.split(String(from)).join(String(to)),
  replaceAll: (s, [re, to]) => s.replace(new RegExp(String(re), 'g'), javaReplacement(String(to))),
};

function wholeMatch(re: string): RegExp {
  return new RegExp(`^(?:${re})$`);
}

// Java replacement strings escape with backslashes; JavaScript escapes `$` as `$$`.
function javaReplacement(to: string): string {
  return to.replace(/\\(.)|\$\$/g, (m, ch: string | undefined) => (ch === undefined ? m : ch === '$' ? '$$' : ch));
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
];

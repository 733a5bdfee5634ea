import type { Compile } from 'velocityjs';

/**
 * API Gateway's VTL runs on Java objects; velocityjs calls JavaScript methods. For the String
 * methods a mapping template reaches for, JavaScript's either do not exist (velocityjs then
 * renders nothing, silently) or do something else; these give Java's result:
 * - `length()`, `isEmpty()`, `contains()`, `equals()`, `equalsIgnoreCase()` exist;
 * - `replace` replaces every occurrence (JavaScript: the first), `replaceAll` takes a regex
 *   (JavaScript: a literal string) and `matches` must match the whole string.
 * Maps and lists are left to velocityjs's own `get`/`put`/`size`/`keySet` handlers.
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
  matches: (s, [re]) => new RegExp(`^(?:${String(re)})$`).test(s),
  replace: (s, [from, to]) => s.split(String(from)).join(String(to)),
  replaceAll: (s, [re, to]) => s.replace(new RegExp(String(re), 'g'), javaReplacement(String(to))),
};

// Java replacement strings escape with a backslash; JavaScript escapes `$` as `$$`. `$1` means the same in both.
function javaReplacement(to: string): string {
  return to.replace(/\\(.)/g, (_m, ch: string) => (ch === '$' ? '$$' : ch));
}

/** The handlers, in velocityjs's `customMethodHandlers` form (checked before its built-in ones). */
export const javaMethodHandlers: readonly Handler[] = [
  {
    uid: 'java: String methods',
    match: ({ property, context }: Payload) => typeof context === 'string' && Object.hasOwn(stringMethods, property),
    resolve: ({ property, context, params }: Payload) => stringMethods[property]!(context as string, params),
  },
];

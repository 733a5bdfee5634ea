import { Helper } from 'velocityjs';
import { TemplateInput } from './input';
import { utilFunctions } from './util';
import { MethodHost } from './vtl-host';
import { methodHandlers, type RefAst } from './vtl-velocity';

/**
 * What compiled templates (vtl-compile.ts) call at render time: velocityjs 2.1.x's own steps for
 * method calls, `#set` paths, blocked keys and output formatting, ported line for line so the
 * compiled output is velocityjs's, byte for byte.
 */

// The methods the mapping templates call on every request. velocityjs would find no handler for
// them after trying them all (so each call scans the list), then call the method, after attaching
// an `eval` helper to the receiver (a fresh closure per call). Calling them directly gives the same
// result; the receiver just does not grow that `eval` property.
const directMethods: ReadonlySet<unknown> = new Set<unknown>([
  ...Object.values(utilFunctions),
  TemplateInput.prototype.params,
  TemplateInput.prototype.json,
  TemplateInput.prototype.path,
  String.prototype.concat,
]);
// Calling them directly is velocityjs's result only while no handler claims their names (the
// handlers match on the name and the receiver): checked once, at load.
for (const name of [...Object.keys(utilFunctions), 'params', 'json', 'path', 'concat']) {
  for (const context of [{}, '']) {
    const claimed = methodHandlers.find((h) => h.match({ property: name, context, params: [] }));
    if (claimed) throw new Error(`velocityjs method handler ${claimed.uid} claims ${name}, which compiled templates call directly`);
  }
}

/** The state of one render of a compiled template. */
export interface Scope {
  /** The top-level references; `#set` writes here, as velocityjs writes to its context. */
  readonly vars: Record<string, unknown>;
  /** velocityjs, for plain JavaScript methods on objects, made on first need. */
  host: MethodHost | undefined;
}

/** Reads a value during a render. */
export type Evaluator = (scope: Scope) => unknown;

/**
 * The same text as an internalized string. The parser's strings are slices of the template, which
 * V8 must look up in its string table whenever one is used as a property key (`$a.b`, `$m.get('k')`,
 * `Object.hasOwn`), a visible share of a render; an internalized string is the key itself.
 */
export function intern(text: string): string {
  // An object literal's keys are internalized; Object.keys hands back that string.
  return Object.keys({ [text]: 0 })[0] ?? text;
}

// velocityjs compile/prototype-guard.cjs.
const PROTO_KEY = '__proto__';
const PROTOTYPE_CHAIN_KEYS = new Set(['constructor', 'prototype']);

/** Whether a key may ever be blocked (the rest never are, so compiled code skips the check). */
export function mayBeBlocked(key: string): boolean {
  return key === PROTO_KEY || PROTOTYPE_CHAIN_KEYS.has(key);
}

function hasOwn(baseRef: unknown, key: string): boolean {
  return (typeof baseRef === 'object' || typeof baseRef === 'function') && baseRef !== null && Object.hasOwn(baseRef, key);
}

/** velocityjs's `isBlockedPrototypeKey`: keys that would reach a prototype. */
export function isBlocked(baseRef: unknown, key: string, isEnd = false): boolean {
  if (key === PROTO_KEY) return true;
  if (key === 'prototype' && typeof baseRef === 'function') return true;
  return !isEnd && PROTOTYPE_CHAIN_KEYS.has(key) && !hasOwn(baseRef, key);
}

function hasBlockedUnknownPath(keys: readonly string[], startIndex: number): boolean {
  return keys.slice(startIndex).some((key, i) => {
    const isEnd = startIndex + i === keys.length - 1;
    return key === PROTO_KEY || (!isEnd && PROTOTYPE_CHAIN_KEYS.has(key));
  });
}

/** Where a `#set($a.b.c = …)` writes (velocityjs's `resolveSetPath`). */
interface SetPath {
  readonly blocked: boolean;
  readonly rootRef?: unknown;
  readonly shouldSetRoot?: boolean;
  readonly baseRef?: Record<string, unknown>;
  readonly key?: string;
}

/**
 * velocityjs's `SetValue.setValue` once the path keys are known: the blocked check, then the
 * value, then the write (the path resolved again, since evaluating the value may have changed it).
 */
export function setValue(scope: Scope, id: string, hasPath: boolean, pathKeys: readonly string[], value: Evaluator): void {
  const context = scope.vars;
  if (resolveSetPath(context, id, pathKeys).blocked) return;
  const val = value(scope);
  if (!hasPath) {
    context[id] = val;
    return;
  }
  const setPath = resolveSetPath(context, id, pathKeys);
  if (setPath.blocked) return;
  if (setPath.shouldSetRoot) context[id] = setPath.rootRef;
  if (setPath.key !== undefined) setPath.baseRef![setPath.key] = val;
}

// velocityjs's `SetValue.resolveSetPath`, reads and all.
function resolveSetPath(context: Record<string, unknown>, id: string, pathKeys: readonly string[]): SetPath {
  if (pathKeys.length === 0) return { blocked: isBlocked(context, id, true) };
  if (isBlocked(context, id, false)) return { blocked: true };
  let rootRef = context[id];
  let shouldSetRoot = false;
  if (typeof rootRef !== 'object') {
    rootRef = {};
    shouldSetRoot = true;
  }
  let baseRef = rootRef as Record<string, unknown> | null | undefined;
  for (let i = 0; i < pathKeys.length; i++) {
    if (baseRef === undefined || baseRef === null) return { blocked: hasBlockedUnknownPath(pathKeys, i), rootRef, shouldSetRoot };
    const key = pathKeys[i]!;
    const isEnd = pathKeys.length === i + 1;
    if (isBlocked(baseRef, key, isEnd)) return { blocked: true };
    if (isEnd) return { blocked: false, rootRef, shouldSetRoot, baseRef, key };
    baseRef = baseRef[key] as Record<string, unknown> | null | undefined;
  }
  return { blocked: false, rootRef, shouldSetRoot };
}

/** A compiled `.method(…)` call on a value (or, for `$fn(…)`, on the render's variables). */
export type MethodCall = (scope: Scope, baseRef: unknown) => unknown;

type Callable = { call?: unknown; apply: (self: unknown, args: unknown[]) => unknown };

/**
 * velocityjs's `getPropMethod` for one call site: a handler that matches wins (ours first, then
 * velocityjs's), else the value's own method is called; on an object, velocityjs does that itself
 * (it attaches an `eval` closure to the receiver first), through the render's {@link MethodHost}.
 *
 * velocityjs reads the method off the receiver three times (its own lookup, then the first
 * handler's match and resolve); the match and resolve reads are one here, which gives the same
 * function for every receiver a template can reach (data properties, and getters that return
 * the same value each time).
 */
export function methodCall(id: string, argFns: readonly Evaluator[], ast: RefAst): MethodCall {
  const idMayBeBlocked = mayBeBlocked(id);
  return (scope, baseRef) => {
    if (idMayBeBlocked && isBlocked(baseRef, id)) return undefined;
    const fn = (baseRef as Record<string, unknown>)[id] as Callable | undefined;
    const params = evaluateArgs(argFns, scope);
    // The hot path: a direct method, read again after the arguments (which may have replaced it).
    const direct = (baseRef as Record<string, unknown>)[id] as Callable | undefined;
    if (directMethods.has(direct)) return direct!.apply(baseRef, params);
    const payload = { property: id, params, context: baseRef };
    for (const handler of methodHandlers) {
      // A hole in the list is skipped, as velocityjs's `find((item) => item && item.match(...))` does.
      if (handler?.match(payload)) return handler.resolve(payload);
    }
    if (!fn?.call) return undefined;
    if (typeof baseRef === 'object' && baseRef) {
      scope.host ??= new MethodHost(scope.vars);
      return scope.host.callOnObject(id, params, baseRef, ast);
    }
    try {
      return fn.apply(baseRef, params);
    } catch (e) {
      const pos = ast.pos ?? { first_line: 'unknown', first_column: 'unknown' };
      if (e instanceof Error) e.message += `on ${Helper.getRefText(ast as never)} at L/N ${pos.first_line}:${pos.first_column}`;
      throw e;
    }
  };
}

// `argFns.map(…)` without the callback per argument: method calls are most of a render's work.
function evaluateArgs(argFns: readonly Evaluator[], scope: Scope): unknown[] {
  switch (argFns.length) {
    case 0: return [];
    case 1: return [argFns[0]!(scope)];
    case 2: return [argFns[0]!(scope), argFns[1]!(scope)];
    default: return argFns.map((arg) => arg(scope));
  }
}

/** velocityjs's `getArray` for a range `[a..b]`, given its evaluated bounds. */
export function range(bounds: readonly unknown[]): unknown[] {
  // Typed as numbers for TypeScript; a reference bound keeps JavaScript's comparisons on its value.
  const [begin, end] = bounds as [number, number];
  if (Number.isNaN(begin) || Number.isNaN(end)) return [];
  let i = 0;
  const ret: number[] = [];
  if (begin < end) for (i = begin; i <= end; i++) ret.push(i);
  else for (i = begin; i >= end; i--) ret.push(i);
  return ret;
}

/** velocityjs's `format` (utils.cjs): how a referenced value is written into the output. */
export function format(value: unknown): unknown {
  if (Array.isArray(value)) return `[${value.map((v) => format(v)).join(', ')}]`;
  if (typeof value === 'object' && value !== null) {
    // An object with its own toString is written as itself (the caller's `+=` converts it).
    if ((value as { toString: () => string }).toString.toString().indexOf('[native code]') === -1) return value;
    const map = value as Record<string, unknown>;
    const kvJoin = (k: string): string => `${k}=${format(map[k]) as string}`;
    return `{${Object.keys(map).map(kvJoin).join(', ')}}`;
  }
  return value;
}


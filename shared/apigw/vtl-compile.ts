import { Helper } from 'velocityjs';
import { format, intern, isBlocked, mayBeBlocked, methodCall, range, setValue, type Evaluator, type Scope } from './vtl-runtime';
import { parseVtl, type Asts, type RefAst } from './vtl-velocity';

/**
 * Compiles velocityjs parse trees into trees of closures (no generated source, so no eval): each
 * node's work is decided once, where velocityjs re-decides it on every render.
 *
 * Compiled: text, comments, `#[[raw]]#`, `$refs` (`$!`, `${}`, properties, indexes, method calls),
 * `#set` (paths too), `#if/#elseif/#else`, expressions, and string, number, boolean, list, range and
 * map literals; a double-quoted string is parsed once, here. Anything else (`#foreach`, macros,
 * `#define`, `#break`, …) makes {@link compileVtl} return null, and velocityjs renders that
 * template. Each step follows velocityjs 2.1.x (compile/*.cjs) with the settings the renderer
 * uses: silent, no HTML escaping, API Gateway's null-renders-as-nothing.
 */

/** A compiled template: renders with `vars` as the top-level references (which `#set` writes to). */
export type CompiledTemplate = (vars: Record<string, unknown>) => string;

type Render = (scope: Scope) => string;
type Step = (scope: Scope, base: unknown) => unknown;

interface Node {
  readonly type?: string;
  readonly [field: string]: unknown;
}

interface RefNode extends RefAst {
  readonly args?: Node[] | false;
  readonly path?: Node[];
}

/** Thrown while compiling a construct left to velocityjs. */
class Unsupported extends Error {}

/** The template as closures, or null when it uses a construct only velocityjs renders. */
export function compileVtl(asts: Asts): CompiledTemplate | null {
  let body: Render;
  try {
    body = compileList(asts as unknown as readonly unknown[]);
  } catch {
    // Unsupported, or a tree this compiler does not expect: velocityjs renders it.
    return null;
  }
  return (vars) => body({ vars, host: undefined });
}

// velocityjs's `renderAstList`: each node's output appended with `+=` (so an object with its own
// toString converts as there). Adjacent texts are joined here; comments and #set add nothing.
function compileList(nodes: readonly unknown[]): Render {
  const parts: (string | Evaluator)[] = [];
  const text = (value: string): void => {
    if (value === '') return;
    const last = parts.length - 1;
    if (typeof parts[last] === 'string') parts[last] += value;
    else parts.push(value);
  };
  for (const node of nodes) {
    if (typeof node === 'string') text(node);
    else if (Array.isArray(node)) parts.push(compileIf(node));
    else {
      const n = node as Node;
      if (n.type === 'references') parts.push(compileOutput(n as unknown as RefNode));
      else if (n.type === 'set') parts.push(compileSet(n));
      else if (n.type === 'raw' && typeof n.value === 'string') text(n.value);
      else if (n.type !== 'comment') throw new Unsupported(String(n.type));
    }
  }
  if (parts.length === 0) return () => '';
  const only = parts[0]!;
  if (parts.length === 1) {
    if (typeof only === 'string') return (scope) => (stopped(scope) ? '' : only);
    // As velocityjs's `str += …` on its empty start: the output is always a string.
    return (scope) => (stopped(scope) ? '' : `${only(scope) as string}`);
  }
  return (scope) => {
    let str = '';
    for (const part of parts) {
      if (stopped(scope)) break;
      str += typeof part === 'string' ? part : (part(scope) as string);
    }
    return str;
  };
}

// velocityjs renders nothing more after `#stop()`, which only a string evaluated through an
// object's `eval` helper (the MethodHost) can run in a compiled template.
function stopped(scope: Scope): boolean {
  return scope.host?.stopped === true;
}

// `$ref` in the output: silent, and null renders as nothing (API Gateway), then velocityjs's format.
function compileOutput(node: RefNode): Evaluator {
  const value = compileRef(node, true);
  return (scope) => format(value(scope));
}

// velocityjs's `getBlockIf`: the first branch whose condition holds (or the #else) renders.
function compileIf(block: readonly unknown[]): Evaluator {
  if ((block[0] as Node | undefined)?.type !== 'if') throw new Unsupported('block');
  const branches: { when: Evaluator | null; nodes: unknown[] }[] = [];
  for (const item of block) {
    const type = (item as Node).type;
    if (type === 'if' || type === 'elseif') branches.push({ when: compileExpression((item as Node).condition as Node), nodes: [] });
    else if (type === 'else') branches.push({ when: null, nodes: [] });
    else branches.at(-1)!.nodes.push(item);
  }
  const compiled = branches.map(({ when, nodes }) => ({ when, render: compileList(nodes) }));
  return (scope) => {
    for (const { when, render } of compiled) if (when === null || when(scope)) return render(scope);
    return '';
  };
}

// velocityjs's `getReferences` (as ApiGatewayCompile overrides it). `isVal` is its flag for a
// reference written to the output: undefined and null then become ''.
function compileRef(node: RefNode, isVal: boolean): Evaluator {
  if (node.type !== 'references' || typeof node.id !== 'string') throw new Unsupported('reference');
  const id = intern(node.id);
  const text = intern(Helper.getRefText(node as never));
  const idMayBeBlocked = mayBeBlocked(id);
  const call = node.args === undefined ? undefined : methodCall(id, compileArgs(node.args || []), node);
  const steps = Array.isArray(node.path) ? node.path.map((property) => compileStep(property, node)) : [];
  const first = steps[0];
  const prue = node.prue === true;
  return (scope) => {
    if (prue && scope.host !== undefined) {
      // A `#define` only a string evaluated through the MethodHost can have made.
      const defined = scope.host.renderDefine(id);
      if (defined !== undefined) return defined;
    }
    const vars = scope.vars;
    let ret = idMayBeBlocked && isBlocked(vars, id) ? undefined : vars[id];
    if (Object.hasOwn(vars, text)) {
      const own = vars[text];
      return isVal && own === null ? '' : own;
    }
    if (ret !== undefined && call !== undefined) ret = call(scope, vars);
    if (first !== undefined) {
      ret = first(scope, ret);
      for (let i = 1; i < steps.length; i++) ret = steps[i]!(scope, ret);
    }
    return isVal && (ret === undefined || ret === null) ? '' : ret;
  };
}

// velocityjs's `getAttributes`: `.method(…)`, `.property` and `[index]` on the value so far.
function compileStep(property: Node, node: RefNode): Step {
  const id = typeof property.id === 'string' ? intern(property.id) : property.id;
  if (property.type === 'method' && typeof id === 'string') {
    const call = methodCall(id, compileArgs((property.args as Node[] | false | undefined) || []), node);
    return (scope, base) => (base === null || base === undefined ? undefined : call(scope, base));
  }
  if (property.type === 'property' && typeof id === 'string') {
    const idMayBeBlocked = mayBeBlocked(id);
    return (_scope, base) =>
      base === null || base === undefined || (idMayBeBlocked && isBlocked(base, id)) ? undefined : (base as Record<string, unknown>)[id];
  }
  if (property.type === 'index' && typeof id === 'object' && id !== null) {
    const index = id as Node;
    const constant = typeof index.value === 'string' ? intern(index.value) : index.value;
    const key: Evaluator = index.type === 'references' ? compileRef(index as unknown as RefNode, false) : () => constant;
    return (scope, base) => {
      if (base === null || base === undefined) return undefined;
      const k = key(scope);
      return isBlocked(base, String(k)) ? undefined : (base as Record<PropertyKey, unknown>)[k as PropertyKey];
    };
  }
  throw new Unsupported('path');
}

function compileArgs(args: readonly Node[]): Evaluator[] {
  return args.map(compileLiteral);
}

// `#set`: a plain `$name` is written directly, a path (or a prototype-ish name) as velocityjs does.
function compileSet(node: Node): Evaluator {
  const [ref, valueNode] = node.equal as [RefNode, Node];
  if (ref.type !== 'references' || typeof ref.id !== 'string') throw new Unsupported('set');
  const id = intern(ref.id);
  const value = valueNode.type === 'math' ? compileExpression(valueNode) : compileLiteral(valueNode);
  if (!ref.path && !mayBeBlocked(id)) {
    return (scope) => {
      scope.vars[id] = value(scope);
      return '';
    };
  }
  const keys = (ref.path ?? []).map((exp): Evaluator => {
    if (exp.type === 'property') {
      const key = typeof exp.id === 'string' ? intern(exp.id) : exp.id;
      return () => key;
    }
    if (exp.type === 'index' && exp.id) {
      const key = compileLiteral(exp.id as Node);
      return (scope) => String(key(scope));
    }
    return () => '';
  });
  const hasPath = !!ref.path;
  return (scope) => {
    setValue(scope, id, hasPath, keys.map((key) => key(scope) as string), value);
    return '';
  };
}

/** velocityjs's `getExpression` (math, logic, comparison; JavaScript's operators on the values). */
function compileExpression(node: Node): Evaluator {
  if (node.type !== 'math') return compileLiteral(node);
  const exp = (node.expression as Node[]).map(compileExpression);
  const [a, b] = exp as [Evaluator | undefined, Evaluator | undefined];
  if (!a) throw new Unsupported('operand');
  const right = (): Evaluator => {
    if (!b) throw new Unsupported('operand');
    return b;
  };
  const binary = (op: (x: number, y: number) => unknown): Evaluator => {
    const r = right();
    // Typed as numbers for TypeScript; at run time these are JavaScript's operators on any values.
    return (scope) => op(a(scope) as number, r(scope) as number);
  };
  switch (node.operator) {
    case '+': return binary((x, y) => x + y);
    case '-': return binary((x, y) => x - y);
    case '/': return binary((x, y) => x / y);
    case '%': return binary((x, y) => x % y);
    case '*': return binary((x, y) => x * y);
    case '>': return binary((x, y) => x > y);
    case '<': return binary((x, y) => x < y);
    case '>=': return binary((x, y) => x >= y);
    case '<=': return binary((x, y) => x <= y);
    // Loose equality on purpose: velocityjs evaluates VTL's == and != with JavaScript's.
    // biome-ignore lint/suspicious/noDoubleEquals: the interpreter's semantics
    case '==': return binary((x, y) => x == y);
    // biome-ignore lint/suspicious/noDoubleEquals: the interpreter's semantics
    case '!=': return binary((x, y) => x != y);
    // Short-circuit as there: the right side is evaluated only when needed.
    case '||': { const r = right(); return (scope) => a(scope) || r(scope); }
    case '&&': { const r = right(); return (scope) => a(scope) && r(scope); }
    case 'minus': return (scope) => -(a(scope) as number);
    case 'not': return (scope) => !a(scope);
    case 'parenthesis': return a;
    default: return () => undefined;
  }
}

const BOOLS: Readonly<Record<string, unknown>> = { true: true, false: false, null: null };

/** velocityjs's `getLiteral`: strings, numbers, booleans, lists, ranges and maps, else a reference. */
function compileLiteral(node: Node): Evaluator {
  const value = node.value;
  switch (node.type) {
    case 'string': {
      if (typeof value !== 'string') throw new Unsupported('string');
      if (!(node.isEval && (value.indexOf('#') !== -1 || value.indexOf('$') !== -1))) {
        const constant = intern(value);
        return () => constant;
      }
      // velocityjs parses the string on every evaluation; parsed once here (a syntax error leaves
      // the template to velocityjs, which reports it when, and only if, it evaluates it).
      return compileList(parseVtl(value) as unknown as readonly unknown[]);
    }
    case 'integer': {
      const int = parseInt(value as string, 10);
      return () => int;
    }
    case 'decimal': {
      const dec = parseFloat(value as string);
      return () => dec;
    }
    case 'bool': {
      const bool = BOOLS[value as string];
      return () => bool;
    }
    case 'array':
      return node.isRange === true ? compileRange(value as unknown[]) : compileArray((value as Node[]).map(compileLiteral));
    case 'map': {
      const map = (value || {}) as Record<string, Node>;
      const keys = Object.keys(map);
      const values = keys.map((key) => compileLiteral(map[key]!));
      return (scope) => {
        const ret: Record<string, unknown> = {};
        for (let i = 0; i < keys.length; i++) ret[keys[i]!] = values[i]!(scope);
        return ret;
      };
    }
    default:
      return compileRef(node as unknown as RefNode, false);
  }
}

// A list literal: a fresh array per evaluation, as the template may change it.
function compileArray(items: readonly Evaluator[]): Evaluator {
  return (scope) => items.map((item) => item(scope));
}

// velocityjs's `getArray` for `[a..b]`: bounds are strings, numbers or references.
function compileRange(bounds: readonly unknown[]): Evaluator {
  const ends = bounds.map((exp): Evaluator => {
    if (typeof exp === 'string') {
      const int = parseInt(exp, 10);
      return () => int;
    }
    if (typeof exp === 'number') return () => exp;
    return compileRef(exp as RefNode, false);
  });
  return (scope) => range(ends.map((e) => e(scope)));
}

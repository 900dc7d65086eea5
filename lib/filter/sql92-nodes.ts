/**
 * The compiled form of a SQL92 filter: a tree of nodes evaluated over a message's properties. Values
 * follow RocketMQ's selector (ActiveMQ-derived) model: `null` is SQL's unknown, property values are
 * strings, numbers only come from literals and remember whether they were written as integers (Java
 * Long) or decimals (Java Double), since that decides how a property string is converted for comparison.
 */
export type Sql92Value = string | number | boolean | null;

export type NumberKind = 'long' | 'double';

/**
 * Thrown while evaluating when RocketMQ's evaluator would throw (a property that is not a number compared
 * with a number): the whole expression then counts as not matched, as the broker logs and drops it.
 */
export class Sql92EvaluationError extends Error {
  override readonly name = 'Sql92EvaluationError';
}

export interface Sql92Node {
  /** Literal number kind when this node always yields a number of that kind. */
  readonly numberKind?: NumberKind;
  /** True for nodes whose value is a boolean or unknown (RocketMQ's BooleanExpression). */
  readonly isBoolean: boolean;
  evaluate(props: Record<string, string>): Sql92Value;
}

export class ConstantNode implements Sql92Node {
  readonly isBoolean: boolean;

  constructor(
    readonly value: Sql92Value,
    readonly numberKind?: NumberKind,
  ) {
    // TRUE, FALSE and NULL are boolean expressions in the grammar, so they may stand alone.
    this.isBoolean = value === null || typeof value === 'boolean';
  }

  evaluate(): Sql92Value {
    return this.value;
  }
}

export class PropertyNode implements Sql92Node {
  readonly isBoolean = false;

  constructor(readonly name: string) {}

  evaluate(props: Record<string, string>): Sql92Value {
    const v = props[this.name];
    return v === undefined ? null : v;
  }
}

/** Unary minus on a non-literal: only numbers negate, and properties are strings, so it is unknown. */
export class NegateNode implements Sql92Node {
  readonly isBoolean = false;

  constructor(private readonly operand: Sql92Node) {}

  evaluate(props: Record<string, string>): Sql92Value {
    const v = this.operand.evaluate(props);
    return typeof v === 'number' ? -v : null;
  }
}

/** A property used where a boolean is expected: only a real boolean counts, a string is false. */
export class BooleanCastNode implements Sql92Node {
  readonly isBoolean = true;

  constructor(private readonly operand: Sql92Node) {}

  evaluate(props: Record<string, string>): Sql92Value {
    const v = this.operand.evaluate(props);
    if (v === null) return null;
    return typeof v === 'boolean' ? v : false;
  }
}

export class NotNode implements Sql92Node {
  readonly isBoolean = true;

  constructor(private readonly operand: Sql92Node) {}

  evaluate(props: Record<string, string>): Sql92Value {
    const v = this.operand.evaluate(props);
    return v === null ? null : !v;
  }
}

/** Three-valued AND: false wins over unknown, unknown over true. */
export class AndNode implements Sql92Node {
  readonly isBoolean = true;

  constructor(
    private readonly left: Sql92Node,
    private readonly right: Sql92Node,
  ) {}

  evaluate(props: Record<string, string>): Sql92Value {
    const l = this.left.evaluate(props);
    if (l === false) return false;
    const r = this.right.evaluate(props);
    if (r === false) return false;
    return l === null || r === null ? null : true;
  }
}

/** Three-valued OR: true wins over unknown, unknown over false. */
export class OrNode implements Sql92Node {
  readonly isBoolean = true;

  constructor(
    private readonly left: Sql92Node,
    private readonly right: Sql92Node,
  ) {}

  evaluate(props: Record<string, string>): Sql92Value {
    const l = this.left.evaluate(props);
    if (l === true) return true;
    const r = this.right.evaluate(props);
    if (r === true) return true;
    return l === null || r === null ? null : false;
  }
}

export type ComparisonOperator = '>' | '>=' | '<' | '<=';

/** `>`, `>=`, `<`, `<=`: unknown when either side is missing; two strings compare as numbers. */
export class ComparisonNode implements Sql92Node {
  readonly isBoolean = true;

  constructor(
    private readonly operator: ComparisonOperator,
    private readonly left: Sql92Node,
    private readonly right: Sql92Node,
  ) {}

  evaluate(props: Record<string, string>): Sql92Value {
    const lv = this.left.evaluate(props);
    if (lv === null) return null;
    const rv = this.right.evaluate(props);
    if (rv === null) return null;
    let c: number;
    if (typeof lv === 'string' && typeof rv === 'string') {
      c = compareNumbers(toDouble(lv), toDouble(rv));
    } else {
      c = compareValues(lv, this.left.numberKind, rv, this.right.numberKind);
    }
    switch (this.operator) {
      case '>':
        return c > 0;
      case '>=':
        return c >= 0;
      case '<':
        return c < 0;
      default:
        return c <= 0;
    }
  }
}

/**
 * `=` (and, wrapped in NOT, `<>`; with a NULL literal, IS NULL): a missing left side is unknown, a missing
 * right side is false, both missing is true.
 */
export class EqualNode implements Sql92Node {
  readonly isBoolean = true;

  constructor(
    private readonly left: Sql92Node,
    private readonly right: Sql92Node,
  ) {}

  evaluate(props: Record<string, string>): Sql92Value {
    const lv = this.left.evaluate(props);
    const rv = this.right.evaluate(props);
    if (lv === null && rv === null) return true;
    if (lv === null) return null;
    if (rv === null) return false;
    if (lv === rv) return true;
    return compareValues(lv, this.left.numberKind, rv, this.right.numberKind) === 0;
  }
}

/** `IN ('a', ...)` / `NOT IN`: only string values are looked up; anything else is unknown. */
export class InNode implements Sql92Node {
  readonly isBoolean = true;
  private readonly values: ReadonlySet<string>;

  constructor(
    private readonly operand: Sql92Node,
    values: string[],
    private readonly not: boolean,
  ) {
    this.values = new Set(values);
  }

  evaluate(props: Record<string, string>): Sql92Value {
    const v = this.operand.evaluate(props);
    if (typeof v !== 'string') return null;
    return this.values.has(v) !== this.not;
  }
}

export type StringMatchOperator = 'CONTAINS' | 'STARTSWITH' | 'ENDSWITH';

/** RocketMQ's CONTAINS / STARTSWITH / ENDSWITH (and NOT forms): a missing or non-string value is false. */
export class StringMatchNode implements Sql92Node {
  readonly isBoolean = true;

  constructor(
    private readonly operator: StringMatchOperator,
    private readonly operand: Sql92Node,
    private readonly search: string,
    private readonly not: boolean,
  ) {}

  evaluate(props: Record<string, string>): Sql92Value {
    const v = this.operand.evaluate(props);
    if (typeof v !== 'string') return false;
    const hit =
      this.operator === 'CONTAINS' ? v.includes(this.search) : this.operator === 'STARTSWITH' ? v.startsWith(this.search) : v.endsWith(this.search);
    return hit !== this.not;
  }
}

const LONG_TEXT = /^[+-]?\d+$/;
const DOUBLE_TEXT = /^[+-]?(NaN|Infinity|(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?[fFdD]?)$/;

/** Java's Long.valueOf: an optional sign and digits, nothing else. */
function toLong(text: string): number {
  if (!LONG_TEXT.test(text)) throw new Sql92EvaluationError(`"${text}" is not an integer`);
  return Number(text);
}

/** Java's Double.valueOf: surrounding blanks allowed, as are NaN, Infinity and an f/d suffix. */
function toDouble(text: string): number {
  const t = text.trim();
  if (!DOUBLE_TEXT.test(t)) throw new Sql92EvaluationError(`"${text}" is not a number`);
  return Number(t.replace(/[fFdD]$/, ''));
}

function compareNumbers(a: number, b: number): number {
  // Java's Double.compareTo: NaN is greater than everything, itself included equal.
  if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : 1;
  if (Number.isNaN(b)) return -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * RocketMQ's ComparisonExpression.__compare with string conversion on: when the types differ the string
 * side is converted to the other side's type (Long, Double or Boolean); a failed number conversion is an
 * evaluation error. Types that cannot meet (a boolean against a number) compare as "less" (-1).
 */
function compareValues(lv: Sql92Value, lKind: NumberKind | undefined, rv: Sql92Value, rKind: NumberKind | undefined): number {
  const lt = typeof lv;
  const rt = typeof rv;
  if (lt === rt) {
    if (lt === 'string') return (lv as string) < (rv as string) ? -1 : (lv as string) > (rv as string) ? 1 : 0;
    if (lt === 'boolean') return lv === rv ? 0 : lv ? 1 : -1;
    return compareNumbers(lv as number, rv as number);
  }
  if (lt === 'string') {
    if (rt === 'boolean') return compareValues((lv as string).toLowerCase() === 'true', undefined, rv, undefined);
    return compareNumbers(rKind === 'double' ? toDouble(lv as string) : toLong(lv as string), rv as number);
  }
  if (rt === 'string') {
    if (lt === 'boolean') return compareValues(lv, undefined, (rv as string).toLowerCase() === 'true', undefined);
    return compareNumbers(lv as number, lKind === 'double' ? toDouble(rv as string) : toLong(rv as string));
  }
  return -1;
}

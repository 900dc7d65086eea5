import {
  AndNode,
  BooleanCastNode,
  ComparisonNode,
  ComparisonOperator,
  ConstantNode,
  EqualNode,
  InNode,
  NegateNode,
  NotNode,
  OrNode,
  PropertyNode,
  Sql92Node,
  StringMatchNode,
  StringMatchOperator,
} from './sql92-nodes.js';
import { tokenizeSql92 } from './sql92-lexer.js';
import { Sql92SyntaxError } from './sql92-syntax.error.js';
import { Sql92Token, Sql92TokenType } from './sql92-token.js';

/**
 * Recursive-descent parser for RocketMQ's selector grammar (SelectorParser.jj), with the same precedence:
 *
 *   selector   := or
 *   or         := and (OR and)*
 *   and        := equality (AND equality)*
 *   equality   := comparison ( '=' comparison | '<>' comparison | IS [NOT] NULL )*
 *   comparison := unary ( ('>'|'>='|'<'|'<=') unary | [NOT] BETWEEN unary AND unary
 *                       | [NOT] IN '(' string (',' string)* ')' | [NOT] (CONTAINS|STARTSWITH|ENDSWITH) string )*
 *   unary      := '+' unary | '-' unary | NOT unary | primary
 *   primary    := literal | identifier | '(' or ')'
 *
 * NOT sits at the unary level as in RocketMQ, so `NOT a > 1` is refused; write `NOT (a > 1)`. The operand
 * checks RocketMQ makes while building the tree (no string beside `>`, no NULL beside `=`, BETWEEN bounds
 * in order, a boolean result) are made here too, reported at the operand's position.
 */
export function parseSql92(text: string): Sql92Node {
  return new Sql92Parser(text).parse();
}

class Sql92Parser {
  private readonly tokens: Sql92Token[];
  private index = 0;

  constructor(private readonly text: string) {
    this.tokens = tokenizeSql92(text);
  }

  parse(): Sql92Node {
    if (this.peek().type === Sql92TokenType.EOF) this.fail(this.peek(), 'the expression is empty');
    const start = this.peek();
    const node = this.orExpression();
    const rest = this.peek();
    if (rest.type !== Sql92TokenType.EOF) this.fail(rest, `unexpected ${describe(rest)}`);
    return this.asBoolean(node, start);
  }

  private orExpression(): Sql92Node {
    let start = this.peek();
    let left = this.andExpression();
    while (this.acceptKeyword('OR')) {
      const rightStart = this.peek();
      const right = this.andExpression();
      left = new OrNode(this.asBoolean(left, start), this.asBoolean(right, rightStart));
      start = rightStart;
    }
    return left;
  }

  private andExpression(): Sql92Node {
    let start = this.peek();
    let left = this.equalityExpression();
    while (this.acceptKeyword('AND')) {
      const rightStart = this.peek();
      const right = this.equalityExpression();
      left = new AndNode(this.asBoolean(left, start), this.asBoolean(right, rightStart));
      start = rightStart;
    }
    return left;
  }

  private equalityExpression(): Sql92Node {
    const start = this.peek();
    let left = this.comparisonExpression();
    for (;;) {
      const t = this.peek();
      if (this.isOperator(t, '=') || this.isOperator(t, '<>')) {
        this.index++;
        const rightStart = this.peek();
        const right = this.comparisonExpression();
        this.checkEqualOperand(left, start);
        this.checkEqualOperand(right, rightStart);
        if (left instanceof ConstantNode && right instanceof ConstantNode && left.isBoolean !== right.isBoolean) {
          this.fail(start, `'${this.source(start, rightStart)}' compares a boolean with a non-boolean`);
        }
        const equal = new EqualNode(left, right);
        left = t.value === '=' ? equal : new NotNode(equal);
        continue;
      }
      if (this.isKeyword(t, 'IS')) {
        this.index++;
        const not = this.acceptKeyword('NOT');
        this.expectKeyword('NULL');
        const isNull = new EqualNode(left, new ConstantNode(null));
        left = not ? new NotNode(isNull) : isNull;
        continue;
      }
      return left;
    }
  }

  private comparisonExpression(): Sql92Node {
    const start = this.peek();
    let left = this.unaryExpression();
    for (;;) {
      const t = this.peek();
      if (t.type === Sql92TokenType.OPERATOR && (t.value === '>' || t.value === '>=' || t.value === '<' || t.value === '<=')) {
        this.index++;
        const rightStart = this.peek();
        const right = this.unaryExpression();
        this.checkComparable(left, start);
        this.checkComparable(right, rightStart);
        left = new ComparisonNode(t.value as ComparisonOperator, left, right);
        continue;
      }
      let not = false;
      if (this.isKeyword(t, 'NOT')) {
        const next = this.tokens[this.index + 1];
        if (!['BETWEEN', 'IN', 'CONTAINS', 'STARTSWITH', 'ENDSWITH'].some((k) => this.isKeyword(next, k))) return left;
        this.index++;
        not = true;
      }
      const op = this.peek();
      if (this.acceptKeyword('BETWEEN')) {
        left = this.between(left, start, not);
      } else if (this.acceptKeyword('IN')) {
        if (!(left instanceof PropertyNode)) this.fail(start, `IN needs a property on its left, got '${this.source(start, op)}'`);
        left = new InNode(left, this.stringList(), not);
      } else if (op.type === Sql92TokenType.KEYWORD && ['CONTAINS', 'STARTSWITH', 'ENDSWITH'].includes(op.value)) {
        this.index++;
        left = new StringMatchNode(op.value as StringMatchOperator, left, this.expectString(), not);
      } else {
        return left;
      }
    }
  }

  private between(value: Sql92Node, valueStart: Sql92Token, not: boolean): Sql92Node {
    const lowStart = this.peek();
    const low = this.unaryExpression();
    this.expectKeyword('AND');
    const highStart = this.peek();
    const high = this.unaryExpression();
    this.checkComparable(value, valueStart);
    this.checkComparable(low, lowStart);
    this.checkComparable(high, highStart);
    if (low instanceof ConstantNode && high instanceof ConstantNode && (low.value as number) > (high.value as number)) {
      this.fail(lowStart, `BETWEEN bounds are out of order: ${String(low.value)} is greater than ${String(high.value)}`);
    }
    if (not) return new OrNode(new ComparisonNode('<', value, low), new ComparisonNode('>', value, high));
    return new AndNode(new ComparisonNode('>=', value, low), new ComparisonNode('<=', value, high));
  }

  private stringList(): string[] {
    this.expectOperator('(');
    const values = [this.expectString()];
    while (this.isOperator(this.peek(), ',')) {
      this.index++;
      values.push(this.expectString());
    }
    this.expectOperator(')');
    return values;
  }

  private unaryExpression(): Sql92Node {
    const t = this.peek();
    if (this.isOperator(t, '+')) {
      this.index++;
      return this.unaryExpression();
    }
    if (this.isOperator(t, '-')) {
      this.index++;
      const operand = this.unaryExpression();
      if (operand instanceof ConstantNode && typeof operand.value === 'number') {
        return new ConstantNode(-operand.value, operand.numberKind);
      }
      return new NegateNode(operand);
    }
    if (this.isKeyword(t, 'NOT')) {
      this.index++;
      const operandStart = this.peek();
      return new NotNode(this.asBoolean(this.unaryExpression(), operandStart));
    }
    return this.primaryExpression();
  }

  private primaryExpression(): Sql92Node {
    const t = this.peek();
    switch (t.type) {
      case Sql92TokenType.STRING:
        this.index++;
        return new ConstantNode(t.value);
      case Sql92TokenType.INTEGER:
        this.index++;
        return new ConstantNode(Number(t.value), 'long');
      case Sql92TokenType.DECIMAL:
        this.index++;
        return new ConstantNode(Number(t.value), 'double');
      case Sql92TokenType.IDENTIFIER:
        this.index++;
        return new PropertyNode(t.value);
      case Sql92TokenType.KEYWORD:
        if (t.value === 'TRUE' || t.value === 'FALSE' || t.value === 'NULL') {
          this.index++;
          return new ConstantNode(t.value === 'NULL' ? null : t.value === 'TRUE');
        }
        break;
      case Sql92TokenType.OPERATOR:
        if (t.value === '(') {
          this.index++;
          const inner = this.orExpression();
          this.expectOperator(')');
          return inner;
        }
        break;
      default:
        break;
    }
    return this.fail(t, `expected a value, a property or '(' but found ${describe(t)}`);
  }

  /** RocketMQ's asBooleanExpression: booleans pass, a property is cast, anything else is refused. */
  private asBoolean(node: Sql92Node, start: Sql92Token): Sql92Node {
    if (node.isBoolean) return node;
    if (node instanceof PropertyNode) return new BooleanCastNode(node);
    return this.fail(start, `'${this.source(start, this.peek())}' does not result in a boolean value`);
  }

  /** `>`, `<`, BETWEEN: literals must be numbers and boolean expressions are refused. */
  private checkComparable(node: Sql92Node, start: Sql92Token): void {
    if (node instanceof ConstantNode) {
      if (typeof node.value === 'number') return;
      this.fail(start, `${describe(start)} cannot be compared with >, >=, <, <= or BETWEEN; only numbers can`);
    }
    if (node.isBoolean) this.fail(start, 'a boolean expression cannot be compared with >, >=, <, <= or BETWEEN');
  }

  private checkEqualOperand(node: Sql92Node, start: Sql92Token): void {
    if (node instanceof ConstantNode && node.value === null) this.fail(start, 'NULL cannot be compared with = or <>; use IS NULL');
  }

  private peek(): Sql92Token {
    return this.tokens[this.index];
  }

  private isKeyword(t: Sql92Token | undefined, word: string): boolean {
    return !!t && t.type === Sql92TokenType.KEYWORD && t.value === word;
  }

  private isOperator(t: Sql92Token | undefined, op: string): boolean {
    return !!t && t.type === Sql92TokenType.OPERATOR && t.value === op;
  }

  private acceptKeyword(word: string): boolean {
    if (!this.isKeyword(this.peek(), word)) return false;
    this.index++;
    return true;
  }

  private expectKeyword(word: string): void {
    const t = this.peek();
    if (!this.acceptKeyword(word)) this.fail(t, `expected ${word} but found ${describe(t)}`);
  }

  private expectOperator(op: string): void {
    const t = this.peek();
    if (!this.isOperator(t, op)) this.fail(t, `expected '${op}' but found ${describe(t)}`);
    this.index++;
  }

  private expectString(): string {
    const t = this.peek();
    if (t.type !== Sql92TokenType.STRING) this.fail(t, `expected a 'quoted string' but found ${describe(t)}`);
    this.index++;
    return t.value;
  }

  /** The source text from `from` up to (not including) `to`, trimmed, for messages. */
  private source(from: Sql92Token, to: Sql92Token): string {
    return this.text.slice(from.position, to.position).trim();
  }

  private fail(at: Sql92Token, reason: string): never {
    throw new Sql92SyntaxError(this.text, at.position, reason);
  }
}

function describe(t: Sql92Token): string {
  switch (t.type) {
    case Sql92TokenType.EOF:
      return 'the end of the expression';
    case Sql92TokenType.STRING:
      return `string '${t.value}'`;
    case Sql92TokenType.KEYWORD:
      return `keyword ${t.value}`;
    case Sql92TokenType.IDENTIFIER:
      return `identifier ${t.value}`;
    case Sql92TokenType.OPERATOR:
      return `'${t.value}'`;
    default:
      return `number ${t.value}`;
  }
}

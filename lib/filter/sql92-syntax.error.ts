/**
 * A SQL92 filter expression that does not parse (or uses an operand RocketMQ's selector grammar refuses,
 * such as a string on either side of `>`). `position` is the 0-based index of the offending character;
 * the message quotes the expression with a caret under that spot so a log line alone shows the mistake.
 */
export class Sql92SyntaxError extends Error {
  override readonly name = 'Sql92SyntaxError';

  constructor(
    readonly expression: string,
    readonly position: number,
    readonly reason: string,
  ) {
    super(`Invalid SQL92 expression at position ${position}: ${reason}\n  ${singleLine(expression)}\n  ${' '.repeat(position)}^`);
  }
}

/** Line breaks would push the caret out of place, so they are shown as spaces. */
function singleLine(text: string): string {
  return text.replace(/[\r\n\t\f]/g, ' ');
}

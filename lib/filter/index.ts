export * from './sql92-syntax.error.js';
export * from './sql92-token.js';
export * from './sql92-lexer.js';
export * from './sql92-nodes.js';
export * from './sql92-parser.js';
export * from './sql92-expression.js';

export * from './coalescing-runner.js';
export * from './is-thenable.js';
export * from './grow-typed-array.js';

export * from './coalescing-runner.js';
export * from './is-thenable.js';

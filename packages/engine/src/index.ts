export * from './types.js';
export * from './protocols/driver.js';

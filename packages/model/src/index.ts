export * from './enums.js';
export * from './errors.js';
export * from './schemas/common.js';
export * from './schemas/case.js';
export * from './schemas/project.js';
export * from './schemas/variable.js';
export * from './schemas/template.js';
export * from './messages.js';

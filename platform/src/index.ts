export * from './config.ts';
export * from './logger.ts';
export * from './passwords.ts';
export * from './lifecycle.ts';
export * from './redis-policy.ts';

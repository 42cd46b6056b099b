export * from './schema.js'
export * from './define-config.js'
export * from './load-config.js'
export type * from './temporal-settings.js'

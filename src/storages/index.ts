export * from './storage.js'
export * from './coalesce.js'
export * from './metrics.js'
export * from './redis/index.js'

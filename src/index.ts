/** chsync's public API: everything a user imports comes from here. */
export * from './errors.js'
export * from './clickhouse/index.js'
export { createLogger, logger, type Logger } from './logger.js'
export { redactUrl, redactSecrets } from './redact.js'
export * from '../workflows/search-attributes.js'
export * from './models/index.js'
export * from './serializers/index.js'

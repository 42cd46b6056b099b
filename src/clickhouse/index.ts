export * from './client.js'
export * from './capabilities.js'
export * from './sql.js'
export * from './insert.js'

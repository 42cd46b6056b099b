export * from './row.js'
export * from './serialize-batch.js'
export * from './current-state.js'

export * from './worker.js'

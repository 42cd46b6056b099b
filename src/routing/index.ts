export * from './router.js'
export * from './resolve.js'

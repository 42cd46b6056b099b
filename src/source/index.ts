export * from './keys.js'
export * from './source-table.js'
export * from './describe.js'
export * from './fetch.js'

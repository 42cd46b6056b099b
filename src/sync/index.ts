export { openSyncRuntime } from './open-runtime.js'
export type { ModelRuntime, SyncRuntime, SyncTarget, SyncUnitRuntime } from './runtime.js'
export type * from './types.js'

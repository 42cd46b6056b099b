/** Thin activity functions that call into src/. */
export { createSyncActivities } from './sync.js'
export { createBackfillActivities } from './backfill.js'

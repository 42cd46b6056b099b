/** Deterministic workflow code only: the worker bundles this file (`workflowsPath`). */
export { syncModelWorkflow } from './sync-model.js'
export { backfillWorkflow } from './backfill.js'

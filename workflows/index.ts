/**
 * Deterministic workflow code only. The worker bundles this folder (`workflowsPath`); the sync
 * workflow arrives with issue 5.
 */
export * from './search-attributes.js'

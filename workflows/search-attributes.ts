import { defineSearchAttributeKey } from '@temporalio/common'

/**
 * Search attributes every sync workflow keeps current, so the Temporal Web UI lists and filters
 * models by state and backlog. `chsync setup` registers them on a namespace (src/app/temporal/search-attributes.ts)
 * and the worker checks them at start; scripts/services/temporal.sh registers the same keys on the
 * dev server, and a test checks the two lists agree. Do not rename — stored in visibility records.
 */
export const modelSearchAttribute = defineSearchAttributeKey('ChsyncModel', 'KEYWORD')
export const stateSearchAttribute = defineSearchAttributeKey('ChsyncState', 'KEYWORD')
export const backlogSearchAttribute = defineSearchAttributeKey('ChsyncBacklog', 'INT')
export const lastSyncTimeSearchAttribute = defineSearchAttributeKey('ChsyncLastSyncTime', 'DATETIME')

export const SEARCH_ATTRIBUTES = [
  modelSearchAttribute,
  stateSearchAttribute,
  backlogSearchAttribute,
  lastSyncTimeSearchAttribute,
] as const

import type { OperationKind } from './storage.js'

/**
 * How a new registration combines with the one already waiting for the same key. The result says
 * what the sync must do, knowing only that ClickHouse holds the row as of the last synced batch:
 * - anything then delete → delete (the row is gone, whatever happened before);
 * - insert then insert → insert (ClickHouse never saw the row);
 * - every other pair → update, read as insert-or-update: after insert+update ClickHouse may not hold
 *   the row yet, after delete+insert it may still hold the old one, so only "replace whatever is
 *   there" is right in both cases.
 *
 * The same rule is written in Lua (RedisStorage) and SQL (PostgresStorage, capture triggers); the
 * contract suite checks all three agree.
 */
export function combineKinds(previous: OperationKind | undefined, next: OperationKind): OperationKind {
  if (next === 'delete') return 'delete'
  if (previous === undefined) return next
  return previous === 'insert' && next === 'insert' ? 'insert' : 'update'
}

import type { EngineBase, MergeTreeOptions } from './common.js'

/** `ReplacingMergeTree([version[, is_deleted]])`: the row with the highest version per key wins. */
export interface ReplacingMergeTreeEngine<TColumn extends string = string> extends EngineBase<
  'ReplacingMergeTree',
  TColumn
> {
  /** UInt* / DateTime column; chsync writes the operation sequence (or the model's version column) to it. */
  readonly version?: TColumn
  /**
   * UInt8 column: a delete is written as a tombstone (`1`) with a higher version, and `FINAL` hides the
   * key. ClickHouse ≥ 23.2; needs `version`.
   */
  readonly isDeleted?: TColumn
}

/**
 * `ENGINE = ReplacingMergeTree(version[, is_deleted])`.
 * @example replacingMergeTree({ orderBy: ['id'], version: 'version', isDeleted: 'is_deleted' })
 */
export function replacingMergeTree<const TColumn extends string>(
  options: MergeTreeOptions<TColumn> & { version?: TColumn; isDeleted?: TColumn },
): ReplacingMergeTreeEngine<TColumn> {
  return { kind: 'ReplacingMergeTree', ...options }
}

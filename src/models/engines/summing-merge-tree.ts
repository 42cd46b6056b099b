import type { EngineBase, MergeTreeOptions } from './common.js'

/** `SummingMergeTree([columns])`: rows with one sorting key merge into one, numeric columns summed. */
export interface SummingMergeTreeEngine<TColumn extends string = string> extends EngineBase<
  'SummingMergeTree',
  TColumn
> {
  /** Columns to sum. @default every numeric column outside the sorting key */
  readonly columns?: readonly TColumn[]
}

/**
 * `ENGINE = SummingMergeTree([columns])`.
 * @example summingMergeTree({ orderBy: ['day', 'page'], columns: ['views'] })
 */
export function summingMergeTree<const TColumn extends string>(
  options: MergeTreeOptions<TColumn> & { columns?: readonly TColumn[] },
): SummingMergeTreeEngine<TColumn> {
  return { kind: 'SummingMergeTree', ...options }
}

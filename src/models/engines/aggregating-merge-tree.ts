import type { EngineBase, MergeTreeOptions } from './common.js'

/** `AggregatingMergeTree`: rows with one sorting key merge by combining their aggregate-function states. */
export type AggregatingMergeTreeEngine<TColumn extends string = string> = EngineBase<'AggregatingMergeTree', TColumn>

/**
 * `ENGINE = AggregatingMergeTree`.
 * @example aggregatingMergeTree({ orderBy: ['day'] })
 */
export function aggregatingMergeTree<const TColumn extends string>(
  options: MergeTreeOptions<TColumn>,
): AggregatingMergeTreeEngine<TColumn> {
  return { kind: 'AggregatingMergeTree', ...options }
}

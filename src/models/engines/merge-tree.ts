import type { EngineBase, MergeTreeOptions } from './common.js'

/** Plain `MergeTree`: every row stays. Deletes cannot be expressed: a model must say `deletes: 'ignore'`. */
export type MergeTreeEngine<TColumn extends string = string> = EngineBase<'MergeTree', TColumn>

/**
 * `ENGINE = MergeTree`.
 * @example mergeTree({ orderBy: ['id'], partitionBy: sql`toYYYYMM(created_at)` })
 */
export function mergeTree<const TColumn extends string>(options: MergeTreeOptions<TColumn>): MergeTreeEngine<TColumn> {
  return { kind: 'MergeTree', ...options }
}

import type { EngineBase, MergeTreeOptions } from './common.js'

/**
 * `CollapsingMergeTree(sign)`: a row with sign −1 cancels the +1 row with the same sorting key. chsync
 * cancels the state ClickHouse holds, then writes the new state.
 */
export interface CollapsingMergeTreeEngine<TColumn extends string = string> extends EngineBase<
  'CollapsingMergeTree',
  TColumn
> {
  /** Int8 column holding +1 / −1. */
  readonly sign: TColumn
  /** Optional column chsync fills with the version (operation sequence), to tell states apart. */
  readonly version?: TColumn
}

/** `VersionedCollapsingMergeTree(sign, version)`: collapsing that tolerates rows arriving out of order. */
export interface VersionedCollapsingMergeTreeEngine<TColumn extends string = string> extends EngineBase<
  'VersionedCollapsingMergeTree',
  TColumn
> {
  readonly sign: TColumn
  readonly version: TColumn
}

/**
 * `ENGINE = CollapsingMergeTree(sign)`.
 * @example collapsingMergeTree({ orderBy: ['id'], sign: 'sign', version: 'version' })
 */
export function collapsingMergeTree<const TColumn extends string>(
  options: MergeTreeOptions<TColumn> & { sign: TColumn; version?: TColumn },
): CollapsingMergeTreeEngine<TColumn> {
  return { kind: 'CollapsingMergeTree', ...options }
}

/**
 * `ENGINE = VersionedCollapsingMergeTree(sign, version)`.
 * @example versionedCollapsingMergeTree({ orderBy: ['id'], sign: 'sign', version: 'version' })
 */
export function versionedCollapsingMergeTree<const TColumn extends string>(
  options: MergeTreeOptions<TColumn> & { sign: TColumn; version: TColumn },
): VersionedCollapsingMergeTreeEngine<TColumn> {
  return { kind: 'VersionedCollapsingMergeTree', ...options }
}

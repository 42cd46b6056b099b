import type { OperatorService } from '@temporalio/client'
import proto from '@temporalio/proto'
import { SEARCH_ATTRIBUTES } from '../../../workflows/search-attributes.js'
import { ConfigError } from '../../errors.js'

// A CommonJS module: Node's ESM loader cannot see its named exports, only the default one.
const { IndexedValueType } = proto.temporal.api.enums.v1

/** The server's value type of each type chsync's search attributes use. */
const INDEXED_TYPES = {
  KEYWORD: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  INT: IndexedValueType.INDEXED_VALUE_TYPE_INT,
  DATETIME: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
} as const

/** What a namespace lacks: attributes not registered, and ones registered with another type. */
export interface SearchAttributeReport {
  present: string[]
  missing: string[]
  wrongType: string[]
}

/** Compares the namespace's custom search attributes with the ones the sync workflow sets. */
export async function inspectSearchAttributes(
  operator: OperatorService,
  namespace: string,
): Promise<SearchAttributeReport> {
  const { customAttributes } = await operator.listSearchAttributes({ namespace })
  const report: SearchAttributeReport = { present: [], missing: [], wrongType: [] }
  for (const key of SEARCH_ATTRIBUTES) {
    const type = customAttributes?.[key.name]
    if (type === undefined) report.missing.push(key.name)
    else if (type !== INDEXED_TYPES[key.type]) report.wrongType.push(key.name)
    else report.present.push(key.name)
  }
  return report
}

/**
 * Registers the missing search attributes on the namespace (what `chsync setup` runs). Idempotent:
 * attributes already there are left alone. One registered with another type cannot be changed by a
 * client, so that is a ConfigError naming it.
 */
export async function setupSearchAttributes(
  operator: OperatorService,
  namespace: string,
): Promise<SearchAttributeReport> {
  const report = await inspectSearchAttributes(operator, namespace)
  if (report.wrongType.length) throw wrongTypeError(report.wrongType, namespace)
  if (report.missing.length) {
    const searchAttributes = Object.fromEntries(
      SEARCH_ATTRIBUTES.filter((key) => report.missing.includes(key.name)).map((key) => [
        key.name,
        INDEXED_TYPES[key.type],
      ]),
    )
    await operator.addSearchAttributes({ namespace, searchAttributes })
  }
  return report
}

/**
 * Fails unless the namespace has every search attribute the sync workflow sets: without them every
 * workflow task fails at `upsertSearchAttributes` while the worker looks healthy.
 */
export async function checkSearchAttributes(operator: OperatorService, namespace: string): Promise<void> {
  const report = await inspectSearchAttributes(operator, namespace)
  if (report.wrongType.length) throw wrongTypeError(report.wrongType, namespace)
  if (report.missing.length)
    throw new ConfigError(
      `Temporal namespace ${namespace} lacks the search attributes ${report.missing.join(', ')}, which every sync ` +
        `workflow sets: run \`chsync setup\` (with this config) once to register them`,
    )
}

function wrongTypeError(names: string[], namespace: string): ConfigError {
  const expected = SEARCH_ATTRIBUTES.filter((key) => names.includes(key.name))
    .map((key) => `${key.name} ${key.type}`)
    .join(', ')
  return new ConfigError(
    `Temporal namespace ${namespace} has search attributes of another type than chsync sets (${expected}): ` +
      `remove them (temporal operator search-attribute remove) and run \`chsync setup\``,
  )
}

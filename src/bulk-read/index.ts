export {
  readModel,
  readModelColumns,
  countModelRows,
  type ReadModelOptions,
  type ReadColumnsOptions,
} from './read-model.js'
export type { WhereClause } from './current-state-query.js'
export type {
  ReadValue,
  ReadRow,
  ColumnOf,
  ColumnarResult,
  VectorColumn,
  NumericArray,
  NumericArrayOf,
} from './read-types.js'
export { exportModel, EXPORT_FORMATS, type ExportFormat, type ExportOptions } from './export-model.js'

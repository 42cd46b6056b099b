import { createWriteStream } from 'node:fs'
import { finished } from 'node:stream/promises'
import { Command, InvalidArgumentError, Option } from 'commander'
import { SingleBar } from 'cli-progress'
import { countModelRows, EXPORT_FORMATS, exportModel, type ExportFormat } from '../../bulk-read/index.js'
import { probeCapabilities } from '../../clickhouse/capabilities.js'
import { loadConfig } from '../../config/load-config.js'
import { ConfigError } from '../../errors.js'
import { openAlias } from '../../clickhouse/open-alias.js'
import { readAlias } from '../../routing/resolve.js'

interface ExportFlags {
  format: ExportFormat
  columns?: string
  where?: string
  param: Record<string, string>
  table?: string
  output?: string
  config: string
}

/** `--param name=value`, repeatable: the values of the `{name:Type}` placeholders of --where. */
function collectParam(text: string, params: Record<string, string>): Record<string, string> {
  const at = text.indexOf('=')
  if (at < 1) throw new InvalidArgumentError(`expected name=value, got ${JSON.stringify(text)}`)
  return { ...params, [text.slice(0, at)]: text.slice(at + 1) }
}

/**
 * `chsync export MODEL --format jsonl|csv|parquet [--columns a,b] [--where SQL --param k=v…] [--output FILE]`:
 * a model's current state from its read alias, for tools outside Node. Progress on stderr when it is a
 * terminal (rows counted first).
 */
export function exportCommand(): Command {
  return new Command('export')
    .description("write a model's current state (one row per key, deletes applied) as JSON lines, CSV or Parquet")
    .argument('<model>', 'import key')
    .addOption(new Option('--format <format>', 'file format').choices(EXPORT_FORMATS).makeOptionMandatory())
    .option('--columns <list>', 'comma-separated columns (default: every field)')
    .option('--where <sql>', 'ClickHouse filter with {name:Type} placeholders, e.g. "score > {min:Float64}"')
    .option('--param <name=value>', 'a placeholder value for --where (repeatable)', collectParam, {})
    .option('--table <table>', 'the model of a multi-model to export')
    .option('-o, --output <file>', 'write to a file instead of stdout')
    .option('-c, --config <file>', 'configuration file', 'chsync.config.ts')
    .action(async (importKey: string, flags: ExportFlags) => {
      const config = await loadConfig(flags.config)
      const { models } = config.registry.get(importKey)
      const model = flags.table ? models.find((candidate) => candidate.table === flags.table) : models[0]
      if (!model || (!flags.table && models.length > 1))
        throw new ConfigError(
          `export of ${importKey}: name one of its tables with --table (${models.map((m) => m.table).join(', ')})`,
          { importKey },
        )
      const alias = readAlias(model, config)
      const db = openAlias(config.databases[alias] as NonNullable<(typeof config.databases)[string]>)
      const output = flags.output ? createWriteStream(flags.output) : process.stdout
      const where = flags.where === undefined ? undefined : { sql: flags.where, params: flags.param }
      const options = {
        format: flags.format,
        ...(flags.columns ? { columns: flags.columns.split(',').map((column) => column.trim()) } : {}),
        ...(where ? { where } : {}),
      }
      const bar = process.stderr.isTTY
        ? new SingleBar({ stream: process.stderr, format: ' {bar} {value}/{total} rows' })
        : undefined
      try {
        const capabilities = await probeCapabilities(db)
        if (bar) bar.start(await countModelRows(db, model, { ...(where ? { where } : {}) }), 0)
        const written = await exportModel(
          db,
          model,
          capabilities,
          { ...options, onRows: (rows) => bar?.update(rows) },
          output,
        )
        bar?.update(written.rows ?? bar.getTotal())
        bar?.stop()
        process.stderr.write(`${importKey}: ${written.rows ?? 'all'} rows, ${written.bytes} bytes as ${flags.format}\n`)
      } finally {
        bar?.stop()
        if (output !== process.stdout) {
          output.end()
          await finished(output)
        }
        await db.client.close()
      }
    })
}

import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { format, resolveConfig } from 'prettier'
import { FAULT_GROUPS, faultResultsDir, type FaultRecord } from './faults.js'

/**
 * Global setup of the `faults` project: starts from an empty results folder and, once every
 * scenario ran, writes the reliability table between the markers of CHSYNC_FAULTS_REPORT
 * (`npm run test:faults` points it at docs/reliability.md) or of `.chsync/reliability.md`.
 */

const BEGIN = '<!-- faults:begin (written by npm run test:faults) -->'
const END = '<!-- faults:end -->'

export function setup(): () => Promise<void> {
  rmSync(faultResultsDir, { recursive: true, force: true })
  return () =>
    writeReport(resolve(process.env.CHSYNC_FAULTS_REPORT ?? join(dirname(faultResultsDir), 'reliability.md')))
}

async function writeReport(file: string): Promise<void> {
  if (!existsSync(faultResultsDir)) return
  const records = readdirSync(faultResultsDir)
    .filter((name) => name.endsWith('.json'))
    .map((name) => JSON.parse(readFileSync(join(faultResultsDir, name), 'utf8')) as FaultRecord)
    .sort((a, b) => a.recordedAt.localeCompare(b.recordedAt))
  if (records.length === 0) return
  const table = renderTable(records)
  const current = existsSync(file) ? readFileSync(file, 'utf8') : `# Reliability\n\n${BEGIN}\n${END}\n`
  const start = current.indexOf(BEGIN)
  const end = current.indexOf(END)
  if (start < 0 || end < start) throw new Error(`${file} lacks the markers "${BEGIN}" … "${END}"`)
  mkdirSync(dirname(file), { recursive: true })
  const text = `${current.slice(0, start + BEGIN.length)}\n${table}${current.slice(end)}`
  // Formatted as `prettier --check` (part of npm test) expects the committed file to be.
  writeFileSync(file, await format(text, { filepath: file, ...(await resolveConfig(file)) }))
}

function renderTable(records: FaultRecord[]): string {
  const passed = records.filter((r) => r.passed).length
  const lines = [
    `Last run: ${records.at(-1)?.recordedAt.slice(0, 16).replace('T', ' ')} UTC, Node ${process.version}: ` +
      `${passed} of ${records.length} scenarios passed.`,
    '',
  ]
  for (const group of FAULT_GROUPS) {
    const rows = records.filter((r) => r.group === group)
    if (rows.length === 0) continue
    lines.push(`### ${group}`, '')
    lines.push('| scenario | injected | rows expected | rows found | duplicates | operations left | result |')
    lines.push('| --- | --- | ---: | ---: | ---: | ---: | --- |')
    for (const r of rows) {
      const result = r.passed ? 'pass' : `**FAIL**: ${cell(r.error ?? '')}`
      const parked = r.deadLetters ? ` (+${r.deadLetters} parked)` : ''
      const expected = r.expectedDuplicates
        ? ` (${r.expectedDuplicates} expected)`
        : r.duplicatesMerged
          ? ` (merged by the engine: ${r.duplicatesMerged})`
          : ''
      lines.push(
        `| ${cell(r.scenario)} | ${cell(r.injected)} | ${r.expectedRows ?? '–'} | ${r.foundRows ?? '–'} | ` +
          `${r.duplicates ?? '–'}${expected} | ${r.operationsLeft ?? '–'}${parked} | ${result} |`,
      )
    }
    lines.push('')
  }
  return lines.join('\n')
}

/** Table cells cannot hold pipes or line breaks. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s+/g, ' ').slice(0, 200)
}

#!/usr/bin/env node
// Checks that package-lock.json is complete: `npm ci` then installs from it alone, whatever a
// registry serves on the day. Plain Node, no dependencies: it runs before anything is installed.
//
// A lock is complete when every dependency edge of every locked package (dependencies and
// optionalDependencies, nested node_modules resolved the way Node resolves them) lands on a locked
// entry. A missing entry is what made `npm ci` ask the registry for a package and then call the lock
// "out of sync" as soon as the registry began to serve other platforms' optional packages.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/**
 * The problems of a parsed lock file against its package.json, one sentence each; [] when complete.
 * @param {{ packages?: Record<string, any>, lockfileVersion?: number }} lock
 * @param {{ dependencies?: Record<string, string>, devDependencies?: Record<string, string>, optionalDependencies?: Record<string, string> }} manifest
 * @returns {string[]}
 */
export function lockProblems(lock, manifest) {
  const problems = []
  if (!lock.packages || (lock.lockfileVersion ?? 0) < 2) {
    return ['package-lock.json has no "packages" section (lockfileVersion < 2): regenerate it with npm ≥ 7']
  }
  const packages = lock.packages
  const root = packages[''] ?? {}
  for (const field of ['dependencies', 'devDependencies', 'optionalDependencies']) {
    const wanted = manifest[field] ?? {}
    const locked = root[field] ?? {}
    for (const [name, range] of Object.entries(wanted)) {
      if (locked[name] !== range)
        problems.push(`package.json ${field}.${name} is ${range}, the lock has ${locked[name] ?? 'nothing'}`)
    }
    for (const name of Object.keys(locked)) {
      if (!(name in wanted)) problems.push(`the lock lists ${field}.${name}, package.json does not`)
    }
  }
  for (const [path, entry] of Object.entries(packages)) {
    if (entry.link) continue
    const edges = { ...entry.dependencies, ...entry.optionalDependencies }
    for (const name of Object.keys(edges)) {
      if (!resolves(packages, path, name))
        problems.push(`${path || 'the root'} needs ${name}, which the lock does not list`)
    }
    // An entry without an integrity hash is fetched unverified; only a platform package that the
    // registry reachable here does not serve may lack one (npm ci skips it on every other platform).
    if (path && !entry.integrity && !(entry.optional && (entry.os || entry.cpu))) {
      problems.push(`${path} has no integrity hash`)
    }
  }
  return problems
}

/** Node's lookup: `<path>/node_modules/<name>`, then each ancestor's node_modules, then the top. */
function resolves(packages, from, name) {
  let dir = from
  for (;;) {
    if (`${dir ? `${dir}/` : ''}node_modules/${name}` in packages) return true
    if (!dir) return false
    const at = dir.lastIndexOf('/node_modules/')
    dir = at === -1 ? '' : dir.slice(0, at)
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2] ?? '.'
  const read = (file) => JSON.parse(readFileSync(`${dir}/${file}`, 'utf8'))
  const problems = lockProblems(read('package-lock.json'), read('package.json'))
  if (problems.length > 0) {
    console.error(`package-lock.json is incomplete (${problems.length}):`)
    for (const problem of problems.slice(0, 20)) console.error(`  - ${problem}`)
    console.error('Run `npm install --package-lock-only` and commit package-lock.json; see README, Tests.')
    process.exit(1)
  }
}

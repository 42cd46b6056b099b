#!/usr/bin/env node
// Makes a bare clone runnable: the first step of `npm test`, `npm run demo`, `npm start` and CI.
// Plain Node and no dependencies, because it runs before anything is installed.
//
//   node scripts/bootstrap.mjs [--build] [--services]
//
// 1. Refuses an incomplete package-lock.json (scripts/check-lock.mjs) with what to run.
// 2. Installs with `npm ci` when node_modules is missing or was installed from another lock: the
//    sha256 of the lock it was installed from is kept in node_modules/.chsync-lock. A second run
//    with the same lock installs nothing.
// 3. --build: compiles dist/ (tsc, a few seconds) so the `chsync` bin runs the current sources.
// 4. --services: `scripts/services.sh up` (idempotent: starts only what is not running), unless
//    CHSYNC_SERVICES=external says the services run elsewhere (as for the tests).
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { lockProblems } from './check-lock.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const args = new Set(process.argv.slice(2))
const say = (line) => console.error(`bootstrap: ${line}`)

function run(command, commandArgs) {
  const result = spawnSync(command, commandArgs, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] })
  if (result.status !== 0) {
    say(`\`${[command, ...commandArgs].join(' ')}\` failed (exit ${result.status ?? result.signal})`)
    process.exit(1)
  }
}

const lockText = readFileSync(join(root, 'package-lock.json'), 'utf8')
const problems = lockProblems(JSON.parse(lockText), JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')))
if (problems.length > 0) {
  say(`package-lock.json is incomplete: ${problems.join('; ')}`)
  say('run `npm install --package-lock-only` and commit package-lock.json')
  process.exit(1)
}

const stamp = join(root, 'node_modules', '.chsync-lock')
const lockHash = createHash('sha256').update(lockText).digest('hex')
if (!existsSync(stamp) || readFileSync(stamp, 'utf8').trim() !== lockHash) {
  say(existsSync(join(root, 'node_modules')) ? 'node_modules is from another lock: npm ci' : 'no node_modules: npm ci')
  run('npm', ['ci', '--no-audit', '--no-fund'])
  writeFileSync(stamp, `${lockHash}\n`)
}

if (args.has('--build')) run('npm', ['run', '--silent', 'build'])
if (args.has('--services') && process.env.CHSYNC_SERVICES !== 'external') run('bash', ['scripts/services.sh', 'up'])

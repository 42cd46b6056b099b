/** Types of check-lock.mjs, which stays plain JavaScript because it runs before `npm ci`. */
export interface LockFile {
  lockfileVersion?: number
  packages?: Record<string, LockEntry>
}
export interface LockEntry {
  version?: string
  integrity?: string
  optional?: boolean
  link?: boolean
  os?: string[]
  cpu?: string[]
  dependencies?: Record<string, string>
  devDependencies?: Record<string, string>
  optionalDependencies?: Record<string, string>
}
export interface Manifest {
  dependencies?: Record<string, string>
  devDependencies?: Record<string, string>
  optionalDependencies?: Record<string, string>
}
export function lockProblems(lock: LockFile, manifest: Manifest): string[]

import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, relative, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

// The README is short and links into docs/; a page moved or a heading renamed must not leave a dead
// link behind. Links leaving the repository (../shared/DESIGN.md lives beside the checkout) and
// absolute URLs are not checked here: a fresh clone cannot resolve them.

const root = resolve(import.meta.dirname, '../..')
const pages = [
  'README.md',
  ...readdirSync(resolve(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
]

/** Markdown text without code, where `[a](b)` is not a link. */
function prose(markdown: string): string {
  return markdown.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '')
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
function anchorOf(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-')
}

function anchorsOf(file: string): Set<string> {
  const headings = readFileSync(file, 'utf8')
    .replace(/^```[\s\S]*?^```/gm, '')
    .match(/^#{1,6} .+$/gm)
  return new Set((headings ?? []).map((line) => anchorOf(line.replace(/^#+ /, ''))))
}

/** Every relative link of a page: where it points, and the heading anchor if any. */
function relativeLinks(page: string): { target: string; file: string; anchor: string | undefined }[] {
  const links = [...prose(readFileSync(resolve(root, page), 'utf8')).matchAll(/\]\(([^)\s]+)\)/g)]
  return links
    .map((match) => match[1] as string)
    .filter((target) => !/^[a-z]+:/i.test(target))
    .map((target) => {
      const [path, anchor] = target.split('#') as [string, string | undefined]
      return { target, file: path === '' ? resolve(root, page) : resolve(root, dirname(page), path), anchor }
    })
    .filter(({ file }) => !relative(root, file).startsWith('..'))
}

describe('README.md and docs/*.md', () => {
  it('link to pages of this repository', () => {
    expect(relativeLinks('README.md').filter(({ file }) => file.includes('/docs/')).length).toBeGreaterThan(5)
  })

  it.each(pages)('%s links only to files and headings that exist', (page) => {
    const broken = relativeLinks(page)
      .filter(({ file, anchor }) => !existsSync(file) || (anchor !== undefined && !anchorsOf(file).has(anchor)))
      .map(({ target }) => target)
    expect(broken, `dead links in ${page}: fix the link or the page it points to`).toEqual([])
  })
})

import path from 'node:path'
import { readFileSync } from 'node:fs'
import { expect, test } from 'vitest'
import { compileWatchList, findWatchHits } from '../shared/watch-terms'
import { loadPolicy } from './policy-loader'

/** The shipped policy's watch list compiles, and finds the calls the demo pack was made to contain. */
test('the default policy watch list marks the demo clips that urge burning and gathering', () => {
  const resources = path.resolve(__dirname, '../../resources')
  const policy = loadPolicy(resources)
  expect(policy.watchList?.map((g) => g.id)).toEqual(['burn', 'gather', 'attack', 'loot'])
  const matcher = compileWatchList(policy.watchList)
  const demo = JSON.parse(readFileSync(path.join(resources, 'demo', 'pack.json'), 'utf8')) as {
    clips: { id: string; transcript?: { text: string }[]; chat?: { text: string }[] }[]
  }
  const groupsByClip = new Map<string, Set<string>>()
  for (const clip of demo.clips) {
    for (const line of [...(clip.transcript ?? []), ...(clip.chat ?? [])]) {
      for (const hit of findWatchHits(line.text, matcher)) {
        if (!groupsByClip.has(clip.id)) groupsByClip.set(clip.id, new Set())
        groupsByClip.get(clip.id)!.add(hit.group)
      }
    }
  }
  const all = new Set([...groupsByClip.values()].flatMap((s) => [...s]))
  expect(all.has('burn')).toBe(true)
  expect(all.has('gather')).toBe(true)
  // Ordinary selling clips stay unmarked: the watch list is not a net over everything.
  expect(groupsByClip.size).toBeLessThan(demo.clips.length)
})

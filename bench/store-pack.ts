/**
 * The 100,000-clip pack the store benches import: clips shaped like the field pack spec's
 * example (media, poster, stream, account, segment, 3 flags, 3 transcript and 3 chat lines),
 * deterministic, so two runs and two benches import the same bytes.
 */
import { statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { writeMedia, type FakeMedia } from '../src/core/testing/make-pack'

export const MEDIA_FILES = 8
export const PACK_ID = 'pk-bench-01'

/**
 * "Now" for a profile of `clips` clips: the middle of the pack's due times, so the urgency
 * order has every run (overdue, authority requests not yet due, the rest).
 */
export function benchNow(clips: number): number {
  return Date.UTC(2025, 7, 29, 6, 0, 0) + (clips / 2) * 7_000 + 4 * 3600_000
}

const JAKARTA_MS = 7 * 3600_000
/** RFC 3339 in Jakarta time, as field tools write it. */
function wib(epochMs: number): string {
  return `${new Date(epochMs + JAKARTA_MS).toISOString().slice(0, 19)}+07:00`
}

const TITLES = [
  'Batik tulis Pekalongan — promo hari ini',
  'Live jualan skincare original BPOM',
  'Demo depan gedung DPR — siaran langsung',
  'Ngobrol santai malam Minggu',
  'Flash sale sepatu lokal 50%',
  'Update banjir Jakarta Timur',
  'Main bareng penonton: turnamen',
  'Kuliner malam Sabang',
]
const LINES = [
  'ayo semua kumpul di depan gerbang jam tujuh malam',
  'harga spesial cuma hari ini kak, langsung checkout',
  'tolong jangan terprovokasi, tetap tenang ya semuanya',
  'barang ready stok banyak, kirim dari Jakarta',
  'bakar saja kalau mereka tidak mau dengar',
  'ini kejadian barusan di perempatan, lihat sendiri',
  'yang mau ikut giveaway transfer dulu lima puluh ribu',
  'terima kasih sudah nonton, jangan lupa follow',
]
const CHAT = ['bakar!', 'mantap kak', 'berapa harganya?', 'hoaks ini', 'lokasi dimana?', 'gaskeun', 'admin tolong cek', 'wkwkwk']
const LABELS = [
  'violence.arson',
  'public_safety.provocation',
  'violence.incitement',
  'hate',
  'misinformation',
  'commerce.fraud',
  'commerce.prohibited',
  'privacy.doxxing',
  'unknown.vendor_label',
]
const EXTRA_SOURCES = ['authority_request', 'trusted_flagger', 'keyword'] as const

/** One clip, shaped like the spec's example (media, poster, stream, account, segment) with 3 flags, 3 transcript and 3 chat lines. */
function benchClip(i: number, media: FakeMedia, poster: FakeMedia): Record<string, unknown> {
  const id = `clip-${String(i).padStart(6, '0')}`
  const captured = Date.UTC(2025, 7, 29, 6, 0, 0) + i * 7_000
  const due = captured + 4 * 3600_000 - (i % 97) * 60_000
  const label = (k: number) => LABELS[(i * 7 + k * 3) % LABELS.length]!
  const extra = EXTRA_SOURCES[i % EXTRA_SOURCES.length]!
  return {
    id,
    captured_at: wib(captured),
    media: { ...media, width: 640, height: 360 },
    poster: { ...poster },
    stream: {
      id: `live-${880_000 + (i % 5_000)}`,
      title: TITLES[i % TITLES.length],
      started_at: wib(captured - 25 * 60_000),
      region: i % 3 === 0 ? 'ID-JB' : 'ID-JK',
      language: 'id',
      commerce: i % 2 === 0,
      viewer_peak: 100 + (i % 5_000),
    },
    account: {
      id: `acct-${5_000 + (i % 20_000)}`,
      handle: `seller.${i % 20_000}`,
      display_name: `Toko ${i % 20_000}`,
      type: i % 4 === 0 ? 'private' : 'business',
      followers: (i * 37) % 100_000,
      prior_strikes: i % 5 === 0 ? 1 : 0,
    },
    segment: { start_ms: 1_510_000, end_ms: 1_540_000 },
    flags: [
      { source: 'classifier', label: label(0), score: ((i % 100) + 0.5) / 101, at_ms: (i * 13) % 30_000 },
      { source: 'user_report', label: label(1), count: 1 + (i % 40) },
      extra === 'authority_request'
        ? { source: extra, label: label(2), reference: `REQ-2025-${String(i % 10_000).padStart(4, '0')}`, due_at: wib(due) }
        : { source: extra, label: label(2), at_ms: (i * 29) % 30_000 },
    ],
    transcript: [0, 1, 2].map((k) => ({ at_ms: k * 7_000, end_ms: k * 7_000 + 3_000, text: LINES[(i + k) % LINES.length] })),
    chat: [0, 1, 2].map((k) => ({ at_ms: 1_000 + k * 6_500, author: `user${(i * 31 + k) % 9_973}`, text: CHAT[(i + k * 3) % CHAT.length] })),
    priority: i % 101,
    // One clip in ten has no due time, so the "no due time last" sort key is exercised.
    ...(i % 10 === 9 ? {} : { due_at: wib(due) }),
  }
}

export interface BenchPack {
  dir: string
  manifestBytes: number
  /** The clips again, built the same way (the generator is deterministic). */
  clips(): Record<string, unknown>[]
}

export function generatePack(root: string, n: number): BenchPack {
  const media = Array.from({ length: MEDIA_FILES }, (_, i) =>
    writeMedia(root, `media/clip-${i}.webm`, Buffer.alloc(64 * 1024, `webm ${i} `), 'video/webm', 30_000),
  )
  const posters = Array.from({ length: MEDIA_FILES }, (_, i) =>
    writeMedia(root, `media/posters/poster-${i}.jpg`, Buffer.alloc(8 * 1024, `jpeg ${i} `), 'image/jpeg'),
  )
  const makeClips = () => Array.from({ length: n }, (_, i) => benchClip(i, media[i % MEDIA_FILES]!, posters[(i * 3) % MEDIA_FILES]!))
  const manifest = {
    format: 'tinjau.pack',
    version: 1,
    pack_id: PACK_ID,
    created_at: '2025-09-04T08:00:00Z',
    issuer: { name: 'T&S Jakarta (bench)' },
    policy: { id: 'live-safety', version: '2025.09' },
    clips: makeClips(),
  }
  const file = path.join(root, 'pack.json')
  writeFileSync(file, JSON.stringify(manifest))
  return { dir: root, manifestBytes: statSync(file).size, clips: makeClips }
}

#!/usr/bin/env node
// Builds the synthetic demo field pack in resources/demo/ (pack.json + media/).
//
//   node scripts/make-demo-pack.mjs
//
// Everything here is fictional: coloured backgrounds with captions, speech from
// espeak-ng, invented accounts, places ("Lapangan Contoh", "Negeri Antah") and numbers.
// The pack follows specs/field-pack-v1.md and exercises what an importer must handle:
// every flag source, unknown label ids and unknown extra fields (kept, never
// interpreted), two clips sharing one content-addressed media file, WebM and MP4.
//
// Reproducible on one machine: fixed timestamps, no Math.random (background noise comes
// from a seeded PRNG), single-threaded bit-exact encodes, no metadata, and sha256/bytes
// computed from the files actually written. Needs ffmpeg/ffprobe (with libvpx-vp9,
// libopus, libx264, aac, drawtext), espeak-ng and fonts-dejavu-core. Node built-ins only.

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// ---------------------------------------------------------------------------------------
// Pack header and rendering constants
// ---------------------------------------------------------------------------------------

const PACK_HEADER = {
  format: 'tinjau.pack',
  version: 1,
  pack_id: 'demo-2025-08-jkt',
  created_at: '2025-08-31T15:00:00Z', // 22:00 WIB, after the last capture below
  issuer: { name: 'Tinjau demo' }, // no public_key: the demo pack is unsigned
  policy: { id: 'live-safety', version: '2025.09' },
  x_source_system: 'demo-generator', // unknown field on purpose: importers must keep it
};

const FONT = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';
const FONT_BOLD = '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf';
const W = 640;
const H = 360;
const FPS = 15; // low frame rate: the scenes are nearly static and it keeps the pack small
const SPEECH_RATE = 22050; // espeak-ng's native output rate; ffmpeg resamples for Opus/AAC
const CHAT_X = 400; // the chat panel occupies x >= CHAT_X; scene text stays left of it
const MIN_CLIP_MS = 4000;
const MAX_CLIP_MS = 8000;

// ---------------------------------------------------------------------------------------
// Clip definitions
//
// durationMs  target length; the pack records the probed length of the produced file.
// scene       background (an ffmpeg lavfi source without size/rate/duration), boxes
//             [x, y, w, h, colour] and big scene text drawn on the left.
// speech      lines spoken by espeak-ng ('id' or 'en' voice). `at` is optional: without
//             it a line starts 250 ms after the previous one ends. Each becomes a
//             transcript line whose end_ms is the measured end of the speech.
// chat        [at_ms, author, text]; rendered into the chat panel and written to `chat`.
// flags       `at` is ms, { line: i, plus: ms } (a speech line) or { chat: i } (a chat
//             message); authority requests use `dueInMin` after capture.
// segment     `segStartMs` is where in the live stream the clip starts; captured_at is
//             stream.started_at + segment end.
// dueHours    decision deadline after capture, unless an authority request is sooner.
// mediaOf     reuse another clip's media file (same path and sha256): a mirror restream.
// posterAtMs  where the poster frame is taken (default 1500 ms).
// extra       unknown fields copied verbatim onto the clip.
// ---------------------------------------------------------------------------------------

const CLIPS = [
  {
    id: 'demo-001',
    container: 'webm',
    durationMs: 7500,
    caption: '[DEMO] Live selling: batik tulis',
    scene: {
      bg: 'color=c=0x5a2e1e',
      boxes: [[40, 70, 150, 150, '0xc8945a'], [60, 90, 110, 110, '0x3b2a6b'], [210, 70, 150, 150, '0x2f4f4f'], [230, 90, 110, 110, '0xd9b38c']],
      text: 'BATIK TULIS\nRp 350.000',
      textX: 40,
      textY: 232,
    },
    speech: [
      { at: 400, voice: 'id', text: 'Selamat siang kakak semua, ini batik tulis asli.' },
      { voice: 'id', text: 'Harganya tiga ratus lima puluh ribu saja.' },
    ],
    chat: [
      [700, 'rina_kusuma', 'Kak, motif parang ada ukuran XL?'],
      [2100, 'dewi.ayu88', 'harga berapa kak?'],
      [3300, 'bambang_s', 'ongkir ke Semarang berapa?'],
      [4600, 'sari.rahma', 'cantik banget kak'],
      [5900, 'tomi_w', 'checkout 2 ya kak'],
    ],
    stream: { id: 'live-700101', title: 'Batik tulis Pekalongan — promo akhir bulan', started_at: '2025-08-28T09:40:00+07:00', region: 'ID-JT', language: 'id', commerce: true, viewer_peak: 640 },
    account: { id: 'acct-demo-0101', handle: 'batik.larasati.demo', display_name: 'Batik Larasati (demo)', type: 'business', followers: 8200, prior_strikes: 0 },
    segStartMs: 2_100_000,
    flags: [
      { source: 'classifier', label: 'commerce.fraud', score: 0.31, at: { line: 0, plus: 1800 } },
      { source: 'user_report', label: 'commerce.fraud', count: 1 },
    ],
    priority: 18,
    dueHours: 48,
  },
  {
    id: 'demo-002',
    container: 'webm',
    durationMs: 7000,
    caption: '[DEMO] Live selling: sambal bawang',
    scene: {
      bg: 'color=c=0x7a1f12',
      boxes: [[50, 80, 90, 140, '0xb22222'], [150, 80, 90, 140, '0xc0392b'], [250, 80, 90, 140, '0xe67e22'], [50, 70, 290, 14, '0x222222']],
      text: 'SAMBAL BAWANG\nlevel 1-5  Rp 35.000',
      textX: 40,
      textY: 232,
    },
    speech: [
      { at: 400, voice: 'id', text: 'Sambal bawang spesial, cocok buat ayam bakar!' },
      { voice: 'id', text: 'Level lima tinggal dua puluh botol.' },
    ],
    chat: [
      [900, 'nining.kitchen.fan', 'level 5 beneran pedes ga?'],
      [2400, 'agus_bekasi', 'kirim ke Bekasi bisa kak?'],
      [3800, 'mita_r', 'ayam bakarnya dijual juga?'],
      [5200, 'yudi.p', 'COD bisa?'],
    ],
    stream: { id: 'live-700202', title: 'Sambal Teh Nining — live masak & jualan', started_at: '2025-08-28T11:05:00+07:00', region: 'ID-JB', language: 'id', commerce: true, viewer_peak: 1210 },
    account: { id: 'acct-demo-0202', handle: 'sambal.teh.nining.demo', display_name: 'Sambal Teh Nining (demo)', type: 'business', followers: 23100, prior_strikes: 0 },
    segStartMs: 1_260_000,
    // "ayam bakar" (grilled chicken) trips the "bakar" (burn) keyword: a classic false positive.
    flags: [
      { source: 'keyword', label: 'violence.arson', at: { line: 0, plus: 2300 } },
      { source: 'classifier', label: 'violence.arson', score: 0.29, at: { line: 0, plus: 2300 } },
    ],
    priority: 22,
    dueHours: 24,
  },
  {
    id: 'demo-003',
    container: 'webm',
    durationMs: 7500,
    caption: '[DEMO] Live selling: phone accessories',
    scene: {
      bg: 'color=c=0x1d3557',
      boxes: [[50, 80, 70, 130, '0x111111'], [135, 80, 70, 130, '0xf1faee'], [220, 100, 110, 70, '0x457b9d'], [240, 115, 70, 40, '0xe63946']],
      text: 'CHARGER 30W  Rp 50.000\nCASING / TEMPERED GLASS',
      textX: 40,
      textY: 232,
    },
    speech: [
      { at: 300, voice: 'id', text: 'Charger tiga puluh watt, cuma lima puluh ribu.' },
      { voice: 'en', text: 'Original quality, one year warranty!' },
    ],
    chat: [
      [800, 'andre.gadget', 'ori ga kak?'],
      [1900, 'lia_shop', 'ada SNI nya?'],
      [3100, 'kevin.batam', 'does it ship to Batam?'],
      [4500, 'putri.k', 'casing iPhone 13 ada?'],
      [6000, 'hendra_88', 'kemarin beli cepet panas'],
    ],
    stream: { id: 'live-700303', title: 'Aksesoris HP murah — charger, casing, tempered glass', started_at: '2025-08-29T12:30:00+07:00', region: 'ID-JK', language: 'id', commerce: true, viewer_peak: 930 },
    account: { id: 'acct-demo-0303', handle: 'aksesoris.hp.murah.demo', display_name: 'Aksesoris HP Murah (demo)', type: 'business', followers: 15400, prior_strikes: 1 },
    segStartMs: 1_790_000,
    flags: [
      { source: 'user_report', label: 'commerce.prohibited', count: 2 },
      { source: 'classifier', label: 'commerce.fraud', score: 0.44, at: { line: 1, plus: 200 } },
    ],
    priority: 35,
    dueHours: 36,
  },
  {
    id: 'demo-004',
    container: 'webm',
    durationMs: 7500,
    caption: '[DEMO] Live selling: hijab voal',
    scene: {
      bg: 'color=c=0x6d597a',
      boxes: [[40, 80, 95, 140, '0xb56576'], [145, 80, 95, 140, '0xa47148'], [250, 80, 95, 140, '0x1b1b1b']],
      text: 'HIJAB VOAL  Rp 45.000\nKetik 1 = mocca',
      textX: 40,
      textY: 232,
    },
    speech: [
      { at: 300, voice: 'id', text: 'Hijab voal motif terbaru, bahannya adem.' },
      { voice: 'id', text: 'Ketik satu kalau mau yang warna mocca!' },
    ],
    chat: [
      [1200, 'nur.aini', 'mau yang hitam ada?'],
      [3900, 'fitri_22', '1'],
      [4300, 'ulfa.z', '1 mocca'],
      [4700, 'rahma.d', '1'],
      [5100, 'siti.m', '1 kak'],
      [5600, 'yanti_s', '1'],
      [6200, 'dina.h', '1 mocca 2 pcs'],
    ],
    stream: { id: 'live-700404', title: 'Hijab voal terbaru — live pagi', started_at: '2025-08-30T08:50:00+07:00', region: 'ID-JB', language: 'id', commerce: true, viewer_peak: 2120 },
    account: { id: 'acct-demo-0404', handle: 'hijab.annisa.demo', display_name: 'Hijab Annisa (demo)', type: 'business', followers: 41200, prior_strikes: 0 },
    segStartMs: 2_400_000,
    // spam.engagement_bait is not in the live-safety policy: the importer must keep it.
    flags: [
      { source: 'user_report', label: 'spam.engagement_bait', count: 5 },
      { source: 'classifier', label: 'spam.engagement_bait', score: 0.57, at: { line: 1, plus: 300 } },
    ],
    priority: 12,
    dueHours: 48,
    extra: { x_source_system: 'demo-generator' },
  },
  {
    id: 'demo-005',
    container: 'webm',
    durationMs: 7900,
    caption: '[DEMO] Seller live; chat fills with calls to gather and burn',
    scene: {
      bg: 'color=c=0x264653',
      boxes: [[50, 80, 130, 140, '0xe9c46a'], [200, 80, 130, 140, '0xf4a261']],
      text: 'KAOS SABLON CUSTOM\nRp 85.000',
      textX: 40,
      textY: 232,
    },
    speech: [
      { at: 300, voice: 'id', text: 'Kaos sablon custom, bahan katun adem.' },
      { voice: 'id', text: 'Kak, tolong jangan bahas demo di sini ya, ini lapak jualan.' },
    ],
    // Ordinary questions first, then the chat is taken over by calls to gather and burn.
    chat: [
      [300, 'rizky.a', 'ukuran L ada kak?'],
      [900, 'bagas_88', 'warna hitam ready?'],
      [1500, 'anon_7731', 'ayo kumpul depan gedung dewan jam 8'],
      [1900, 'massa.bergerak', 'BAKAR!!'],
      [2200, 'anon_5520', 'bakar aja semuanya'],
      [2500, 'kopi.hitam.99', 'siapa ikut malam ini?'],
      [2800, 'anon_7731', 'share lokasi di grup'],
      [3100, 'burn_it_tonight', 'burn it all tonight'],
      [3400, 'anon_1102', 'bawa bensin'],
      [3700, 'ibu.rumah.tangga', 'jangan di sini woi ini lapak orang'],
      [4000, 'massa.bergerak', 'gas bakar!!'],
      [4300, 'anon_5520', 'kumpul kumpul kumpul'],
      [4600, 'rizky.a', 'kak jadi ukuran L ada?'],
      [4900, 'anon_9001', 'jam 8 tepat, jangan telat'],
      [5200, 'anon_1102', 'BAKAR BAKAR'],
      [5500, 'warga.biasa', 'udah lapor, ini provokasi'],
      [5800, 'anon_7731', 'lewat gang belakang biar aman'],
      [6100, 'massa.bergerak', 'bakar!!!'],
      [6400, 'anon_3344', 'ikut bang'],
      [6700, 'anon_9001', 'bawa korek'],
      [7000, 'lina.s', 'kasian penjualnya'],
      [7300, 'anon_5520', 'sampai ketemu jam 8'],
    ],
    stream: { id: 'live-700505', title: 'Kaos sablon custom — live malam', started_at: '2025-08-29T19:30:00+07:00', region: 'ID-JK', language: 'id', commerce: true, viewer_peak: 3870 },
    account: { id: 'acct-demo-0505', handle: 'kaos.sablon.mandiri.demo', display_name: 'Kaos Sablon Mandiri (demo)', type: 'business', followers: 9600, prior_strikes: 0 },
    segStartMs: 2_280_000,
    flags: [
      { source: 'keyword', label: 'violence.arson', at: { chat: 3 } },
      { source: 'classifier', label: 'public_safety.coordination', score: 0.81, at: { chat: 2 } },
      { source: 'keyword', label: 'public_safety.provocation', at: { chat: 8 } },
      { source: 'user_report', label: 'public_safety.provocation', count: 23 },
    ],
    priority: 84,
    dueHours: 24,
    posterAtMs: 6000, // show the flooded chat, not the calm start
  },
  {
    id: 'demo-006',
    container: 'mp4', // one H.264/AAC clip, as some capture tools produce
    durationMs: 7900,
    caption: '[DEMO] News report: protest in the city centre',
    scene: {
      bg: 'gradients=c0=0x0b1d3a:c1=0x3a506b:n=2:x0=0:y0=0:x1=640:y1=360:speed=0.02:seed=6',
      boxes: [[0, 266, 640, 26, '0xb00020'], [30, 70, 340, 160, '0x1c2541'], [50, 170, 300, 40, '0x5c677d']],
      text: 'LAPORAN LANGSUNG\nunjuk rasa di pusat kota',
      textX: 50,
      textY: 90,
      ticker: 'BERITA  *  Demo simulasi untuk pengujian Tinjau  *  Semua nama dan tempat fiktif  *',
    },
    speech: [
      { at: 300, voice: 'id', text: 'Laporan langsung: ribuan orang berunjuk rasa.' },
      { voice: 'id', text: 'Sore ini polisi menembakkan gas air mata.' },
    ],
    chat: [
      [1500, 'pemirsa_01', 'semoga semua aman'],
      [3200, 'andi.k', 'jalan mana yang ditutup?'],
      [5200, 'global.watch', 'stay safe everyone'],
    ],
    stream: { id: 'live-700606', title: 'Liputan langsung: unjuk rasa di pusat kota', started_at: '2025-08-28T18:30:00+07:00', region: 'ID-JK', language: 'id', commerce: false, viewer_peak: 48200 },
    account: { id: 'acct-demo-0606', handle: 'kabarkota.tv.demo', display_name: 'Kabar Kota TV (demo)', type: 'business', followers: 210000, prior_strikes: 0 },
    segStartMs: 2_040_000,
    flags: [
      { source: 'classifier', label: 'violence.graphic', score: 0.52, at: { line: 1, plus: 1500 } },
      { source: 'user_report', label: 'public_safety.provocation', count: 3 },
    ],
    priority: 48,
    dueHours: 24,
  },
  {
    id: 'demo-007',
    container: 'webm',
    durationMs: 7500,
    caption: '[DEMO] Peaceful protest, live from the crowd',
    scene: {
      bg: 'color=c=0x2d6a4f',
      boxes: [[40, 90, 330, 80, '0xfefae0'], [110, 170, 8, 90, '0x6b4f2a'], [295, 170, 8, 90, '0x6b4f2a']],
      text: 'AKSI DAMAI\nTRANSPARANSI ANGGARAN',
      textX: 50,
      textY: 112,
      textColor: '0x1b4332',
      noise: 0.05, // crowd murmur
    },
    speech: [
      { at: 300, voice: 'id', text: 'Kami datang dengan damai. Jangan terprovokasi!' },
      { voice: 'id', text: 'Tuntutan kami: transparansi anggaran.' },
    ],
    chat: [
      [800, 'suara.kampus.fan', 'semangat kawan!'],
      [2200, 'bu.guru.ani', 'tetap damai ya'],
      [3600, 'kawan.lama', 'jaga barisan'],
      [5000, 'anon_4410', 'jangan mau diadu domba'],
      [6300, 'observer_en', 'peaceful so far'],
    ],
    stream: { id: 'live-700707', title: 'Aksi damai mahasiswa — live dari lapangan', started_at: '2025-08-28T14:50:00+07:00', region: 'ID-JT', language: 'id', commerce: false, viewer_peak: 5600 },
    account: { id: 'acct-demo-0707', handle: 'suara.kampus.demo', display_name: 'Suara Kampus (demo)', type: 'private', followers: 18700, prior_strikes: 0 },
    segStartMs: 1_800_000,
    flags: [
      { source: 'classifier', label: 'public_safety.provocation', score: 0.63, at: { line: 0, plus: 500 } },
      { source: 'user_report', label: 'public_safety.provocation', count: 8 },
    ],
    priority: 45,
    dueHours: 24,
  },
  {
    id: 'demo-008',
    container: 'webm',
    durationMs: 7000,
    caption: '[DEMO] Fictional call to arson (simulated)',
    scene: {
      bg: 'gradients=c0=0x1a1a1a:c1=0x5a2a00:n=2:x0=0:y0=360:x1=0:y1=0:speed=0.03:seed=8',
      boxes: [[40, 200, 320, 60, '0x000000'], [60, 150, 40, 50, '0xff7b00'], [140, 160, 30, 40, '0xffb000']],
      text: 'SIMULASI\nmassa berkumpul malam hari',
      textX: 50,
      textY: 80,
      noise: 0.08, // crowd noise
    },
    speech: [
      { at: 300, voice: 'id', text: 'Bakar! Bakar!', speed: 190 },
      { voice: 'id', text: 'Malam ini kita bakar gedung itu, jangan kasih ampun!' },
    ],
    chat: [
      [900, 'anon_2231', 'BAKAR'],
      [1800, 'gas.terus', 'gas!!'],
      [2900, 'anon_7788', 'lokasi dimana?'],
      [4200, 'warga.sekitar', 'jangan rusuh woi'],
      [5600, 'pelapor.demo', 'udah lapor ke platform'],
    ],
    stream: { id: 'live-700808', title: 'LIVE SEKARANG!!', started_at: '2025-08-29T20:50:00+07:00', region: 'ID-JK', language: 'id', commerce: false, viewer_peak: 14300 },
    account: { id: 'acct-demo-0808', handle: 'rakyat.murka.demo', display_name: 'Rakyat Murka (demo)', type: 'private', followers: 1340, prior_strikes: 2 },
    segStartMs: 2_400_000,
    flags: [
      { source: 'authority_request', label: 'violence.arson', reference: 'REQ-DEMO-2025-0829-01', dueInMin: 120 },
      { source: 'classifier', label: 'violence.arson', score: 0.94, at: { line: 0, plus: 200 } },
      { source: 'keyword', label: 'violence.arson', at: { line: 0, plus: 200 } },
      { source: 'trusted_flagger', label: 'violence.incitement' },
    ],
    priority: 97,
  },
  {
    id: 'demo-009',
    container: 'webm',
    durationMs: 7900,
    caption: '[DEMO] Coordinating violent action (simulated)',
    scene: {
      bg: 'color=c=0x3d0c02',
      boxes: [[30, 70, 360, 120, '0xf1f1f1']],
      text: 'TITIK KUMPUL: LAPANGAN CONTOH\nPUKUL 21.00 WIB\nbawa batu & botol',
      textX: 45,
      textY: 88,
      textColor: '0x3d0c02',
    },
    speech: [
      { at: 300, voice: 'id', text: 'Titik kumpul di Lapangan Contoh, jam sembilan malam.' },
      { voice: 'id', text: 'Bawa batu dan botol, kita serbu pos itu bareng.' },
    ],
    chat: [
      [1000, 'anon_6060', 'siap komandan'],
      [2500, 'anon_1212', 'lewat mana biar ga ketahuan?'],
      [4000, 'anon_6060', 'share di grup aja'],
      [5800, 'warga.waras', 'ini sudah kriminal, lapor!'],
    ],
    stream: { id: 'live-700909', title: 'info aksi malam ini', started_at: '2025-08-29T19:55:00+07:00', region: 'ID-JB', language: 'id', commerce: false, viewer_peak: 2270 },
    account: { id: 'acct-demo-0909', handle: 'korlap.x.demo', display_name: 'Korlap X (demo)', type: 'private', followers: 780, prior_strikes: 1 },
    segStartMs: 1_500_000,
    flags: [
      { source: 'trusted_flagger', label: 'public_safety.coordination' },
      { source: 'authority_request', label: 'public_safety.coordination', reference: 'REQ-DEMO-2025-0829-02', dueInMin: 180 },
      { source: 'classifier', label: 'violence.incitement', score: 0.88, at: { line: 1, plus: 300 } },
    ],
    priority: 95,
  },
  {
    id: 'demo-010',
    container: 'webm',
    durationMs: 7900,
    caption: '[DEMO] Scam pitch: fake giveaway, transfer first',
    scene: {
      bg: 'color=c=0xffbe0b',
      boxes: [[30, 70, 360, 170, '0xfb5607'], [50, 90, 320, 130, '0xffffff']],
      text: 'GIVEAWAY!!\nTransfer ongkir dulu\nRek. 000-DEMO-000',
      textX: 65,
      textY: 105,
      textColor: '0xd00000',
    },
    speech: [
      { at: 300, voice: 'id', text: 'Selamat! Kamu pemenang giveaway handphone baru.' },
      { voice: 'id', text: 'Transfer dulu ongkir lima puluh ribu ke rekening admin.' },
    ],
    chat: [
      [900, 'cici.lestari', 'aku menang kak?'],
      [2300, 'anon_8080', 'udah transfer kok belum dikirim'],
      [3700, 'bayu.t', 'PENIPU ini'],
      [5000, 'helpful_hana', "don't send money, it's a scam"],
      [6400, 'cici.lestari', 'admin dm aku ya'],
    ],
    stream: { id: 'live-701010', title: 'GIVEAWAY HP baru — 100 pemenang!', started_at: '2025-08-30T13:20:00+07:00', region: 'ID-SN', language: 'id', commerce: true, viewer_peak: 6900 },
    account: { id: 'acct-demo-1010', handle: 'giveaway.resmi.official.demo', display_name: 'GIVEAWAY RESMI (demo)', type: 'business', followers: 520, prior_strikes: 1 },
    segStartMs: 2_700_000,
    flags: [
      { source: 'user_report', label: 'commerce.fraud', count: 31 },
      { source: 'classifier', label: 'commerce.fraud', score: 0.86, at: { line: 1, plus: 200 } },
      { source: 'keyword', label: 'commerce.fraud', at: { line: 1, plus: 200 } },
    ],
    priority: 70,
    dueHours: 24,
  },
  {
    id: 'demo-011',
    container: 'webm',
    durationMs: 6500,
    caption: '[DEMO] Hateful generalisation about a fictional group',
    scene: {
      bg: 'color=c=0x3c3c3c',
      boxes: [[60, 80, 280, 140, '0x555555'], [160, 110, 80, 80, '0x999999']],
      text: 'kelompok fiktif: "Negeri Antah"',
      textX: 50,
      textY: 232,
    },
    speech: [
      { at: 300, voice: 'id', text: 'Orang dari Negeri Antah itu semua penipu.' },
      { voice: 'id', text: 'Jangan mau berteman dengan mereka.' },
    ],
    chat: [
      [1100, 'anon_5151', 'astaga'],
      [2600, 'damai.itu.indah', 'jangan SARA bro'],
      [4100, 'anon_7070', 'report aja'],
    ],
    stream: { id: 'live-701111', title: 'ngobrol santai malam minggu', started_at: '2025-08-30T16:00:00+07:00', region: 'ID-JI', language: 'id', commerce: false, viewer_peak: 430 },
    account: { id: 'acct-demo-1111', handle: 'warganet.kesal.demo', display_name: 'Warganet Kesal (demo)', type: 'private', followers: 2900, prior_strikes: 0 },
    segStartMs: 2_650_000,
    flags: [
      { source: 'user_report', label: 'hate', count: 12 },
      { source: 'trusted_flagger', label: 'hate' },
      { source: 'classifier', label: 'hate', score: 0.67, at: { line: 0, plus: 600 } },
    ],
    priority: 55,
    dueHours: 24,
  },
  {
    id: 'demo-012',
    container: 'webm',
    durationMs: 6500,
    caption: '[DEMO] False claim: "all ATMs shut tomorrow"',
    scene: {
      bg: 'color=c=0x14213d',
      boxes: [[40, 80, 320, 150, '0xfca311'], [60, 100, 280, 110, '0x000000']],
      text: 'BREAKING??\nATMs shut tomorrow',
      textX: 75,
      textY: 118,
      textColor: '0xfca311',
    },
    speech: [
      { at: 300, voice: 'en', text: 'Breaking: all bank ATMs will be shut down tomorrow.' },
      { voice: 'en', text: 'Withdraw your cash tonight!' },
    ],
    chat: [
      [1000, 'curious_cat', 'is this true??'],
      [2300, 'anon_2024', 'hoaks ini'],
      [3500, 'fact.check.fan', 'source?'],
      [4800, 'budi.s', 'bank saya bilang normal'],
    ],
    stream: { id: 'live-701212', title: 'Jakarta updates (unofficial)', started_at: '2025-08-29T21:40:00+07:00', region: 'ID-JK', language: 'en', commerce: false, viewer_peak: 3100 },
    account: { id: 'acct-demo-1212', handle: 'city.updates.demo', display_name: 'City Updates (demo)', type: 'private', followers: 6400, prior_strikes: 0 },
    segStartMs: 1_020_000,
    flags: [
      { source: 'classifier', label: 'misinformation', score: 0.71, at: { line: 0, plus: 400 } },
      { source: 'user_report', label: 'misinformation', count: 9 },
      { source: 'trusted_flagger', label: 'misinformation' },
    ],
    priority: 60,
    dueHours: 24,
  },
  {
    id: 'demo-013',
    container: 'webm',
    durationMs: 7900,
    caption: '[DEMO] Doxxing: fake phone number on screen',
    scene: {
      bg: 'color=c=0x2b2d42',
      boxes: [[30, 80, 360, 120, '0xedf2f4']],
      text: 'NOMOR: 0812-0000-0000 (FIKTIF)\nJl. Contoh No. 12',
      textX: 45,
      textY: 110,
      textColor: '0xd90429',
    },
    speech: [
      { at: 300, voice: 'id', text: 'Ini nomor orang yang lapor kita, telepon saja.' },
      { voice: 'id', text: 'Alamatnya Jalan Contoh nomor dua belas.' },
    ],
    chat: [
      [1200, 'anon_3030', 'spam telpon aja'],
      [3000, 'akal.sehat', 'jangan gitu bro'],
      [4800, 'anon_4040', 'udah screenshot'],
    ],
    stream: { id: 'live-701313', title: 'bongkar pelapor', started_at: '2025-08-30T10:40:00+07:00', region: 'ID-JB', language: 'id', commerce: false, viewer_peak: 880 },
    account: { id: 'acct-demo-1313', handle: 'tukang.bongkar.demo', display_name: 'Tukang Bongkar (demo)', type: 'private', followers: 3300, prior_strikes: 1 },
    segStartMs: 2_200_000,
    flags: [
      { source: 'classifier', label: 'privacy.doxxing', score: 0.66, at: 800 },
      { source: 'user_report', label: 'privacy.doxxing', count: 6 },
      { source: 'trusted_flagger', label: 'privacy.doxxing' },
    ],
    priority: 78,
    dueHours: 24,
  },
  {
    id: 'demo-014',
    container: 'webm',
    durationMs: 6000,
    caption: '[DEMO] simulated graphic content',
    scene: {
      // Abstract dark-red spiral only; nothing graphic is shown.
      bg: 'gradients=c0=0x120000:c1=0x6a0000:c2=0x000000:n=3:x0=320:y0=180:x1=640:y1=360:type=spiral:speed=0.05:seed=14',
      boxes: [],
      text: 'SIMULASI - tidak ada rekaman nyata',
      textX: 40,
      textY: 232,
      noise: 0.06,
    },
    speech: [{ at: 400, voice: 'id', text: 'Demo. Konten grafis simulasi, bukan rekaman nyata.' }],
    chat: [
      [1500, 'anon_9191', 'astaga'],
      [3000, 'tolong.blur', 'tolong blur'],
    ],
    stream: { id: 'live-701414', title: 'rekaman bentrokan', started_at: '2025-08-31T00:20:00+07:00', region: 'ID-JK', language: 'id', commerce: false, viewer_peak: 7700 },
    account: { id: 'acct-demo-1414', handle: 'rekaman.lapangan.demo', display_name: 'Rekaman Lapangan (demo)', type: 'private', followers: 11800, prior_strikes: 0 },
    segStartMs: 2_950_000,
    flags: [
      { source: 'classifier', label: 'violence.graphic', score: 0.89, at: 1000 },
      { source: 'user_report', label: 'violence.graphic', count: 4 },
    ],
    priority: 74,
    dueHours: 24,
  },
  {
    // Same footage as demo-008, restreamed by another account: shares the media file.
    id: 'demo-015',
    mediaOf: 'demo-008',
    chat: [
      [1200, 'anon_6161', 'ini dari live tadi'],
      [3000, 'anon_6262', 'sebarin!!'],
      [5000, 'warga.peduli', 'jangan disebar, lapor'],
    ],
    stream: { id: 'live-701515', title: 'Re-live: kerusuhan malam ini', started_at: '2025-08-29T21:45:00+07:00', region: 'ID-JB', language: 'id', commerce: false, viewer_peak: 9200 },
    account: { id: 'acct-demo-1515', handle: 'mirror.live.77.demo', display_name: 'Mirror Live 77 (demo)', type: 'private', followers: 25300, prior_strikes: 3 },
    segStartMs: 600_000,
    flags: [
      { source: 'user_report', label: 'violence.arson', count: 40 },
      { source: 'classifier', label: 'violence.arson', score: 0.93, at: { line: 0, plus: 200 } },
      { source: 'authority_request', label: 'violence.arson', reference: 'REQ-DEMO-2025-0829-01', dueInMin: 90 },
    ],
    priority: 92,
    extra: { x_source_system: 'demo-generator/mirror-detector' },
  },
  {
    id: 'demo-016',
    container: 'webm',
    durationMs: 7000,
    caption: '[DEMO] Child co-host selling late at night (simulated)',
    scene: {
      bg: 'color=c=0x023047',
      boxes: [[40, 90, 100, 100, '0xffb703'], [160, 110, 120, 80, '0x219ebc'], [300, 120, 70, 70, '0xfb8500']],
      text: 'MAINAN ANAK  mulai Rp 25.000\n21:40 WIB',
      textX: 40,
      textY: 232,
    },
    speech: [
      { at: 300, voice: 'id', text: 'Halo kakak, ayo beli mainannya.' },
      { voice: 'id', text: 'Sudah malam, tapi live terus sampai jam dua belas!' },
    ],
    chat: [
      [1000, 'tante.rina', 'adeknya belum tidur?'],
      [2800, 'bapak.dua.anak', 'kasian udah malem'],
      [4600, 'gilang.p', 'mobil remote berapa?'],
    ],
    stream: { id: 'live-701616', title: 'Mainan anak murah — live sampai malam', started_at: '2025-08-31T19:45:00+07:00', region: 'ID-JI', language: 'id', commerce: true, viewer_peak: 1540 },
    account: { id: 'acct-demo-1616', handle: 'mainan.ceria.demo', display_name: 'Mainan Ceria (demo)', type: 'business', followers: 7300, prior_strikes: 0 },
    segStartMs: 6_900_000,
    flags: [
      { source: 'classifier', label: 'minors', score: 0.52, at: 500 },
      { source: 'user_report', label: 'minors', count: 3 },
    ],
    priority: 58,
    dueHours: 24,
  },
  {
    id: 'demo-017',
    container: 'webm',
    durationMs: 7000,
    caption: '[DEMO] Live selling: firecrackers during unrest',
    scene: {
      bg: 'color=c=0x3a0ca3',
      boxes: [[40, 90, 60, 130, '0xf72585'], [110, 90, 60, 130, '0x4cc9f0'], [180, 90, 60, 130, '0xf72585'], [250, 120, 110, 100, '0x7209b7']],
      text: 'PETASAN & KEMBANG API\nkirim malam ini',
      textX: 40,
      textY: 232,
    },
    speech: [
      { at: 300, voice: 'id', text: 'Petasan besar, stok banyak, kirim malam ini juga.' },
      { voice: 'id', text: 'Cocok buat acara nanti malam!' },
    ],
    chat: [
      [1100, 'anon_1717', 'yang paling keras yang mana?'],
      [2900, 'anon_2727', 'buat ke demo nanti'],
      [4700, 'penjual.lain', 'itu kan dilarang'],
    ],
    stream: { id: 'live-701717', title: 'Petasan & kembang api — ready stok', started_at: '2025-08-30T18:10:00+07:00', region: 'ID-JT', language: 'id', commerce: true, viewer_peak: 1980 },
    account: { id: 'acct-demo-1717', handle: 'toko.meriah.demo', display_name: 'Toko Meriah (demo)', type: 'business', followers: 4100, prior_strikes: 1 },
    segStartMs: 1_380_000,
    flags: [
      { source: 'classifier', label: 'commerce.prohibited', score: 0.79, at: { line: 0, plus: 300 } },
      { source: 'keyword', label: 'commerce.prohibited', at: { line: 0, plus: 300 } },
      { source: 'user_report', label: 'public_safety.provocation', count: 4 },
    ],
    priority: 66,
    dueHours: 24,
  },
];

// ---------------------------------------------------------------------------------------
// Paths
// ---------------------------------------------------------------------------------------

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'resources', 'demo');

const README = `# Demo field pack (synthetic)

Everything in this folder is synthetic: coloured backgrounds with captions, espeak-ng speech, invented accounts, places and numbers. No real footage or people.
Regenerate it (deletes and rewrites resources/demo/, same pack.json on the same machine) with \`node scripts/make-demo-pack.mjs\`.
Needs ffmpeg/ffprobe (libvpx-vp9, libopus, libx264), espeak-ng and fonts-dejavu-core (\`apt-get install -y ffmpeg espeak-ng fonts-dejavu-core\`).
`;

// ---------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------

main();

function main() {
  checkTools();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tinjau-demo-'));
  try {
    fs.rmSync(OUT, { recursive: true, force: true });
    fs.mkdirSync(path.join(OUT, 'media', 'posters'), { recursive: true });

    const byId = new Map(CLIPS.map((c) => [c.id, c]));
    const rendered = new Map(); // clip id -> { media, lines }
    const clips = [];
    for (const def of CLIPS) {
      let r;
      if (def.mediaOf) {
        r = rendered.get(def.mediaOf);
        if (!r) throw new Error(`${def.id}: mediaOf ${def.mediaOf} must come earlier in CLIPS`);
      } else {
        r = renderClip(def, tmp);
        rendered.set(def.id, r);
      }
      // Mirrors take their poster at the same moment as the original, so the frames match.
      const poster = makePoster(def.id, r.media, def.posterAtMs ?? byId.get(def.mediaOf)?.posterAtMs);
      clips.push(buildClip(def, r, poster));
    }

    const pack = { ...PACK_HEADER, clips };
    fs.writeFileSync(path.join(OUT, 'pack.json'), JSON.stringify(pack, null, 2) + '\n');
    fs.writeFileSync(path.join(OUT, 'README.md'), README);
    validate();
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------
// Tool checks: fail early with the package to install rather than deep inside ffmpeg.
// ---------------------------------------------------------------------------------------

function checkTools() {
  const need = (cmd, args, pkg) => {
    try {
      return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      fail(`'${cmd}' is missing or not runnable (${e.code ?? e.message}). Install it: apt-get install -y ${pkg}`);
    }
  };
  need('ffmpeg', ['-hide_banner', '-version'], 'ffmpeg');
  need('ffprobe', ['-hide_banner', '-version'], 'ffmpeg');
  need('espeak-ng', ['--version'], 'espeak-ng');
  const encoders = need('ffmpeg', ['-hide_banner', '-encoders'], 'ffmpeg');
  for (const enc of ['libvpx-vp9', 'libopus', 'libx264', 'aac', 'mjpeg']) {
    if (!new RegExp(`\\s${enc}\\s`).test(encoders)) fail(`ffmpeg lacks the '${enc}' encoder; install Debian's full ffmpeg package (apt-get install -y ffmpeg)`);
  }
  const filters = need('ffmpeg', ['-hide_banner', '-filters'], 'ffmpeg');
  for (const f of ['drawtext', 'drawbox', 'gradients']) {
    if (!new RegExp(`\\s${f}\\s`).test(filters)) fail(`ffmpeg lacks the '${f}' filter; install Debian's full ffmpeg package (apt-get install -y ffmpeg)`);
  }
  const voices = need('espeak-ng', ['--voices'], 'espeak-ng');
  for (const v of ['id', 'en']) {
    if (!new RegExp(`\\s${v}[\\s-]`).test(voices)) fail(`espeak-ng has no '${v}' voice; install espeak-ng-data`);
  }
  for (const f of [FONT, FONT_BOLD]) {
    if (!fs.existsSync(f)) fail(`font ${f} is missing. Install it: apt-get install -y fonts-dejavu-core`);
  }
}

function fail(msg) {
  console.error(`make-demo-pack: ${msg}`);
  process.exit(1);
}

// ---------------------------------------------------------------------------------------
// Rendering one clip: speech -> WAV, captions -> drawtext chain, encode, probe.
// ---------------------------------------------------------------------------------------

function renderClip(def, tmp) {
  const dir = path.join(tmp, def.id);
  fs.mkdirSync(dir);
  const { wavPath, lines } = makeAudio(def, dir);
  const filter = videoFilter(def, lines, dir);
  const ext = def.container;
  const encoded = path.join(dir, `clip.${ext}`);
  const dur = (def.durationMs / 1000).toFixed(3);

  // Single-threaded, bit-exact, metadata-free encodes so repeated runs give identical bytes.
  const common = ['-threads', '1', '-map_metadata', '-1', '-map_chapters', '-1', '-fflags', '+bitexact', '-flags:v', '+bitexact', '-flags:a', '+bitexact'];
  const codec =
    ext === 'webm'
      ? ['-c:v', 'libvpx-vp9', '-b:v', '0', '-crf', '42', '-deadline', 'good', '-cpu-used', '4', '-row-mt', '0', '-tile-columns', '0', '-frame-parallel', '0', '-c:a', 'libopus', '-b:a', '24k', '-ar', '48000']
      : ['-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'stillimage', '-crf', '30', '-profile:v', 'main', '-c:a', 'aac', '-b:a', '48k', '-ar', '48000', '-movflags', '+faststart'];
  ffmpeg([
    '-filter_threads', '1',
    '-f', 'lavfi', '-i', `${def.scene.bg}:s=${W}x${H}:r=${FPS}:d=${dur}`,
    '-i', wavPath,
    '-vf', filter,
    '-map', '0:v', '-map', '1:a',
    '-t', dur,
    // A keyframe every 2 s keeps seeking to flagged moments quick in the player.
    '-g', String(FPS * 2), '-pix_fmt', 'yuv420p', '-ac', '1',
    ...codec, ...common,
    encoded,
  ]);

  const probe = ffprobe(encoded);
  const media = storeContentAddressed(encoded, ext, ext === 'webm' ? 'video/webm' : 'video/mp4');
  return { media: { ...media, duration_ms: probe.durationMs, width: probe.width, height: probe.height }, lines };
}

// Speech lines are synthesised separately, trimmed of espeak's leading/trailing silence
// and laid into one PCM track at their start times, so transcript at_ms/end_ms are exact.
function makeAudio(def, dir) {
  const total = Math.round((def.durationMs / 1000) * SPEECH_RATE);
  const mix = new Float64Array(total);
  if (def.scene.noise) addBrownNoise(mix, def.scene.noise, seedFor(def.id));

  const lines = [];
  let cursor = 0;
  def.speech.forEach((line, i) => {
    const wav = path.join(dir, `line${i}.wav`);
    execFileSync('espeak-ng', ['-v', line.voice, '-s', String(line.speed ?? 165), '-w', wav, line.text]);
    const pcm = trimSilence(readWavMono16(wav));
    const at = line.at ?? cursor + 250;
    const endMs = at + Math.round((pcm.length / SPEECH_RATE) * 1000);
    if (at < cursor) throw new Error(`${def.id}: speech line ${i} starts at ${at} ms before line ${i - 1} ends (${cursor} ms)`);
    if (endMs > def.durationMs - 150) throw new Error(`${def.id}: speech line ${i} ends at ${endMs} ms, past the ${def.durationMs} ms clip; shorten the text or lengthen the clip`);
    const offset = Math.round((at / 1000) * SPEECH_RATE);
    for (let k = 0; k < pcm.length; k++) mix[offset + k] += 0.8 * pcm[k]; // headroom for the noise bed
    lines.push({ at_ms: at, end_ms: endMs, text: line.text, voice: line.voice });
    cursor = endMs;
  });

  const wavPath = path.join(dir, 'audio.wav');
  writeWavMono16(wavPath, mix);
  return { wavPath, lines };
}

function readWavMono16(file) {
  const buf = fs.readFileSync(file);
  if (buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') throw new Error(`${file}: not a WAV file`);
  let pos = 12;
  let fmt = null;
  while (pos + 8 <= buf.length) {
    const id = buf.toString('ascii', pos, pos + 4);
    let size = buf.readUInt32LE(pos + 4);
    const body = pos + 8;
    if (id === 'fmt ') fmt = { channels: buf.readUInt16LE(body + 2), rate: buf.readUInt32LE(body + 4), bits: buf.readUInt16LE(body + 14) };
    if (id === 'data') {
      if (!fmt || fmt.channels !== 1 || fmt.bits !== 16 || fmt.rate !== SPEECH_RATE) throw new Error(`${file}: expected mono 16-bit ${SPEECH_RATE} Hz, got ${JSON.stringify(fmt)}`);
      size = Math.min(size, buf.length - body); // espeak may leave a placeholder size when streaming
      const out = new Float64Array(size >> 1);
      for (let k = 0; k < out.length; k++) out[k] = buf.readInt16LE(body + 2 * k) / 32768;
      return out;
    }
    pos = body + size + (size & 1);
  }
  throw new Error(`${file}: no data chunk`);
}

function trimSilence(pcm) {
  const threshold = 0.01;
  const pad = Math.round(0.03 * SPEECH_RATE);
  let a = 0;
  let b = pcm.length;
  while (a < b && Math.abs(pcm[a]) < threshold) a++;
  while (b > a && Math.abs(pcm[b - 1]) < threshold) b--;
  return pcm.subarray(Math.max(0, a - pad), Math.min(pcm.length, b + pad));
}

function writeWavMono16(file, samples) {
  const data = Buffer.alloc(samples.length * 2);
  for (let k = 0; k < samples.length; k++) {
    const s = Math.max(-1, Math.min(1, samples[k]));
    data.writeInt16LE(Math.round(s * 32767), 2 * k);
  }
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(SPEECH_RATE, 24);
  header.writeUInt32LE(SPEECH_RATE * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(data.length, 40);
  fs.writeFileSync(file, Buffer.concat([header, data]));
}

// Crowd-like rumble under protest scenes. Seeded xorshift32, so it is the same every run.
function addBrownNoise(mix, amplitude, seed) {
  let x = seed >>> 0 || 1;
  let level = 0;
  for (let k = 0; k < mix.length; k++) {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    const white = x / 0xffffffff - 0.5;
    level = 0.98 * level + white * 0.2; // leaky integrator: brown-ish noise without drift
    mix[k] += level * amplitude * 4;
  }
}

function seedFor(id) {
  return parseInt(createHash('sha256').update(id).digest('hex').slice(0, 8), 16);
}

// ---------------------------------------------------------------------------------------
// Video overlay: caption bar, LIVE clock, scene boxes/text, chat panel, subtitles.
// Subtitles and chat are burned in so the clip reads the same when played muted
// (violent clips start muted in Tinjau) and matches the pack's transcript and chat.
// ---------------------------------------------------------------------------------------

function videoFilter(def, lines, dir) {
  const s = def.scene;
  const f = [];
  let n = 0;
  // Text goes through files: no filtergraph escaping of quotes, colons or commas needed.
  const textFile = (text) => {
    const p = path.join(dir, `t${n++}.txt`);
    fs.writeFileSync(p, text);
    if (!/^[A-Za-z0-9._/-]+$/.test(p)) throw new Error(`temporary path ${p} needs escaping in a filtergraph`);
    return p;
  };
  const text = (str, opts) => `drawtext=fontfile=${opts.bold ? FONT_BOLD : FONT}:textfile=${textFile(str)}:expansion=${opts.expand ? 'normal' : 'none'}:x=${opts.x}:y=${opts.y}:fontsize=${opts.size}:fontcolor=${opts.color ?? 'white'}:line_spacing=${opts.spacing ?? 4}` + (opts.box ? `:box=1:boxcolor=${opts.box}:boxborderw=${opts.border ?? 5}` : '') + (opts.enable ? `:enable='${opts.enable}'` : '');
  const box = (x, y, w, h, color) => `drawbox=x=${x}:y=${y}:w=${w}:h=${h}:color=${color}:t=fill`;
  const during = (a, b) => `gte(t,${(a / 1000).toFixed(3)})*lt(t,${(b / 1000).toFixed(3)})`;

  for (const [x, y, w, h, c] of s.boxes) f.push(box(x, y, w, h, c));
  // Shrink long scene text so it stays left of the chat panel (bold DejaVu ~0.68 em/char).
  const longest = Math.max(...s.text.split('\n').map((l) => l.length));
  const size = Math.min(20, Math.floor((CHAT_X - 12 - s.textX) / (longest * 0.68)));
  f.push(text(s.text, { x: s.textX, y: s.textY, size, bold: true, color: s.textColor ?? 'white', spacing: 6 }));
  if (s.ticker) f.push(text(s.ticker, { x: `w-mod(t*60\\,w+tw)`, y: 271, size: 15, color: 'white' }));

  // Top: caption and "synthetic" marker; top right: LIVE badge with the stream clock.
  f.push(box(0, 0, W, 44, 'black@0.65'));
  f.push(text(def.caption, { x: 10, y: 6, size: 16, bold: true }));
  f.push(text('SINTETIS / SYNTHETIC - semua nama & tempat fiktif', { x: 10, y: 27, size: 11, color: '0xcccccc' }));
  f.push(text(`LIVE %{pts:hms:${(def.segStartMs / 1000).toFixed(3)}}`, { x: 'w-tw-10', y: 52, size: 12, bold: true, box: 'red@0.9', border: 4, expand: true }));

  // Chat panel: for each interval between messages, draw the newest lines that fit.
  const px = CHAT_X;
  const py = 74;
  const ph = 188;
  const rows = Math.floor((ph - 24) / 15);
  f.push(box(px, py, W - px - 8, ph, 'black@0.45'));
  f.push(text('Live chat', { x: px + 8, y: py + 6, size: 11, color: '0xaaaaaa' }));
  const messages = []; // wrapped lines per message; only whole messages are shown
  def.chat.forEach(([at, author, msg], i) => {
    messages.push(wrap(`${author}: ${msg}`, 30).map((l, j) => (j ? `  ${l}` : l)));
    const shown = [];
    for (let k = messages.length - 1; k >= 0 && shown.length + messages[k].length <= rows; k--) shown.unshift(...messages[k]);
    const until = i + 1 < def.chat.length ? def.chat[i + 1][0] : def.durationMs + 1000;
    f.push(text(shown.join('\n'), { x: px + 8, y: py + 24, size: 11, spacing: 4, enable: during(at, until) }));
  });

  // Bottom: subtitles of the speech, shown while each line is spoken.
  for (const l of lines) {
    f.push(text(wrap(l.text, 62).join('\n'), { x: '(w-tw)/2', y: H - 52, size: 15, color: 'yellow', box: 'black@0.7', border: 5, enable: during(l.at_ms, l.end_ms) }));
  }
  return f.join(',');
}

function wrap(str, width) {
  const out = [];
  let cur = '';
  for (const word of str.split(/\s+/)) {
    if (cur && cur.length + 1 + word.length > width) {
      out.push(cur);
      cur = word;
    } else cur = cur ? `${cur} ${word}` : word;
  }
  if (cur) out.push(cur);
  return out;
}

// ---------------------------------------------------------------------------------------
// Files: content-addressed media, posters, probing
// ---------------------------------------------------------------------------------------

function storeContentAddressed(file, ext, mime) {
  const sha256 = sha256File(file);
  const rel = `media/${sha256.slice(0, 2)}/${sha256}.${ext}`;
  const dest = path.join(OUT, ...rel.split('/'));
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  fs.copyFileSync(file, dest);
  return { path: rel, sha256, bytes: fs.statSync(dest).size, mime };
}

// Poster = one frame from the clip, 1.5 s in (after the scene and first chat line appear)
// unless the clip says otherwise.
function makePoster(clipId, media, atMs = 1500) {
  const rel = `media/posters/${clipId}.jpg`;
  const dest = path.join(OUT, ...rel.split('/'));
  ffmpeg([
    '-ss', (atMs / 1000).toFixed(3), '-i', path.join(OUT, ...media.path.split('/')),
    '-frames:v', '1', '-q:v', '5', '-update', '1',
    '-threads', '1', '-map_metadata', '-1', '-fflags', '+bitexact', '-flags:v', '+bitexact',
    dest,
  ]);
  return { path: rel, sha256: sha256File(dest), bytes: fs.statSync(dest).size, mime: 'image/jpeg' };
}

function ffmpeg(args) {
  execFileSync('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', ...args], { stdio: ['ignore', 'inherit', 'inherit'] });
}

function ffprobe(file) {
  const out = execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration:stream=codec_type,width,height', '-of', 'json', file], { encoding: 'utf8' });
  const j = JSON.parse(out);
  const v = j.streams.find((st) => st.codec_type === 'video');
  // Round down so every at_ms we derive from the table can never exceed the real length.
  return { durationMs: Math.floor(Number(j.format.duration) * 1000), width: v.width, height: v.height };
}

function sha256File(file) {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

// ---------------------------------------------------------------------------------------
// pack.json clip objects
// ---------------------------------------------------------------------------------------

function buildClip(def, r, poster) {
  const durationMs = r.media.duration_ms;
  const startedMs = Date.parse(def.stream.started_at);
  const segment = { start_ms: def.segStartMs, end_ms: def.segStartMs + durationMs };
  const capturedMs = startedMs + segment.end_ms;
  const atOf = (at) => {
    if (typeof at === 'number') return at;
    if ('line' in at) return r.lines[at.line].at_ms + (at.plus ?? 0);
    if ('chat' in at) return def.chat[at.chat][0];
    throw new Error(`${def.id}: bad flag at ${JSON.stringify(at)}`);
  };

  const flags = def.flags.map((fl) => {
    const o = { source: fl.source, label: fl.label };
    if (fl.score !== undefined) o.score = fl.score;
    if (fl.count !== undefined) o.count = fl.count;
    if (fl.at !== undefined) o.at_ms = atOf(fl.at);
    if (fl.reference !== undefined) o.reference = fl.reference;
    if (fl.dueInMin !== undefined) o.due_at = wib(capturedMs + fl.dueInMin * 60_000);
    return o;
  });
  // An authority deadline wins; otherwise the ordinary review window.
  const authorityDue = def.flags.filter((fl) => fl.dueInMin !== undefined).map((fl) => capturedMs + fl.dueInMin * 60_000);
  const dueMs = authorityDue.length ? Math.min(...authorityDue) : capturedMs + def.dueHours * 3_600_000;

  return {
    id: def.id,
    captured_at: wib(capturedMs),
    media: r.media,
    poster,
    stream: def.stream,
    account: def.account,
    segment,
    flags,
    transcript: r.lines.map((l) => ({ at_ms: l.at_ms, end_ms: l.end_ms, text: l.text })),
    chat: def.chat.map(([at, author, text]) => ({ at_ms: at, author, text })),
    priority: def.priority,
    due_at: wib(dueMs),
    ...(def.extra ?? {}),
  };
}

// RFC 3339 in Western Indonesia Time (UTC+7), whole seconds.
function wib(ms) {
  const t = Math.floor(ms / 1000) * 1000 + 7 * 3_600_000;
  return new Date(t).toISOString().replace(/\.\d{3}Z$/, '+07:00');
}

// ---------------------------------------------------------------------------------------
// Self-check of the written pack, then a one-line summary.
// ---------------------------------------------------------------------------------------

function validate() {
  const pack = JSON.parse(fs.readFileSync(path.join(OUT, 'pack.json'), 'utf8'));
  const errors = [];
  const ids = new Set();
  const files = new Map(); // path -> sha256
  const checkFile = (clipId, field, ref) => {
    if (!/^[^/\\][^\\]*$/.test(ref.path) || ref.path.split('/').includes('..')) errors.push(`${clipId}.${field}.path not a safe relative path`);
    const abs = path.join(OUT, ...ref.path.split('/'));
    if (!fs.existsSync(abs)) return errors.push(`${clipId}.${field}: ${ref.path} missing`);
    if (fs.statSync(abs).size !== ref.bytes) errors.push(`${clipId}.${field}.bytes mismatch`);
    if (sha256File(abs) !== ref.sha256) errors.push(`${clipId}.${field}.sha256 mismatch`);
    if (files.has(ref.path) && files.get(ref.path) !== ref.sha256) errors.push(`${clipId}.${field}: ${ref.path} listed with two hashes`);
    files.set(ref.path, ref.sha256);
  };
  for (const c of pack.clips) {
    if (ids.has(c.id)) errors.push(`${c.id}: duplicate id`);
    ids.add(c.id);
    checkFile(c.id, 'media', c.media);
    checkFile(c.id, 'poster', c.poster);
    const d = c.media.duration_ms;
    if (d < MIN_CLIP_MS || d > MAX_CLIP_MS) errors.push(`${c.id}: duration ${d} ms outside ${MIN_CLIP_MS}-${MAX_CLIP_MS}`);
    if (c.segment.end_ms - c.segment.start_ms !== d) errors.push(`${c.id}: segment length != duration`);
    const times = [
      ...c.flags.filter((fl) => fl.at_ms !== undefined).map((fl) => ['flags.at_ms', fl.at_ms]),
      ...c.transcript.flatMap((t) => [['transcript.at_ms', t.at_ms], ['transcript.end_ms', t.end_ms]]),
      ...c.chat.map((m) => ['chat.at_ms', m.at_ms]),
    ];
    for (const [field, v] of times) if (!(v >= 0 && v <= d)) errors.push(`${c.id}.${field} = ${v} outside 0..${d}`);
    if (!c.flags.length) errors.push(`${c.id}: no flags`);
  }
  const shared = pack.clips.length - new Set(pack.clips.map((c) => c.media.path)).size;
  if (shared < 1) errors.push('no two clips share a media file');
  if (errors.length) fail(`self-check failed:\n  ${errors.join('\n  ')}`);

  const total = listFiles(OUT).reduce((sum, f) => sum + fs.statSync(f).size, 0);
  const mediaFiles = new Set(pack.clips.map((c) => c.media.path)).size;
  console.log(`demo pack ok: ${pack.clips.length} clips, ${mediaFiles} media files + ${pack.clips.length} posters, ${total} bytes total in ${path.relative(ROOT, OUT)}/`);
}

function listFiles(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

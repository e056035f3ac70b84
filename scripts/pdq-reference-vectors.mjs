#!/usr/bin/env node
// Writes src/shared/pdq/reference-vectors.json: the hash and quality that the C++ PDQ
// reference computes for each image in src/shared/pdq/fixtures/ (made by
// scripts/make-pdq-fixtures.mjs).
//
//   node scripts/pdq-reference-vectors.mjs /path/to/pdq-oracle
//
// The oracle is not part of this repository: it is the reference's own C++ (listed in
// REFERENCE below, at those commits) built with a small driver that reads binary PPM,
// converts to luma with the reference's fillFloatLumaFromRGB and hashes with its
// pdqHash256FromFloatLuma, printing "hex,quality,width,height,path" per file.
// docs/perceptual-hashes.md says how to build it. Each PNG is turned into PPM by ffmpeg;
// the SHA-256 of those RGB bytes is kept, so the test can check it decodes the very pixels
// the oracle hashed. Node built-ins and ffmpeg only.

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REFERENCE = {
  repository: 'facebook/ThreatExchange',
  files: {
    'pdq/cpp/hashing/pdqhashing.cpp': '0234393607957d573302487725d896c358026de7',
    'pdq/cpp/hashing/pdqhashing.h': '4a17f1e032fe25cfc56ed877e1f16b2e21b32124',
    'pdq/cpp/downscaling/downscaling.cpp': '6bce5cb890ecd652272b31998e4d4a30741152e5',
    'pdq/cpp/downscaling/downscaling.h': '0234393607957d573302487725d896c358026de7',
    'pdq/cpp/common/pdqhashtypes.h': '227522391d69c0f329b6f80790c1aadcbcd7d552',
    'pdq/cpp/common/pdqhashtypes.cpp': '0d6dca5c1ca4a074cb5b535cc750a7ae2230b5c8',
    'pdq/cpp/common/pdqhamming.h': '79302783d897c57ebf46e87f1b2b26f5bd18383d',
    'pdq/cpp/common/pdqbasetypes.h': 'da854faa6ff5abfab3aebe206760a85dcdac176a',
    'pdq/cpp/hashing/torben.cpp': '(the reference text; its commit id was not available where the oracle was built)',
  },
  build: 'g++ -g -std=c++11 -O3 (the reference Makefile\'s flags), x86-64, no -march (no FMA contraction)',
};

const oracle = process.argv[2];
if (!oracle || !fs.existsSync(oracle)) {
  console.error('usage: node scripts/pdq-reference-vectors.mjs /path/to/pdq-oracle');
  process.exit(2);
}
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const fixtures = path.join(root, 'src/shared/pdq/fixtures');
const inputs = JSON.parse(fs.readFileSync(path.join(fixtures, 'inputs.json'), 'utf8'));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pdq-vectors-'));

/** RGB bytes of a binary PPM (P6, maxval 255). */
function ppmPixels(file) {
  const buf = fs.readFileSync(file);
  const header = /^P6\s+(\d+)\s+(\d+)\s+255\s/.exec(buf.subarray(0, 64).toString('latin1'));
  if (!header) throw new Error(`${file}: not a P6/255 PPM`);
  return { width: Number(header[1]), height: Number(header[2]), rgb: buf.subarray(header[0].length) };
}

const vectors = [];
for (const input of inputs) {
  const ppm = path.join(tmp, `${input.name}.ppm`);
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', '-i', path.join(fixtures, input.file), '-pix_fmt', 'rgb24', '-f', 'image2', '-c:v', 'ppm', ppm]);
  const { width, height, rgb } = ppmPixels(ppm);
  if (rgb.length !== width * height * 3) throw new Error(`${ppm}: ${rgb.length} bytes for ${width}x${height}`);
  const line = execFileSync(oracle, [ppm], { encoding: 'utf8' }).trim();
  const [hex, quality, w, h] = line.split(',');
  if (!/^[0-9a-f]{64}$/.test(hex) || Number(w) !== width || Number(h) !== height) throw new Error(`oracle said ${JSON.stringify(line)}`);
  vectors.push({ name: input.name, file: input.file, width, height, rgbSha256: createHash('sha256').update(rgb).digest('hex'), hex, quality: Number(quality) });
}
fs.rmSync(tmp, { recursive: true, force: true });

const out = {
  note:
    'Expected PDQ hash and quality per fixture, computed by the C++ reference (the files and commits below, unmodified in every function used) from the RGB bytes whose SHA-256 is given. Made by scripts/pdq-reference-vectors.mjs; see docs/perceptual-hashes.md.',
  reference: REFERENCE,
  vectors,
};
const target = path.join(root, 'src/shared/pdq/reference-vectors.json');
fs.writeFileSync(target, `${JSON.stringify(out, null, 2)}\n`);
console.log(`${vectors.length} vectors written to ${path.relative(root, target)}`);

#!/usr/bin/env node
// Optional: checks our PDQ port against the hashes the reference publishes for its own test
// images (facebook/ThreatExchange pdq/python/pdqhashing/tests/pdq_test.py), where those
// images are at hand. They are not in this repository (binary JPEG/PNG from pdq/data/), so
// this is not part of the unit tests; docs/perceptual-hashes.md says why and what the
// tests prove instead.
//
//   npx tsx scripts/pdq-reference-check.mjs DIR
//
// DIR holds the reference's images decoded to binary PPM (P6, 8-bit RGB), named after the
// image without its folder: bridge-1-original.ppm, q0003.ppm, b.ppm, … For example, from a
// ThreatExchange checkout:
//   for f in pdq/data/misc-images/{b.jpg,c.png,small.jpg,wee.jpg} pdq/data/reg-test-input/*/*.jpg; do
//     n=$(basename "${f%.*}"); ffmpeg -v error -i "$f" -frames:v 1 -pix_fmt rgb24 -f image2 -c:v ppm "DIR/$n.ppm"; done
// Decoders differ in the last bit of a pixel (and the Python reference first shrinks
// images to fit 512x512), so the published hashes are met within a distance, as the
// reference's own test does: at most 16 bits (its tolerance). Exits 1 if any image is
// farther, or if none was found; images not found are listed and skipped.

import fs from 'node:fs';
import path from 'node:path';
import { pdqHash } from '../src/shared/pdq/pdq.ts';
import { hammingDistance, parseHash256 } from '../src/shared/pdq/hash256.ts';

/** pdq_test.py's expected hashes (its get_data), by image path under pdq/data/. */
const PUBLISHED = [
  ['misc-images/b.jpg', 'd8f8f0cce0f4a84f0e370a22028f67f0b36e2ed596623e1d33e6b39c4e9c9b22'],
  ['misc-images/c.png', 'e64cc9d91e623842f8d1f1d9a398e78c9f199a3bd87924f2b7e11e0bf061b064'],
  ['misc-images/small.jpg', '0007001f003f003f007f00ff00ff00ff01ff01ff01ff03ff03ff03ff03ff03ff'],
  ['misc-images/wee.jpg', '6227401f601ff4ccafcc9fad4b0d95d371a2eb7265a3285234d228ca94deeb2d'],
  ['reg-test-input/labelme-subset/q0003.jpg', '54a977c221d14c1c43ba5e6e21d4a13989a3553f1462611cbb85fda7be83b677'],
  ['reg-test-input/labelme-subset/q0004.jpg', '992d44af36d69e6ca6b812585928bac11def254ef5398c6d07466c9abcc65b92'],
  ['reg-test-input/labelme-subset/q0122.jpg', 'cfb2009ddd21c6dab0046a7745b5984757a8a4535b3377aea2591d32b33ff940'],
  ['reg-test-input/labelme-subset/q0291.jpg', 'a0fe94f1e5cc1cc8dd855948498dc9243f7ca27336f036d7f212b74bc103c9a7'],
  ['reg-test-input/labelme-subset/q0746.jpg', '1049d96239e24d4dca2c55512b8bdb77425f4dbcf575a0a95555aaab5554aaaa'],
  ['reg-test-input/labelme-subset/q1050.jpg', '489db672e9190276d452aeab41eba20f02375fe4092d88defdf491a5c55c5f70'],
  ['reg-test-input/labelme-subset/q2821.jpg', 'b150231ffae4710ffcf4f18bb574b109a576f14bb8543189f8743289f174b109'],
  ['reg-test-input/dih/bridge-1-original.jpg', 'd8f8f0cce0f4a84f0e370a22028f67f0b36e2ed596623e1d33e6b39c4e9c9b22'],
  ['reg-test-input/dih/bridge-2-rotate-90.jpg', '38a50efd71c83f429013d68d0ffffc52e34e0e15ada952a9d29684214aa9e5af'],
  ['reg-test-input/dih/bridge-3-rotate-180.jpg', '2dadda64b5a142e5d362209057da895ae63b8c7fc277b4b766b319361f893188'],
  ['reg-test-input/dih/bridge-4-rotate-270.jpg', 'a5f0a457248995e8c9065c275aaa54d8b61ba4bdf8fcfc0387c32f8b0bfc4f05'],
  ['reg-test-input/dih/bridge-5-flipx.jpg', 'd8f80f31e0f417b00e37f5dd028f980fb36ed12a9662c1e233e64c634e9c64dd'],
  ['reg-test-input/dih/bridge-6-flipy.jpg', '0dad259bb1a1bd18d362576556da32a1e63b7380c2374b4866b3c6c91b89ce77'],
  ['reg-test-input/dih/bridge-7-flip-plus-1.jpg', 'f0a5e10271dcc0bd9c5309720fff018de34ef1e8ada9a956d2967ade1ea91a50'],
  ['reg-test-input/dih/bridge-8-flip-minus-1.jpg', '69f05aa8a4996a17c146a2da5aaaab07b61b5b60f8fc07fc83c3d0740bfcb0fa'],
];
const TOLERANCE = 16;

function readPpm(file) {
  const buf = fs.readFileSync(file);
  const header = /^P6\s+(\d+)\s+(\d+)\s+255\s/.exec(buf.subarray(0, 64).toString('latin1'));
  if (!header) throw new Error(`${file}: not a binary 8-bit PPM (P6, maxval 255)`);
  const width = Number(header[1]);
  const height = Number(header[2]);
  return { data: new Uint8Array(buf.buffer, buf.byteOffset + header[0].length, width * height * 3), width, height, channels: 3 };
}

const dir = process.argv[2];
if (!dir || !fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) {
  console.error('usage: npx tsx scripts/pdq-reference-check.mjs DIR   (DIR: the reference images as NAME.ppm)');
  process.exit(2);
}
let checked = 0;
let failed = 0;
const missing = [];
for (const [image, expected] of PUBLISHED) {
  const file = path.join(dir, `${path.basename(image, path.extname(image))}.ppm`);
  if (!fs.existsSync(file)) {
    missing.push(path.basename(file));
    continue;
  }
  const got = pdqHash(readPpm(file));
  const d = hammingDistance(got.hash, parseHash256(expected));
  const ok = d <= TOLERANCE;
  checked++;
  if (!ok) failed++;
  console.log(`${ok ? 'ok  ' : 'FAR '} ${String(d).padStart(3)} bits  quality ${String(got.quality).padStart(3)}  ${image}  ${got.hex}`);
}
if (missing.length) console.log(`not found in ${dir}, skipped: ${missing.join(', ')}`);
console.log(`${checked} checked, ${failed} farther than ${TOLERANCE} bits from the published hash`);
process.exit(failed || checked === 0 ? 1 : 0);

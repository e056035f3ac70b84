#!/usr/bin/env node
// Makes the PDQ test images in src/shared/pdq/fixtures/ (8-bit RGB PNGs) and their list
// fixtures/inputs.json. The hashes and qualities expected for them come from the C++
// reference, not from here: see scripts/pdq-reference-vectors.mjs and
// docs/perceptual-hashes.md.
//
//   node scripts/make-pdq-fixtures.mjs
//
// Inputs: single frames of the demo pack's videos (and transformed copies: re-encoded at a
// low bitrate, scaled to half, a JPEG round trip), ffmpeg test sources at odd and
// non-square sizes (odd sizes cropped in RGB, since the YUV sources round them; down to 1x1, and 64x64, which the reference hashes without
// downsampling), a flat grey image and a deterministic high-frequency pattern. Everything
// is single-threaded and seeded, yet ffmpeg's gradients source still differs from run to
// run: the committed PNGs, not this script, are the inputs of record (re-running it means
// re-running scripts/pdq-reference-vectors.mjs too). Needs ffmpeg (with libx264). Node
// built-ins only.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = path.join(root, 'src/shared/pdq/fixtures');
const media = (prefix) => {
  const dir = path.join(root, 'resources/demo/media', prefix.slice(0, 2));
  const name = fs.readdirSync(dir).find((f) => f.startsWith(prefix));
  if (!name) throw new Error(`demo media ${prefix}… not found: run npm run demo:make`);
  return path.join(dir, name);
};

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pdq-fixtures-'));
const ffmpeg = (args) => execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', '-threads', '1', '-filter_threads', '1', ...args], { stdio: ['ignore', 'inherit', 'inherit'] });

/** One frame as an RGB PNG, with an optional filter chain. */
const frame = (input, out, { at, vf } = {}) =>
  ffmpeg([...(at === undefined ? [] : ['-ss', String(at)]), '-i', input, '-frames:v', '1', ...(vf ? ['-vf', vf] : []), '-pix_fmt', 'rgb24', '-f', 'image2', '-c:v', 'png', out]);

const lavfi = (source, out, vf) => ffmpeg(['-f', 'lavfi', '-i', source, '-frames:v', '1', ...(vf ? ['-vf', vf] : []), '-pix_fmt', 'rgb24', '-c:v', 'png', out]);

/** name → what it is; order is the order of inputs.json. */
const made = [];
const make = (name, what, fn) => {
  const file = path.join(outDir, `${name}.png`);
  fn(file);
  made.push({ name, file: `${name}.png`, what });
};

fs.rmSync(outDir, { recursive: true, force: true });
fs.mkdirSync(outDir, { recursive: true });

// --- demo pack frames (640x360) and transformed copies of one of them -------------------
const riot = media('8222aefd'); // the original of the demo's "Re-live"
make('demo-8222-t3', 'demo video 8222aefd…, frame at 3 s (640x360, VP9)', (f) => frame(riot, f, { at: 3 }));
const lowRate = path.join(tmp, 'low.mp4');
ffmpeg(['-i', riot, '-an', '-c:v', 'libx264', '-preset', 'veryfast', '-b:v', '150k', '-pix_fmt', 'yuv420p', lowRate]);
make('demo-8222-t3-x264-150k', 'the same video re-encoded with x264 at 150 kbit/s, frame at 3 s', (f) => frame(lowRate, f, { at: 3 }));
make('demo-8222-t3-half', 'the same frame scaled to half size (320x180, bicubic)', (f) => frame(riot, f, { at: 3, vf: 'scale=320:180:flags=bicubic' }));
const jpeg = path.join(tmp, 'q.jpg');
frame(riot, jpeg, { at: 3 });
ffmpeg(['-i', path.join(outDir, 'demo-8222-t3.png'), '-q:v', '25', '-c:v', 'mjpeg', '-pix_fmt', 'yuvj420p', jpeg]);
make('demo-8222-t3-jpeg-q25', 'the same frame through a low-quality JPEG round trip', (f) => frame(jpeg, f));
make('demo-8222-t3-blur', 'the same frame blurred (Gaussian, sigma 12)', (f) =>
  frame(path.join(outDir, 'demo-8222-t3.png'), f, { vf: 'format=rgb24,gblur=sigma=12' }));
make('demo-8222-t3-faint', 'the same frame at a fifth of its contrast: a low quality score', (f) =>
  frame(path.join(outDir, 'demo-8222-t3.png'), f, { vf: 'format=rgb24,lutrgb=r=128+(val-128)/5:g=128+(val-128)/5:b=128+(val-128)/5' }));
make('demo-8222-t1', 'demo video 8222aefd…, frame at 1 s', (f) => frame(riot, f, { at: 1 }));
make('demo-9241-t3', 'demo video 924163f7…, frame at 3 s', (f) => frame(media('924163f7'), f, { at: 3 }));
make('demo-ce39-t2', 'demo video ce39134a…, frame at 2 s', (f) => frame(media('ce39134a'), f, { at: 2 }));
make('demo-f899-t4', 'demo video f899fdd9… (the H.264 MP4), frame at 4 s', (f) => frame(media('f899fdd9'), f, { at: 4 }));
make('demo-9380-t5', 'demo video 9380cd77…, frame at 5 s', (f) => frame(media('9380cd77'), f, { at: 5 }));

// --- ffmpeg test sources at several sizes ------------------------------------------------
make('testsrc2-640x360', 'ffmpeg testsrc2, 640x360', (f) => lavfi('testsrc2=size=640x360:rate=1', f));
make('smptebars-1280x720', 'ffmpeg smptebars, 1280x720', (f) => lavfi('smptebars=size=1280x720:rate=1', f));
make('mandelbrot-63x47', 'ffmpeg mandelbrot, 63x47', (f) => lavfi('mandelbrot=size=63x47:rate=1', f));
make('gradients-2000x30', 'ffmpeg gradients, 2000x30 (a very wide strip)', (f) => lavfi('gradients=size=2000x30:rate=1:seed=7', f));
make('gradients-333x500', 'ffmpeg gradients, 333x500 (portrait, odd width)', (f) => lavfi('gradients=size=333x500:rate=1:seed=11:type=radial', f));
make('rgbtestsrc-360x640', 'ffmpeg rgbtestsrc, 360x640 (portrait)', (f) => lavfi('rgbtestsrc=size=360x640:rate=1', f));
make('testsrc2-64x64', 'ffmpeg testsrc2, 64x64 (the reference skips downsampling at exactly 64x64)', (f) => lavfi('testsrc2=size=64x64:rate=1', f));
make('testsrc2-65x64', 'ffmpeg testsrc2, 65x64 (one column more: downsampled)', (f) => lavfi('testsrc2=size=66x64:rate=1', f, 'format=rgb24,crop=65:64:0:0'));
make('testsrc2-5x5', 'ffmpeg testsrc2, 5x5 (the smallest size the reference hashes)', (f) => lavfi('testsrc2=size=6x6:rate=1', f, 'format=rgb24,crop=5:5:0:0'));
make('testsrc2-4x4', 'ffmpeg testsrc2, 4x4 (below the minimum: zero hash, quality 0)', (f) => lavfi('testsrc2=size=4x4:rate=1', f));
make('testsrc2-1x1', 'one pixel of ffmpeg testsrc2 (1x1)', (f) => lavfi('testsrc2=size=16x16:rate=1', f, 'format=rgb24,crop=1:1:5:5'));
make('grey-320x240', 'flat grey 0x808080, 320x240 (no gradients: quality 0)', (f) => lavfi('color=c=0x808080:size=320x240:rate=1', f));
make('pattern-257x129', 'a deterministic high-frequency pattern, 257x129 (every pixel differs from its neighbours)', (f) =>
  lavfi('color=c=black:size=258x130:rate=1', f, "format=rgb24,crop=257:129:0:0,geq=r='mod(X*X*31+Y*17+X*Y*7\\,256)':g='mod(X*13+Y*Y*29+X*Y*3\\,256)':b='mod(X*Y*11+X*5+Y*23\\,256)'"));

fs.writeFileSync(path.join(outDir, 'inputs.json'), `${JSON.stringify(made, null, 2)}\n`);
fs.rmSync(tmp, { recursive: true, force: true });
const bytes = made.reduce((n, m) => n + fs.statSync(path.join(outDir, m.file)).size, 0);
console.log(`${made.length} images, ${(bytes / 1024).toFixed(0)} KiB in ${path.relative(root, outDir)}`);

#!/usr/bin/env node
// Draws the tray icons (one per state) and the app icon into build/icons/. Run once; the files
// are committed. A ring with a centre dot, coloured by state, as PNG (Linux) and .ico (Windows:
// 16-48 px in one file, PNG-compressed entries, so the tray picks the size for the screen's DPI).
// macOS gets template images (`…Template.png`, black + alpha, which the menu bar tints for light
// and dark mode); being monochrome they tell the state by shape: ring + dot (idle), ring
// (syncing), disc (error), dot (not configured).
import { deflateSync } from 'node:zlib';
import { mkdirSync, writeFileSync } from 'node:fs';

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (buf) => {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const chunk = (type, data) => {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
};

const SHAPES = {
  idle: (d) => (d > 0.62 && d < 0.92) || d < 0.34,
  syncing: (d) => d > 0.62 && d < 0.92,
  error: (d) => d < 0.92,
  'not-configured': (d) => d < 0.34,
};

function png(size, [r, g, b], shape = SHAPES.idle) {
  const rows = [];
  const c = (size - 1) / 2;
  for (let y = 0; y < size; y++) {
    const row = Buffer.alloc(1 + size * 4);
    for (let x = 0; x < size; x++) {
      const d = Math.hypot(x - c, y - c) / (size / 2);
      const a = shape(d) ? 255 : 0;
      row.set([r, g, b, a], 1 + x * 4);
    }
    rows.push(row);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** An .ico holding PNG images (Windows Vista and later read PNG entries). */
function ico(images) {
  const header = Buffer.alloc(6);
  header.writeUInt16LE(1, 2);
  header.writeUInt16LE(images.length, 4);
  const entries = [];
  let offset = 6 + 16 * images.length;
  for (const { size, data } of images) {
    const e = Buffer.alloc(16);
    e[0] = size >= 256 ? 0 : size;
    e[1] = size >= 256 ? 0 : size;
    e.writeUInt16LE(1, 4);
    e.writeUInt16LE(32, 6);
    e.writeUInt32LE(data.length, 8);
    e.writeUInt32LE(offset, 12);
    offset += data.length;
    entries.push(e);
  }
  return Buffer.concat([header, ...entries, ...images.map((i) => i.data)]);
}

mkdirSync('build/icons', { recursive: true });
const colours = { idle: [46, 160, 67], syncing: [31, 111, 235], error: [218, 54, 51], 'not-configured': [140, 149, 159] };
for (const [name, rgb] of Object.entries(colours)) {
  writeFileSync(`build/icons/tray-${name}.png`, png(32, rgb));
  writeFileSync(`build/icons/tray-${name}@2x.png`, png(64, rgb));
  writeFileSync(`build/icons/tray-${name}.ico`, ico([16, 24, 32, 48].map((size) => ({ size, data: png(size, rgb) }))));
  writeFileSync(`build/icons/tray-${name}Template.png`, png(16, [0, 0, 0], SHAPES[name]));
  writeFileSync(`build/icons/tray-${name}Template@2x.png`, png(32, [0, 0, 0], SHAPES[name]));
}
writeFileSync('build/icon.png', png(512, colours.syncing));
console.log('icons written to build/');

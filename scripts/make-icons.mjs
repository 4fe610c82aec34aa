#!/usr/bin/env node
// Draws the tray icons (one per state) and the app icon as PNG files in build/icons/.
// Run once; the PNGs are committed. A ring with a centre dot, coloured by state.
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

function png(size, [r, g, b]) {
  const rows = [];
  const c = (size - 1) / 2;
  for (let y = 0; y < size; y++) {
    const row = Buffer.alloc(1 + size * 4);
    for (let x = 0; x < size; x++) {
      const d = Math.hypot(x - c, y - c) / (size / 2);
      const ring = d > 0.62 && d < 0.92;
      const dot = d < 0.34;
      const a = ring || dot ? 255 : 0;
      row.set([r, g, b, a], 1 + x * 4);
    }
    rows.push(row);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.concat(rows))), chunk('IEND', Buffer.alloc(0))]);
}

mkdirSync('build/icons', { recursive: true });
const colours = { idle: [46, 160, 67], syncing: [31, 111, 235], error: [218, 54, 51], 'not-configured': [140, 149, 159] };
for (const [name, rgb] of Object.entries(colours)) {
  writeFileSync(`build/icons/tray-${name}.png`, png(32, rgb));
  writeFileSync(`build/icons/tray-${name}@2x.png`, png(64, rgb));
}
writeFileSync('build/icon.png', png(512, colours.syncing));
console.log('icons written to build/');

/**
 * The symbols a native addon (.node file) exports, read from the file itself: ELF (Linux, the
 * dynamic symbol table), PE (Windows, the export directory) and Mach-O (macOS, the symbol table;
 * universal binaries too). Enough to tell an N-API addon (exports `napi_register_module_v1`,
 * https://nodejs.org/api/n-api.html#module-registration) from one built against one runtime's
 * NODE_MODULE_VERSION (exports `node_register_module_v<ABI>`).
 */
import { readFileSync } from 'node:fs';

export type BinaryFormat = 'elf' | 'pe' | 'mach-o';

export interface NativeExports {
  format: BinaryFormat;
  /** Defined, exported symbol names (Mach-O's leading underscore removed). */
  symbols: Set<string>;
}

export function readNativeExports(path: string): NativeExports {
  const buf = readFileSync(path);
  if (buf.readUInt32BE(0) === 0x7f454c46) return { format: 'elf', symbols: elfDynamicSymbols(buf) };
  if (buf.readUInt16LE(0) === 0x5a4d) return { format: 'pe', symbols: peExports(buf) };
  const magic = buf.readUInt32BE(0);
  if (magic === 0xcafebabe) return { format: 'mach-o', symbols: fatMachOSymbols(buf) };
  if ([0xcffaedfe, 0xcefaedfe].includes(magic)) return { format: 'mach-o', symbols: machOSymbols(buf, 0) };
  throw new Error(`${path} is neither ELF, PE nor Mach-O`);
}

/** True when the addon registers through N-API (loads in any runtime with that N-API version). */
export const isNapiAddon = (e: NativeExports): boolean => e.symbols.has('napi_register_module_v1');

function cstring(buf: Buffer, at: number): string {
  const end = buf.indexOf(0, at);
  return buf.toString('latin1', at, end < 0 ? buf.length : end);
}

function elfDynamicSymbols(buf: Buffer): Set<string> {
  const is64 = buf[4] === 2;
  const le = buf[5] === 1;
  const u16 = (o: number) => (le ? buf.readUInt16LE(o) : buf.readUInt16BE(o));
  const u32 = (o: number) => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const word = (o: number) => (is64 ? Number(le ? buf.readBigUInt64LE(o) : buf.readBigUInt64BE(o)) : u32(o));
  const shoff = word(is64 ? 0x28 : 0x20);
  const shentsize = u16(is64 ? 0x3a : 0x2e);
  const shnum = u16(is64 ? 0x3c : 0x30);
  const section = (i: number) => {
    const o = shoff + i * shentsize;
    return {
      type: u32(o + 4),
      offset: word(o + (is64 ? 0x18 : 0x10)),
      size: word(o + (is64 ? 0x20 : 0x14)),
      link: u32(o + (is64 ? 0x28 : 0x18)),
      entsize: word(o + (is64 ? 0x38 : 0x24)),
    };
  };
  const out = new Set<string>();
  for (let i = 0; i < shnum; i++) {
    const s = section(i);
    if (s.type !== 11) continue; // SHT_DYNSYM
    const strtab = section(s.link);
    const entsize = s.entsize || (is64 ? 24 : 16);
    for (let o = s.offset + entsize; o < s.offset + s.size; o += entsize) {
      const name = u32(o);
      const shndx = u16(o + (is64 ? 6 : 14));
      if (shndx !== 0 && name !== 0) out.add(cstring(buf, strtab.offset + name));
    }
  }
  return out;
}

function peExports(buf: Buffer): Set<string> {
  const pe = buf.readUInt32LE(0x3c);
  if (buf.readUInt32LE(pe) !== 0x4550) throw new Error('not a PE image');
  const sections = buf.readUInt16LE(pe + 6);
  const optSize = buf.readUInt16LE(pe + 20);
  const opt = pe + 24;
  const dataDirs = opt + (buf.readUInt16LE(opt) === 0x20b ? 112 : 96);
  const exportRva = buf.readUInt32LE(dataDirs);
  const out = new Set<string>();
  if (!exportRva) return out;
  const table = opt + optSize;
  const toOffset = (rva: number) => {
    for (let i = 0; i < sections; i++) {
      const s = table + i * 40;
      const va = buf.readUInt32LE(s + 12);
      const size = Math.max(buf.readUInt32LE(s + 8), buf.readUInt32LE(s + 16));
      if (rva >= va && rva < va + size) return rva - va + buf.readUInt32LE(s + 20);
    }
    throw new Error(`RVA ${rva} is in no section`);
  };
  const dir = toOffset(exportRva);
  const names = buf.readUInt32LE(dir + 24);
  const nameTable = toOffset(buf.readUInt32LE(dir + 32));
  for (let i = 0; i < names; i++) out.add(cstring(buf, toOffset(buf.readUInt32LE(nameTable + i * 4))));
  return out;
}

function fatMachOSymbols(buf: Buffer): Set<string> {
  const out = new Set<string>();
  const n = buf.readUInt32BE(4);
  for (let i = 0; i < n; i++) for (const s of machOSymbols(buf, buf.readUInt32BE(8 + i * 20 + 8))) out.add(s);
  return out;
}

function machOSymbols(buf: Buffer, base: number): Set<string> {
  const is64 = buf.readUInt32LE(base) === 0xfeedfacf;
  const ncmds = buf.readUInt32LE(base + 16);
  const out = new Set<string>();
  let o = base + (is64 ? 32 : 28);
  for (let i = 0; i < ncmds; i++) {
    const cmd = buf.readUInt32LE(o);
    if (cmd === 0x2) {
      // LC_SYMTAB
      const symoff = base + buf.readUInt32LE(o + 8);
      const nsyms = buf.readUInt32LE(o + 12);
      const stroff = base + buf.readUInt32LE(o + 16);
      const size = is64 ? 16 : 12;
      for (let j = 0; j < nsyms; j++) {
        const e = symoff + j * size;
        const type = buf[e + 4]!;
        // N_EXT and N_SECT: an external symbol defined in this image.
        if (type & 0x01 && (type & 0x0e) === 0x0e) out.add(cstring(buf, stroff + buf.readUInt32LE(e)).replace(/^_/, ''));
      }
    }
    o += buf.readUInt32LE(o + 4);
  }
  return out;
}

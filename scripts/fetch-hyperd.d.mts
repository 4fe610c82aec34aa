/** Types of scripts/fetch-hyperd.mjs, for its test. */
export declare const RELEASE: { version: string; buildId: string; sha256: Record<string, string> };
export declare const SLUG: Record<string, string>;
export declare class FetchHyperdError extends Error {}
export declare function hyperdLocation(platform: string): { dir: string[]; exe: string };
export declare function verifyChecksum(zip: Buffer, target: string): void;
export declare function installHyperd(opts: { zipPath: string; target: string; dest: string }): string;

/** Types of scripts/build.mjs, for the tests that build and inspect the main bundle. */
import type { Metafile } from 'esbuild';
export declare const MAIN_EXTERNALS: string[];
export declare function buildMain(opts?: { outDir?: string }): Promise<Metafile>;
export declare function buildPreload(opts?: { outDir?: string }): Promise<void>;

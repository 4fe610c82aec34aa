/** Types of scripts/build-renderer.mjs, for the browser tests that build the renderer first. */
export declare const CONTENT_SECURITY_POLICY: string;
export declare function buildRenderer(opts?: { outDir?: string }): Promise<string>;

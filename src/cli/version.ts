/**
 * zxb's version: package.json's, put in by scripts/build.mjs (esbuild `define`), so
 * there is no second copy to keep in step. Unbundled (tsx) it is unknown.
 */
declare const __ZXB_VERSION__: string | undefined;

export const VERSION: string = typeof __ZXB_VERSION__ === 'string' ? __ZXB_VERSION__ : '0.0.0-unbundled';

/**
 * How typed-array code runs: 'simd', WebAssembly with its SIMD extension (src/linalg/wasm/*), or
 * 'loops', plain JavaScript loops that give the same results where WebAssembly SIMD is missing.
 */
export type Engine = 'simd' | 'loops';

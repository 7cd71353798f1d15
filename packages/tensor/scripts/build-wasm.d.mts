/** The hand-written module, src/backends/wasm/gemm.wat. */
export declare const watPath: string;
/** The committed output, src/backends/wasm/gemm-wasm.generated.ts. */
export declare const generatedPath: string;
/** The text of the generated TypeScript file for the current .wat. */
export declare function generateGemmModule(): Promise<string>;

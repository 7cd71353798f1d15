/** The hand-written module, src/kernels/wasm/norm.wat. */
export declare const watPath: string;
/** The committed output, src/kernels/wasm/norm-wasm.generated.ts. */
export declare const generatedPath: string;
/** The text of the generated TypeScript file for the current .wat. */
export declare function generateNormModule(): Promise<string>;

/** The hand-written module, src/kernels/wasm/sgd.wat. */
export declare const watPath: string;
/** The committed output, src/kernels/wasm/sgd-wasm.generated.ts. */
export declare const generatedPath: string;
/** The text of the generated TypeScript file for the current .wat. */
export declare function generateSgdModule(): Promise<string>;

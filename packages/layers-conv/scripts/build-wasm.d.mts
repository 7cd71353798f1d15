/** The hand-written module, src/kernels/wasm/conv.wat. */
export declare const watPath: string;
/** The committed output, src/kernels/wasm/conv-wasm.generated.ts. */
export declare const generatedPath: string;
/** The text of the generated TypeScript file for the current .wat. */
export declare function generateConvModule(): Promise<string>;

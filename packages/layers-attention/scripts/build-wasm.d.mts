/** The hand-written module, src/wasm/attention.wat. */
export declare const watPath: string;
/** The committed output, src/wasm/attention-wasm.generated.ts. */
export declare const generatedPath: string;
/** The text of the generated TypeScript file for the current .wat. */
export declare function generateAttentionModule(): Promise<string>;

export function formatError(value: number): string;
export function paritySummary(parity: unknown): { cases: number; layerCases: number; failures: number; worst: number; classes: number };
export function formatParity(parity: unknown): string;
export function formatPerformance(bench: unknown): string;
export function formatHeadline(parity: unknown, bench: unknown): string;

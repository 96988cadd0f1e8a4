import type { NgramSignal } from "../moderation/verdict.ts";

/**
 * The abuse classifier: logistic regression over hashed character n-grams (1-3) of the engine's
 * canonical text (so Traditional, Simplified and evasion spellings meet in one form). Trained offline
 * by scripts/train.ts; the service only loads models/abuse-classifier.json.
 */
export interface ModelFile {
  kind: "hashed-char-ngram-logistic-regression";
  version: string;
  bits: number;
  maxN: number;
  bias: number;
  /** Float32, little-endian, base64: one weight per hash bucket. */
  weights: string;
  training: Record<string, unknown>;
  dev: { macroF1: number; rocAuc: number; accuracy: number };
}

export interface Classification {
  probability: number;
  /** The n-grams that pushed the score up most, for the moderator. */
  topNgrams: NgramSignal[];
}

export interface Classifier {
  version: string;
  classify(canonicalText: string): Classification;
}

/** FNV-1a over the n-gram, folded into the table. */
export function bucketOf(ngram: string, mask: number): number {
  let hash = 2166136261;
  for (let i = 0; i < ngram.length; i++) {
    hash ^= ngram.charCodeAt(i);
    hash = Math.imul(hash, 16777619);
  }
  return (hash >>> 0) & mask;
}

/** Distinct character n-grams of 1..maxN of the canonical text, with start and end markers. */
export function ngramsOf(canonicalText: string, maxN: number): string[] {
  const text = `^${canonicalText}$`;
  const seen = new Set<string>();
  for (let n = 1; n <= maxN; n++) {
    for (let i = 0; i + n <= text.length; i++) seen.add(text.slice(i, i + n));
  }
  return [...seen];
}

export const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

export function decodeWeights(base64: string): Float32Array {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return new Float32Array(bytes.buffer);
}

export function encodeWeights(weights: Float32Array): string {
  const bytes = new Uint8Array(weights.buffer, weights.byteOffset, weights.byteLength);
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

export function loadClassifier(file: ModelFile, topN = 5): Classifier {
  if (file.kind !== "hashed-char-ngram-logistic-regression") throw new Error(`unknown model kind ${String(file.kind)}`);
  const weights = decodeWeights(file.weights);
  if (weights.length !== 1 << file.bits) throw new Error(`model ${file.version}: expected ${1 << file.bits} weights, got ${weights.length}`);
  const mask = (1 << file.bits) - 1;
  return {
    version: file.version,
    classify(canonicalText) {
      let z = file.bias;
      const contributions: NgramSignal[] = [];
      for (const ngram of ngramsOf(canonicalText, file.maxN)) {
        const weight = weights[bucketOf(`${ngram.length}${ngram}`, mask)]!;
        z += weight;
        if (weight > 0 && ngram !== "^" && ngram !== "$") contributions.push({ ngram, weight });
      }
      contributions.sort((a, b) => b.weight - a.weight);
      return {
        probability: sigmoid(z),
        topNgrams: contributions.slice(0, topN).map((c) => ({ ngram: c.ngram, weight: Number(c.weight.toFixed(3)) })),
      };
    },
  };
}

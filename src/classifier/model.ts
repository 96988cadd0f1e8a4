import { CATEGORIES, type Category } from "../categories.ts";

/** A character n-gram of the canonical text and the weight it added to the classifier's score. */
export interface NgramSignal {
  ngram: string;
  weight: number;
}

/**
 * The abuse classifier: logistic regressions over hashed character n-grams (1-3) of the engine's
 * canonical text (so Traditional, Simplified and evasion spellings meet in one form). Two experts — one
 * trained on the project's Taiwanese news comments, one on COLD (mainland social media) — are mixed by a
 * gate, a third regression that tells how much a text reads like COLD's domain: a comment about 颱風假
 * is scored by the Taiwanese expert, implicit bias about region or gender in mainland phrasing by COLD's.
 * Trained offline by scripts/train.ts; the service only loads models/abuse-classifier.json.
 */
export interface LinearScorer {
  bits: number;
  bias: number;
  /** A bucket's weight is its signed byte times this. */
  scale: number;
  /** Int8, base64: one quantized weight per hash bucket (see quantizeWeights). */
  weights: string;
}

export interface ModelFile {
  kind: "hashed-char-ngram-gated-experts-int8";
  version: string;
  maxN: number;
  taiwan: LinearScorer;
  cold: LinearScorer;
  /** The probability that a text is of COLD's domain: the weight of COLD's expert. */
  gate: LinearScorer;
  /**
   * Which kind of abuse a held comment most looks like: one linear scorer per category over the same
   * n-grams in a smaller table, trained on abusive lines only (the largest score names the category).
   */
  categories: { names: Category[]; bits: number; biases: number[]; scale: number; weights: string };
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
  /** The category, of those given, whose scorer gives the text the largest score (asked only of held comments). */
  categoryOf(canonicalText: string, among: readonly Category[]): Category;
}

/** The distinct n-grams of a text, as hashes, each with where it stands in `^text$` (start and end markers). */
export interface NgramFeatures {
  /** The `^text$` the offsets point into. */
  text: string;
  hashes: number[];
  starts: number[];
  ends: number[];
}

const SURROGATE = /[\ud800-\udfff]/;
const FNV_OFFSET = 2166136261;
const FNV_PRIME = 16777619;
// The hash starts with the n-gram's length in UTF-16 units as one digit, so n-grams of different lengths
// never share a key; up to 4 characters of 2 units each keeps it one digit.
const MAX_N = 4;

/**
 * The distinct character n-grams of 1..maxN characters of the canonical text, with start and end markers,
 * hashed by FNV-1a without building a string per n-gram. Characters are code points, so 𪜶 is one
 * character and no n-gram holds half a surrogate pair. Training and scoring both read this.
 */
export function ngramFeatures(canonicalText: string, maxN: number): NgramFeatures {
  if (maxN < 1 || maxN > MAX_N) throw new Error(`n-grams of 1 to ${MAX_N} characters, not ${maxN}`);
  const text = `^${canonicalText}$`;
  // Where each character starts: most texts have no character outside the Basic Multilingual Plane.
  let bounds: number[] | null = null;
  if (SURROGATE.test(text)) {
    bounds = [];
    for (let i = 0; i < text.length; i += text.codePointAt(i)! > 0xffff ? 2 : 1) bounds.push(i);
    bounds.push(text.length);
  }
  const characters = bounds ? bounds.length - 1 : text.length;
  const seen = new Set<number>();
  const features: NgramFeatures = { text, hashes: [], starts: [], ends: [] };
  for (let n = 1; n <= maxN; n++) {
    for (let k = 0; k + n <= characters; k++) {
      // The markers alone are in every text: they would only be a second bias.
      if (n === 1 && (k === 0 || k === characters - 1)) continue;
      const start = bounds ? bounds[k]! : k;
      // A Latin letter or digit alone means nothing (evasions spelled in Latin made single letters count).
      if (n === 1 && isLatinOrDigit(text.charCodeAt(start))) continue;
      const end = bounds ? bounds[k + n]! : k + n;
      let hash = Math.imul(FNV_OFFSET ^ (48 + end - start), FNV_PRIME);
      for (let i = start; i < end; i++) hash = Math.imul(hash ^ text.charCodeAt(i), FNV_PRIME);
      hash >>>= 0;
      if (seen.has(hash)) continue;
      seen.add(hash);
      features.hashes.push(hash);
      features.starts.push(start);
      features.ends.push(end);
    }
  }
  return features;
}

/** The bucket of a hash in a table of 2^bits weights. */
export const bucketIn = (hash: number, bits: number) => hash & ((1 << bits) - 1);

export const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/**
 * Weights as signed bytes times one scale per table (the largest weight is ±127 × scale): a quarter of
 * float32's size, so the Taiwanese expert can have 2^21 buckets (fewer n-grams sharing one) in a model
 * smaller than 2^18 float32 buckets took. Rounding moves each weight by at most scale / 2, a probability
 * by up to about 0.05: the float32 model of 2026-11-29, rounded, moved 5 of 6,076 dev lines across its
 * threshold; a 2^20 model's dev sweep was the same rounded as not (scripts/train.ts trains in float64
 * and writes the rounded weights, which are the model).
 */
export function quantizeWeights(weights: ArrayLike<number>): { scale: number; weights: string } {
  let largest = 0;
  for (let i = 0; i < weights.length; i++) largest = Math.max(largest, Math.abs(weights[i]!));
  const scale = largest === 0 ? 1 : largest / 127;
  const bytes = new Int8Array(weights.length);
  for (let i = 0; i < weights.length; i++) bytes[i] = Math.round(weights[i]! / scale);
  return { scale, weights: encodeBytes(new Uint8Array(bytes.buffer)) };
}

export function decodeWeights(base64: string): Int8Array {
  const binary = atob(base64);
  const bytes = new Int8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function encodeBytes(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

function checkScale(version: string, name: string, scale: unknown): void {
  if (typeof scale !== "number" || !Number.isFinite(scale) || scale <= 0) throw new Error(`model ${version}: ${name} needs a positive scale, has ${String(scale)}`);
}

function loadScorer(version: string, name: string, scorer: LinearScorer): Int8Array {
  checkScale(version, name, scorer.scale);
  const weights = decodeWeights(scorer.weights);
  if (weights.length !== 1 << scorer.bits) throw new Error(`model ${version}: ${name} expects ${1 << scorer.bits} weights, has ${weights.length}`);
  return weights;
}

export function loadClassifier(file: ModelFile, topN = 5): Classifier {
  if (file.kind !== "hashed-char-ngram-gated-experts-int8") throw new Error(`unknown model kind ${String(file.kind)}`);
  const taiwan = loadScorer(file.version, "taiwan", file.taiwan);
  const cold = loadScorer(file.version, "cold", file.cold);
  const gate = loadScorer(file.version, "gate", file.gate);
  const { names, bits, biases } = file.categories;
  if (names.some((name) => !CATEGORIES.includes(name))) throw new Error(`model ${file.version}: unknown category in ${names.join(", ")}`);
  checkScale(file.version, "categories", file.categories.scale);
  const categoryWeights = decodeWeights(file.categories.weights);
  const categorySize = 1 << bits;
  if (categoryWeights.length !== names.length * categorySize) throw new Error(`model ${file.version}: category weights do not match ${names.length} × 2^${bits}`);
  const [taiwanBits, coldBits, gateBits] = [file.taiwan.bits, file.cold.bits, file.gate.bits];
  const [taiwanScale, coldScale] = [file.taiwan.scale, file.cold.scale];
  return {
    version: file.version,
    classify(canonicalText) {
      const { text, hashes, starts, ends } = ngramFeatures(canonicalText, file.maxN);
      // Sums of signed bytes, scaled once.
      let sumTaiwan = 0;
      let sumCold = 0;
      let sumGate = 0;
      for (const hash of hashes) {
        sumTaiwan += taiwan[bucketIn(hash, taiwanBits)]!;
        sumCold += cold[bucketIn(hash, coldBits)]!;
        sumGate += gate[bucketIn(hash, gateBits)]!;
      }
      const zTaiwan = file.taiwan.bias + sumTaiwan * taiwanScale;
      const zCold = file.cold.bias + sumCold * coldScale;
      const g = sigmoid(file.gate.bias + sumGate * file.gate.scale);
      // The n-grams that raised the mixed score most, kept in a short sorted list (no sort of them all).
      const top: { index: number; weight: number }[] = [];
      for (let i = 0; i < hashes.length; i++) {
        const weight = g * coldScale * cold[bucketIn(hashes[i]!, coldBits)]! + (1 - g) * taiwanScale * taiwan[bucketIn(hashes[i]!, taiwanBits)]!;
        if (weight <= 0 || (top.length === topN && weight <= top[topN - 1]!.weight)) continue;
        let at = top.length;
        while (at > 0 && top[at - 1]!.weight < weight) at--;
        top.splice(at, 0, { index: i, weight });
        if (top.length > topN) top.pop();
      }
      return {
        probability: sigmoid(g * zCold + (1 - g) * zTaiwan),
        topNgrams: top.map(({ index, weight }) => ({ ngram: text.slice(starts[index], ends[index]), weight: Number(weight.toFixed(3)) })),
      };
    },
    categoryOf(canonicalText, among) {
      const scores = [...biases];
      for (const hash of ngramFeatures(canonicalText, file.maxN).hashes) {
        const bucket = bucketIn(hash, bits);
        for (let c = 0; c < names.length; c++) scores[c]! += categoryWeights[c * categorySize + bucket]! * file.categories.scale;
      }
      let best = -1;
      for (let c = 0; c < names.length; c++) if (among.includes(names[c]!) && (best === -1 || scores[c]! > scores[best]!)) best = c;
      if (best === -1) throw new Error(`model ${file.version} scores none of the categories ${among.join(", ")}`);
      return names[best]!;
    },
  };
}

const isLatinOrDigit = (unit: number) => (unit >= 97 && unit <= 122) || (unit >= 48 && unit <= 57);

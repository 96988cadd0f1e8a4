/** Binary classification figures, label 1 = offensive. */
export interface Metrics {
  count: number;
  accuracy: number;
  macroF1: number;
  rocAuc: number;
  perClass: { label: 0 | 1; precision: number; recall: number; f1: number }[];
  /** confusion[actual][predicted] */
  confusion: [[number, number], [number, number]];
}

const safe = (a: number, b: number) => (b === 0 ? 0 : a / b);

export function metricsOf(labels: (0 | 1)[], scores: number[], threshold = 0.5): Metrics {
  if (labels.length !== scores.length) throw new Error("labels and scores differ in length");
  const confusion: [[number, number], [number, number]] = [
    [0, 0],
    [0, 0],
  ];
  labels.forEach((label, i) => confusion[label][scores[i]! >= threshold ? 1 : 0]++);
  const perClass = ([0, 1] as const).map((label) => {
    const other = label === 0 ? 1 : 0;
    const tp = confusion[label][label];
    const precision = safe(tp, tp + confusion[other][label]);
    const recall = safe(tp, tp + confusion[label][other]);
    return { label, precision, recall, f1: safe(2 * precision * recall, precision + recall) };
  });
  return {
    count: labels.length,
    accuracy: safe(confusion[0][0] + confusion[1][1], labels.length),
    macroF1: (perClass[0]!.f1 + perClass[1]!.f1) / 2,
    rocAuc: rocAucOf(labels, scores),
    perClass,
    confusion,
  };
}

/** Area under the ROC curve: the chance a random offensive line scores above a random benign one (ties count half). */
export function rocAucOf(labels: (0 | 1)[], scores: number[]): number {
  const order = scores.map((score, i) => ({ score, label: labels[i]! })).sort((a, b) => a.score - b.score);
  let rankSum = 0;
  let positives = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j < order.length && order[j]!.score === order[i]!.score) j++;
    const averageRank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) {
      if (order[k]!.label === 1) {
        rankSum += averageRank;
        positives++;
      }
    }
    i = j;
  }
  const negatives = order.length - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** The lowest threshold whose precision on the offensive class reaches `precision`, or null. */
export function thresholdForPrecision(labels: (0 | 1)[], scores: number[], precision: number): number | null {
  const order = scores.map((score, i) => ({ score, label: labels[i]! })).sort((a, b) => b.score - a.score);
  let tp = 0;
  let best: number | null = null;
  order.forEach((item, i) => {
    if (item.label === 1) tp++;
    const next = order[i + 1];
    if (next && next.score === item.score) return;
    if (tp / (i + 1) >= precision) best = item.score;
  });
  return best;
}

import type { Span } from "../moderation/verdict.ts";

export interface MarkedSpan extends Span {
  /** Which reason found it, for the label a moderator sees. */
  label: string;
}

export interface Segment {
  text: string;
  /** The labels of every span covering this piece; empty for plain text. */
  labels: string[];
}

/**
 * Cuts a text into plain and highlighted pieces. Spans are [start, end) in UTF-16 units of the text; they
 * may overlap (two rules on one word), so the text is cut at every span edge and each piece lists the spans
 * over it. Spans outside the text are clipped; a cut never splits a surrogate pair.
 */
export function highlightSegments(text: string, spans: MarkedSpan[]): Segment[] {
  const clip = (offset: number) => {
    let at = Math.max(0, Math.min(text.length, Math.trunc(offset)));
    // Never between the halves of a surrogate pair.
    if (at > 0 && at < text.length && /[\uDC00-\uDFFF]/.test(text[at]!) && /[\uD800-\uDBFF]/.test(text[at - 1]!)) at -= 1;
    return at;
  };
  const valid = spans.map((span) => ({ ...span, start: clip(span.start), end: clip(span.end) })).filter((span) => span.end > span.start);
  const cuts = [...new Set([0, text.length, ...valid.flatMap((span) => [span.start, span.end])])].sort((a, b) => a - b);
  const segments: Segment[] = [];
  for (let i = 0; i + 1 < cuts.length; i++) {
    const start = cuts[i]!;
    const end = cuts[i + 1]!;
    const labels = [...new Set(valid.filter((span) => span.start <= start && span.end >= end).map((span) => span.label))];
    const last = segments.at(-1);
    if (last && last.labels.join("\n") === labels.join("\n")) last.text += text.slice(start, end);
    else segments.push({ text: text.slice(start, end), labels });
  }
  return segments;
}

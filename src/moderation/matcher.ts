/**
 * Aho-Corasick automaton: finds every occurrence of every pattern in one pass over the text,
 * so matching cost grows with the text, not with the number of terms.
 */
export interface PatternMatch {
  pattern: number;
  start: number;
  end: number;
}

interface Node {
  next: Map<number, number>;
  fail: number;
  /** Patterns ending here, including those reached through failure links. */
  outputs: number[];
}

export class Matcher {
  private readonly nodes: Node[] = [{ next: new Map(), fail: 0, outputs: [] }];
  private readonly lengths: number[];

  constructor(patterns: readonly string[]) {
    this.lengths = patterns.map((p) => p.length);
    patterns.forEach((pattern, index) => {
      if (pattern.length === 0) throw new Error("a pattern cannot be empty");
      let state = 0;
      for (let i = 0; i < pattern.length; i++) {
        const code = pattern.charCodeAt(i);
        let child = this.nodes[state]!.next.get(code);
        if (child === undefined) {
          child = this.nodes.length;
          this.nodes.push({ next: new Map(), fail: 0, outputs: [] });
          this.nodes[state]!.next.set(code, child);
        }
        state = child;
      }
      this.nodes[state]!.outputs.push(index);
    });
    this.linkFailures();
  }

  private linkFailures(): void {
    const queue: number[] = [...this.nodes[0]!.next.values()];
    for (let head = 0; head < queue.length; head++) {
      const state = queue[head]!;
      const node = this.nodes[state]!;
      for (const [code, child] of node.next) {
        let fallback = node.fail;
        while (fallback !== 0 && !this.nodes[fallback]!.next.has(code)) {
          fallback = this.nodes[fallback]!.fail;
        }
        const target = this.nodes[fallback]!.next.get(code);
        const childNode = this.nodes[child]!;
        childNode.fail = target !== undefined && target !== child ? target : 0;
        childNode.outputs.push(...this.nodes[childNode.fail]!.outputs);
        queue.push(child);
      }
    }
  }

  findAll(text: string): PatternMatch[] {
    const matches: PatternMatch[] = [];
    let state = 0;
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      let next = this.nodes[state]!.next.get(code);
      while (next === undefined && state !== 0) {
        state = this.nodes[state]!.fail;
        next = this.nodes[state]!.next.get(code);
      }
      state = next ?? 0;
      const outputs = this.nodes[state]!.outputs;
      for (let k = 0; k < outputs.length; k++) {
        const pattern = outputs[k]!;
        matches.push({ pattern, start: i + 1 - this.lengths[pattern]!, end: i + 1 });
      }
    }
    return matches;
  }
}

export interface RecentAnswer {
  tag: string;
  /** Null when only the tag is known (the read answered 304 without building the body). */
  body: string | null;
  /** performance.now() after which the answer is asked of the database again. */
  until: number;
}

/**
 * The public reads' answers this process gave in the last moment (PUBLIC_READ_MEMORY_MS, 1 s unless set),
 * so a busy article's first page is read from memory, not the database, for every reader in that second.
 * Every request that may write (anything but GET and HEAD, unless refused before any write: 401, 403,
 * 404, 405; see src/app.ts) forgets them all once it is done, so this process never answers from before
 * its own writes: what a member just posted shows on the next read.
 * Writes made elsewhere (another server, the Worker, the command line) show within the memory's time —
 * less than the max-age=5 browsers and CDNs are already allowed. A read that started before a write ended
 * does not keep its answer (the generation moved on), since it may have been read before the commit.
 */
export class RecentReads {
  private readonly answers = new Map<string, RecentAnswer>();
  private generation = 0;

  constructor(
    readonly memoryMs: number,
    private readonly maxAnswers = 1000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  forget(): void {
    this.answers.clear();
    this.generation += 1;
  }

  /** The generation a read starts in; hand it back to `keep`. */
  get current(): number {
    return this.generation;
  }

  recall(key: string): RecentAnswer | undefined {
    const answer = this.answers.get(key);
    if (!answer) return undefined;
    if (answer.until > this.now()) return answer;
    this.answers.delete(key);
    return undefined;
  }

  keep(key: string, startedIn: number, tag: string, body: string | null): void {
    if (this.memoryMs <= 0 || startedIn !== this.generation) return;
    // Oldest first out: a Map iterates in insertion order.
    if (this.answers.size >= this.maxAnswers) this.answers.delete(this.answers.keys().next().value!);
    this.answers.set(key, { tag, body, until: this.now() + this.memoryMs });
  }
}

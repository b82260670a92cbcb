/**
 * The first and the last lines of an instance's output, blank ones left out: where an error begins (Node's
 * "Error: Cannot find module …") and where it ends (Python's last traceback line), in a few lines.
 */
export class OutputExcerpt {
  private readonly head: string[] = [];
  private readonly tail: string[] = [];
  private skipped = 0;

  constructor(
    private readonly headLines = 6,
    private readonly tailLines = 6,
  ) {}

  add(line: string): void {
    if (!line.trim()) return;
    if (this.head.length < this.headLines) {
      this.head.push(line);
      return;
    }
    this.tail.push(line);
    if (this.tail.length > this.tailLines) {
      this.tail.shift();
      this.skipped += 1;
    }
  }

  get empty(): boolean {
    return this.head.length === 0;
  }

  lines(): string[] {
    const gap = this.skipped > 0 ? [`… (${this.skipped} more lines)`] : [];
    return [...this.head, ...gap, ...this.tail];
  }
}

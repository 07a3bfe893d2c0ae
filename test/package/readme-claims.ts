/**
 * What README.md's code blocks print, as their comments state it, checked on each run's stdout.
 * Keyed by the `## ` heading a block stands under; readme.test.ts fails for a block without an entry.
 * Tolerances say why they are what they are.
 */
export const BLOCK_CLAIMS: Record<string, (stdout: string) => void> = {
  'Drop-in example': (out) => {
    // "≈ 0.85": the model's initial weights and fit's shuffling are not seeded in this example (a user's
    // first try), so the last validation accuracy varies from run to run: 0.82–0.875 over 10 runs here.
    const acc = Number(/validation accuracy ([\d.]+)/.exec(out)?.[1]);
    expect(acc).toBeGreaterThan(0.75);
    // "~1e-6": coordinates mode stays in θ0 + span(Q) up to float32 rounding of θ0 + Q·z (|θ| ≈ 10).
    const distance = Number(/distance: ([\d.e-]+)/.exec(out)?.[1]);
    expect(distance).toBeLessThan(1e-4);
  },
  'Intrinsic dimension': (out) => {
    // "≈ 150 of D = 3,466": seeded models, bases and batch orders on wasm: 148.6 here.
    const dInt = Number(/^([\d.]+) \{/.exec(out)?.[1]);
    expect(dInt).toBeGreaterThan(130);
    expect(dInt).toBeLessThan(170);
    expect(out).toContain('notReached: 0');
  },
  'Saving, loading and resuming in Node': (out) => {
    expect(out).toContain('resumed bit for bit: true');
  },
  'A compact checkpoint of your own model': (out) => {
    const m = /checkpoint (\d+) B, weights (\d+) B/.exec(out);
    expect(m).not.toBeNull();
    // "≈ 900 B against 9,640 B": z (100 floats, base64) and the spec; the weights are 2,410 floats.
    expect(Number(m?.[1])).toBeLessThan(1000);
    expect(Number(m?.[2])).toBe(9640);
  },
};

/** Lines of a block that end in `// true` (a console.log the README says prints true). */
export const trueClaims = (code: string): number => code.split('\n').filter((l) => /\/\/ true\b/.test(l)).length;

/** Lines of a run's stdout that end in `true`. */
export const trueLines = (stdout: string): number => stdout.split('\n').filter((l) => /\btrue$/.test(l.trim())).length;

/**
 * Flags appended to the README's `id` command so that it runs in seconds: the same data, model,
 * dims, basis and output, on the first 1,000 training and 500 test images, one epoch per run, no
 * learning-rate pilots, one seed. The full command takes about 12 minutes per seed.
 */
export const ID_BUDGET = ['--train-limit', '1000', '--test-limit', '500', '--max-epochs', '1', '--no-lr-search', '--seeds', '1', '--quiet'];

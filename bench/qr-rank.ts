/**
 * The thin QR's rank decisions against numpy/LAPACK in float64 (an independent reference beside the
 * test suite's MGS2, test/linalg/qr-reference.ts): for each hard matrix of the tests, the greedy
 * distances (column j against the columns numpy kept before it: |R_jj| of a Householder QR of
 * E[:, kept + [j]], divided by ‖e_j‖), the kept set they imply, and the numerical rank from the SVD
 * (σ_i > rankTol·σ_1, for information: a different notion from the greedy rule). Needs /usr/bin/python3
 * with numpy; without it, one line says so.
 *
 *   npx ts-node --transpile-only bench/qr-rank.ts
 */
import { spawnSync } from 'child_process';
import { thinQr } from '../src';
import { gaussianArray } from '../src/random';
import { conditioned, householder, kahan, lowRank, minusOnes, times } from '../test/linalg/qr-inputs';
import { printMachine, printTable, runIfMain } from './common';

const TOL = 1e-6;

const PYTHON = `
import json, sys
import numpy as np
job = json.loads(sys.stdin.read())
E = np.array(job["E"], dtype=np.float64).reshape(job["D"], job["n"])
tol = job["tol"]
kept, dist = [], []
for j in range(job["n"]):
    e = E[:, j]
    norm = np.linalg.norm(e)
    if norm == 0:
        dist.append(0.0); continue
    r = np.linalg.qr(E[:, kept + [j]], mode="r")
    dist.append(float(abs(r[-1, -1]) / norm))
    if dist[-1] >= tol: kept.append(j)
s = np.linalg.svd(E, compute_uv=False)
print(json.dumps({"kept": kept, "dist": dist, "svdRank": int((s > tol * s[0]).sum()), "cond": float(s[0] / s[-1]) if s[-1] > 0 else None}))
`;

function cases(): Array<{ name: string; E: Float64Array; D: number; n: number }> {
  const out: Array<{ name: string; E: Float64Array; D: number; n: number }> = [];
  for (const n of [30, 40]) out.push({ name: `H·[U; 0], n = ${n}`, E: householder(minusOnes(n + 10, n), n + 10, n, n), D: n + 10, n });
  for (const n of [30, 40]) out.push({ name: `G·U, 2000×${n}`, E: times(gaussianArray(2000 * n, 7), 2000, n, minusOnes(n, n), n), D: 2000, n });
  for (const [theta, n] of [[1.2, 200], [1.35, 100]]) out.push({ name: `Kahan θ = ${theta}, n = ${n}`, E: kahan(theta, n), D: n, n });
  out.push({ name: 'A·B + 1e-9 noise, 3000×30, rank 12', E: lowRank(3000, 30, 12, 1e-9), D: 3000, n: 30 });
  for (const cond of [1e2, 1e6, 1e8, 1e12]) out.push({ name: `cond ${cond.toExponential(0)}, 2000×20`, E: conditioned(2000, 20, cond), D: 2000, n: 20 });
  return out;
}

export async function benchQrRank(): Promise<void> {
  console.log(`## Rank decisions vs numpy (rankTol ${TOL})\n`);
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const rows: string[][] = [];
  for (const c of cases()) {
    const p = spawnSync('/usr/bin/python3', ['-c', PYTHON], { input: JSON.stringify({ E: Array.from(c.E), D: c.D, n: c.n, tol: TOL }), env, encoding: 'utf8', maxBuffer: 1 << 28 });
    if (p.status !== 0 || p.error) {
      console.log(`numpy reference unavailable (${(p.error?.message ?? p.stderr).trim().split('\n').pop()}): rank cross-check skipped.`);
      return;
    }
    const ref = JSON.parse(p.stdout) as { kept: number[]; dist: number[]; svdRank: number; cond: number | null };
    const ours = thinQr(c.E, c.D, c.n, { dropDependent: true, rankTol: TOL });
    const same = JSON.stringify(ours.kept) === JSON.stringify(ref.kept);
    rows.push([
      c.name,
      ref.cond === null ? '∞' : ref.cond.toExponential(1),
      Math.min(...ref.dist).toExponential(1),
      String(ref.kept.length),
      String(ours.kept.length),
      same ? 'yes' : `NO (ours drop ${ours.dropped.join(',')})`,
      String(ref.svdRank),
      ours.method,
      ours.orthogonality.toExponential(1),
    ]);
  }
  printTable(['matrix', 'cond₂ (numpy SVD)', 'min greedy distance (numpy)', 'numpy greedy rank', 'ours rank', 'same kept columns', 'SVD rank (σ > tol·σ₁)', 'our route', 'our ‖QᵀQ−I‖∞'], rows);
}

runIfMain(module, async () => {
  printMachine('bench/qr-rank.ts');
  await benchQrRank();
});

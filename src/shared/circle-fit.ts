export interface Circle {
  readonly cx: number;
  readonly cy: number;
  readonly radius: number;
}

export interface CircleFit extends Circle {
  /** Root-mean-square distance of the kept points from the circle, in input units. */
  readonly rms: number;
  /** How many points the final fit kept after outlier rejection. */
  readonly inliers: number;
}

/**
 * Algebraic (Kåsa) least-squares circle: minimises sum (x²+y²+Dx+Ey+F)², a linear problem.
 * Coordinates are centred first so the 3x3 system stays well conditioned.
 */
function kasaFit(xs: ArrayLike<number>, ys: ArrayLike<number>, use: Uint8Array): Circle | null {
  let n = 0;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < xs.length; i++) {
    if (!use[i]) continue;
    n++;
    mx += xs[i]!;
    my += ys[i]!;
  }
  if (n < 3) return null;
  mx /= n;
  my /= n;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  let sxz = 0;
  let syz = 0;
  let sz = 0;
  for (let i = 0; i < xs.length; i++) {
    if (!use[i]) continue;
    const x = xs[i]! - mx;
    const y = ys[i]! - my;
    const z = x * x + y * y;
    sxx += x * x;
    syy += y * y;
    sxy += x * y;
    sxz += x * z;
    syz += y * z;
    sz += z;
  }
  // With centred data the F equation decouples: D*sxx + E*sxy = -sxz, D*sxy + E*syy = -syz, F = -sz/n.
  const det = sxx * syy - sxy * sxy;
  if (!(Math.abs(det) > 1e-12)) return null;
  const d = (-sxz * syy + syz * sxy) / det;
  const e = (-syz * sxx + sxz * sxy) / det;
  const f = -sz / n;
  const r2 = (d * d + e * e) / 4 - f;
  if (!(r2 > 0)) return null;
  return { cx: mx - d / 2, cy: my - e / 2, radius: Math.sqrt(r2) };
}

/**
 * Circle through noisy edge points, refitted a few times without the points that sit far from the
 * previous fit (a notch in the aperture, a caption burnt into the black border, a bright lesion at
 * the rim).
 */
export function fitCircleRobust(xs: ArrayLike<number>, ys: ArrayLike<number>, minTolerance: number): CircleFit | null {
  const use = new Uint8Array(xs.length).fill(1);
  let circle = kasaFit(xs, ys, use);
  const residuals = new Float64Array(xs.length);
  for (let round = 0; round < 4 && circle; round++) {
    const sorted: number[] = [];
    for (let i = 0; i < xs.length; i++) {
      residuals[i] = Math.abs(Math.hypot(xs[i]! - circle.cx, ys[i]! - circle.cy) - circle.radius);
      sorted.push(residuals[i]!);
    }
    sorted.sort((a, b) => a - b);
    const median = sorted[sorted.length >> 1] ?? 0;
    const tolerance = Math.max(minTolerance, 3 * median);
    let changed = false;
    for (let i = 0; i < xs.length; i++) {
      const keep = residuals[i]! <= tolerance ? 1 : 0;
      if (keep !== use[i]) changed = true;
      use[i] = keep;
    }
    if (!changed) break;
    circle = kasaFit(xs, ys, use);
  }
  if (!circle) return null;
  let sum = 0;
  let inliers = 0;
  for (let i = 0; i < xs.length; i++) {
    if (!use[i]) continue;
    const r = Math.hypot(xs[i]! - circle.cx, ys[i]! - circle.cy) - circle.radius;
    sum += r * r;
    inliers++;
  }
  return { ...circle, rms: Math.sqrt(sum / Math.max(1, inliers)), inliers };
}

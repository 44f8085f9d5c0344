//! Descriptive statistics for replications and sweeps: quantiles, means with confidence intervals,
//! and Wilson intervals for probabilities. Pure functions of sorted data: no randomness.

use serde::Serialize;

/// z for a two-sided 95% interval.
pub const Z95: f64 = 1.959_963_984_540_054;

/// A 95% confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Interval {
    /// Lower bound.
    pub lo: f64,
    /// Upper bound.
    pub hi: f64,
}

/// The Wilson score interval (95%) of a proportion `k` out of `n`; `None` when `n` is 0.
pub fn wilson(k: u64, n: u64) -> Option<Interval> {
    if n == 0 {
        return None;
    }
    let (k, n) = (k as f64, n as f64);
    let p = k / n;
    let z2 = Z95 * Z95;
    let denom = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denom;
    let half = Z95 * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / denom;
    // Exact ends at 0 and n (the formula leaves rounding noise there).
    let lo = if k == 0.0 { 0.0 } else { (centre - half).max(0.0) };
    let hi = if k == n { 1.0 } else { (centre + half).min(1.0) };
    Some(Interval { lo, hi })
}

/// Two-sided 95% critical value of Student's t with `df` degrees of freedom (normal beyond 30).
pub fn t95(df: u64) -> f64 {
    const T: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101,
        2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
    ];
    match df {
        0 => f64::NAN,
        d if d <= 30 => T[d as usize - 1],
        // A close approximation of the t quantile for large df.
        d => Z95 + (Z95.powi(3) + Z95) / (4.0 * d as f64),
    }
}

/// The `q`-quantile (0..=1) of sorted data, linearly interpolated (R's type 7); `None` if empty.
pub fn quantile(sorted: &[f64], q: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let h = (sorted.len() - 1) as f64 * q.clamp(0.0, 1.0);
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    Some(sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo]))
}

/// A distribution-free 95% interval for the `q`-quantile: the order statistics at ranks
/// n·q ∓ z·√(n·q·(1−q)) (normal approximation of the binomial), clamped to the data.
pub fn quantile_interval(sorted: &[f64], q: f64) -> Option<Interval> {
    let n = sorted.len();
    if n < 2 {
        return None;
    }
    let nf = n as f64;
    let half = Z95 * (nf * q * (1.0 - q)).sqrt();
    let lo = ((nf * q - half).floor().max(1.0) as usize).min(n) - 1;
    let hi = ((nf * q + half).ceil().max(1.0) as usize).min(n) - 1;
    Some(Interval { lo: sorted[lo], hi: sorted[hi] })
}

/// A quantile with its confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct QuantileStat {
    /// The estimate.
    pub value: f64,
    /// Its 95% interval (order statistics), when there are at least 2 values.
    pub ci95: Option<Interval>,
}

/// Mean, spread and quantiles of a sample.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Describe {
    /// Number of values.
    pub n: u64,
    /// Mean.
    pub mean: f64,
    /// 95% interval of the mean (Student's t), when n ≥ 2.
    pub mean_ci95: Option<Interval>,
    /// Sample standard deviation (n − 1).
    pub sd: f64,
    /// Smallest value.
    pub min: f64,
    /// 5th percentile.
    pub p5: QuantileStat,
    /// Median.
    pub p50: QuantileStat,
    /// 95th percentile.
    pub p95: QuantileStat,
    /// 99th percentile.
    pub p99: QuantileStat,
    /// Largest value.
    pub max: f64,
}

impl Describe {
    /// Describes `values` (any order); `None` when empty.
    pub fn of(values: &[f64]) -> Option<Describe> {
        if values.is_empty() {
            return None;
        }
        let mut v = values.to_vec();
        v.sort_by(f64::total_cmp);
        let n = v.len() as u64;
        let mean = v.iter().sum::<f64>() / n as f64;
        let sd = if n > 1 { (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt() } else { 0.0 };
        let mean_ci95 = (n > 1).then(|| {
            let half = t95(n - 1) * sd / (n as f64).sqrt();
            Interval { lo: mean - half, hi: mean + half }
        });
        let q = |p: f64| QuantileStat { value: quantile(&v, p).expect("non-empty"), ci95: quantile_interval(&v, p) };
        Some(Describe { n, mean, mean_ci95, sd, min: v[0], p5: q(0.05), p50: q(0.50), p95: q(0.95), p99: q(0.99), max: v[v.len() - 1] })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_matches_known_values() {
        // 50 of 100: 0.404 .. 0.596 (textbook value).
        let w = wilson(50, 100).unwrap();
        assert!((w.lo - 0.4038).abs() < 1e-3 && (w.hi - 0.5962).abs() < 1e-3, "{w:?}");
        let w = wilson(0, 10).unwrap();
        assert_eq!(w.lo, 0.0);
        assert!((w.hi - 0.2775).abs() < 1e-3);
        assert!(wilson(0, 0).is_none());
    }

    #[test]
    fn quantiles_interpolate() {
        let v = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(quantile(&v, 0.5), Some(3.0));
        assert_eq!(quantile(&v, 0.25), Some(2.0));
        assert_eq!(quantile(&v, 0.1), Some(1.4));
        let d = Describe::of(&[3.0, 1.0, 2.0]).unwrap();
        assert_eq!(d.mean, 2.0);
        assert_eq!(d.sd, 1.0);
        let ci = d.mean_ci95.unwrap();
        assert!((ci.hi - (2.0 + 4.303 / 3f64.sqrt())).abs() < 1e-9);
    }
}

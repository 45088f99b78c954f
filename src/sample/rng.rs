//! Deterministic PRNG and maths: xoshiro256** seeded by SplitMix64, `ln`/`exp` from IEEE
//! basic operations only, rounding and German number text.

/// A small deterministic PRNG: xoshiro256** seeded through SplitMix64, with uniform, normal
/// (Marsaglia polar method) and lognormal draws. Its output never changes with a crate update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampleRng {
    s: [u64; 4],
}

impl SampleRng {
    /// A generator seeded from `seed` (SplitMix64 expands it into the 256-bit state).
    pub fn new(seed: u64) -> SampleRng {
        let mut sm = seed;
        let mut s = [0u64; 4];
        for slot in &mut s {
            *slot = splitmix64(&mut sm);
        }
        SampleRng { s }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let result = self.s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        result
    }

    /// Uniform in `[0, 1)` with 53 random bits.
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in `[lo, hi)`.
    pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.uniform()
    }

    /// Uniform integer in `0..n` (0 for `n == 0`).
    pub fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.uniform() < p
    }

    /// Standard normal draw (Marsaglia polar method, spare value discarded).
    pub fn normal(&mut self) -> f64 {
        loop {
            let u = 2.0 * self.uniform() - 1.0;
            let v = 2.0 * self.uniform() - 1.0;
            let s = u * u + v * v;
            if s > 0.0 && s < 1.0 {
                return u * (-2.0 * det_ln(s) / s).sqrt();
            }
        }
    }

    /// Lognormal draw `exp(mu + sigma·Z)`; its median is `exp(mu)`.
    pub fn lognormal(&mut self, mu: f64, sigma: f64) -> f64 {
        det_exp(mu + sigma * self.normal())
    }

    /// An index drawn with probability proportional to `weights` (0 for empty or all-zero weights).
    pub fn pick(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        if weights.is_empty() || total <= 0.0 {
            return 0;
        }
        let mut u = self.uniform() * total;
        for (i, w) in weights.iter().enumerate() {
            if u < *w {
                return i;
            }
            u -= w;
        }
        weights.len() - 1
    }

    /// Shuffles `items` in place (Fisher–Yates).
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}

fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// An independent stream seed for part `part` of the data.
pub(super) fn derive_seed(seed: u64, part: u64) -> u64 {
    let mut s = seed ^ part.wrapping_mul(0xD1B5_4A32_D192_ED03);
    splitmix64(&mut s)
}

/// ln 2, upper part with trailing zero bits (fdlibm's `ln2_hi`), so `k·LN2_HI` is exact.
const LN2_HI: f64 = f64::from_bits(0x3FE6_2E42_FEE0_0000);
/// ln 2 − `LN2_HI` (fdlibm's `ln2_lo`).
const LN2_LO: f64 = f64::from_bits(0x3DEA_39EF_3579_3C76);

/// `2^k` for `k` in the normal exponent range.
fn pow2(k: i32) -> f64 {
    f64::from_bits(((k.clamp(-1022, 1023) + 1023) as u64) << 52)
}

/// `exp(x)` from basic IEEE operations only (platform-independent; relative error ≈ 1e-16).
pub(super) fn det_exp(x: f64) -> f64 {
    if x.is_nan() {
        return x;
    }
    if x > 709.0 {
        return f64::INFINITY;
    }
    if x < -708.0 {
        return 0.0;
    }
    let k = (x / std::f64::consts::LN_2).round();
    let r = (x - k * LN2_HI) - k * LN2_LO;
    let mut sum = 1.0;
    let mut term = 1.0;
    for i in 1..=15 {
        term *= r / f64::from(i);
        sum += term;
    }
    sum * pow2(k as i32)
}

/// Natural logarithm from basic IEEE operations only (platform-independent); NaN for `x <= 0`.
pub(super) fn det_ln(x: f64) -> f64 {
    if x.is_nan() || x <= 0.0 {
        return f64::NAN;
    }
    if x.is_infinite() {
        return x;
    }
    let (x, shift) = if x < f64::MIN_POSITIVE {
        (x * pow2(54), -54)
    } else {
        (x, 0)
    };
    let bits = x.to_bits();
    let mut e = ((bits >> 52) & 0x7ff) as i32 - 1023 + shift;
    let mut m = f64::from_bits((bits & 0x000f_ffff_ffff_ffff) | 0x3ff0_0000_0000_0000);
    if m > std::f64::consts::SQRT_2 {
        m *= 0.5;
        e += 1;
    }
    // ln(m) = 2·atanh(s), s = (m − 1)/(m + 1), |s| ≤ 0.172.
    let s = (m - 1.0) / (m + 1.0);
    let s2 = s * s;
    let mut term = s;
    let mut sum = 0.0;
    for k in 0..14 {
        sum += term / f64::from(2 * k + 1);
        term *= s2;
    }
    let e = f64::from(e);
    e * LN2_HI + (e * LN2_LO + 2.0 * sum)
}

pub(super) fn round_to(x: f64, step: f64) -> f64 {
    (x / step).round() * step
}

pub(super) fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

pub(super) fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// German number text with `.` thousands and `,` decimal separator.
pub(super) fn german_number(value: f64, decimals: usize) -> String {
    let text = format!("{:.*}", decimals, value.abs());
    let (int_part, frac) = text.split_once('.').unwrap_or((text.as_str(), ""));
    let mut out = String::new();
    if value < 0.0 {
        out.push('-');
    }
    for (i, ch) in int_part.chars().enumerate() {
        if i > 0 && (int_part.len() - i) % 3 == 0 {
            out.push('.');
        }
        out.push(ch);
    }
    if !frac.is_empty() {
        out.push(',');
        out.push_str(frac);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sample::SAMPLE_SEED;

    #[test]
    fn splitmix_and_xoshiro_reference_vectors() {
        // SplitMix64 from state 0 (reference values of Vigna's splitmix64.c).
        let mut s = 0u64;
        assert_eq!(splitmix64(&mut s), 0xE220_A839_7B1D_CDAF);
        assert_eq!(splitmix64(&mut s), 0x6E78_9E6A_A1B9_65F4);
        // xoshiro256** from state [1, 2, 3, 4].
        let mut rng = SampleRng { s: [1, 2, 3, 4] };
        assert_eq!(rng.next_u64(), 11_520);
        assert_eq!(rng.next_u64(), 0);
        assert_eq!(rng.next_u64(), 1_509_978_240);
        assert_eq!(rng.next_u64(), 1_215_971_899_390_074_240);
    }

    #[test]
    fn same_seed_same_stream() {
        let mut a = SampleRng::new(SAMPLE_SEED);
        let mut b = SampleRng::new(SAMPLE_SEED);
        for _ in 0..1000 {
            assert_eq!(a.next_u64(), b.next_u64());
        }
        assert_ne!(SampleRng::new(1).next_u64(), SampleRng::new(2).next_u64());
    }

    #[test]
    fn deterministic_ln_exp_match_std() {
        for &x in &[
            1e-300, 1e-10, 0.001, 0.3, 0.5, 0.999, 1.0, 1.5, 2.0, 7.2, 65.0, 1e6, 1e300,
        ] {
            let got = det_ln(x);
            let want = x.ln();
            assert!((got - want).abs() <= 2e-15 * want.abs().max(1.0), "ln({x})");
        }
        for &x in &[
            -700.0, -20.0, -1.0, -0.1, 0.0, 0.05, 0.5, 1.0, 3.3, 20.0, 700.0,
        ] {
            let got = det_exp(x);
            let want = x.exp();
            assert!((got - want).abs() <= 2e-15 * want, "exp({x})");
        }
        assert!(det_ln(0.0).is_nan());
        assert!(det_ln(-1.0).is_nan());
    }

    #[test]
    fn draws_have_the_intended_moments() {
        let mut rng = SampleRng::new(7);
        let n = 100_000;
        let xs: Vec<f64> = (0..n).map(|_| rng.normal()).collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
        assert!(mean.abs() < 0.02, "mean {mean}");
        assert!((var - 1.0).abs() < 0.02, "var {var}");
        let mut ls: Vec<f64> = (0..n).map(|_| rng.lognormal(2.0, 0.3)).collect();
        ls.sort_by(f64::total_cmp);
        let median = ls[n / 2];
        assert!(
            (median / 2.0f64.exp() - 1.0).abs() < 0.01,
            "median {median}"
        );
        let us: Vec<f64> = (0..n).map(|_| rng.uniform()).collect();
        assert!(us.iter().all(|u| (0.0..1.0).contains(u)));
        let below: Vec<usize> = (0..n).map(|_| rng.below(10)).collect();
        assert!(below.iter().all(|&b| b < 10));
        for k in 0..10 {
            let share = below.iter().filter(|&&b| b == k).count() as f64 / n as f64;
            assert!((share - 0.1).abs() < 0.01);
        }
    }

    #[test]
    fn german_numbers() {
        assert_eq!(german_number(467.21, 2), "467,21");
        assert_eq!(german_number(1234.5, 2), "1.234,50");
        assert_eq!(german_number(55.0, 0), "55");
        assert_eq!(german_number(-3.25, 1), "-3,2");
    }
}

//! Random streams and the few distributions the generator needs.
//!
//! Every `(seed, tenant, stream)` gets its own ChaCha8 generator, derived with FNV-1a and SplitMix64 (stable
//! across platforms and releases, unlike std's randomized hasher). Separate streams per table keep one
//! table's draws from shifting another's, and separate tenants keep `--tenants` output identical to a full
//! generation.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

pub(crate) type DemoRng = ChaCha8Rng;

fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

fn splitmix64(z: u64) -> u64 {
    let mut z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The generator of one named stream of one tenant.
pub(crate) fn stream(seed: u64, tenant_id: &str, stream: &str) -> DemoRng {
    let mut x = splitmix64(
        seed ^ splitmix64(fnv1a64(tenant_id.as_bytes()) ^ fnv1a64(stream.as_bytes()).rotate_left(29)),
    );
    let mut key = [0u8; 32];
    for chunk in key.chunks_mut(8) {
        x = splitmix64(x);
        chunk.copy_from_slice(&x.to_le_bytes());
    }
    ChaCha8Rng::from_seed(key)
}

/// A fixed discrete distribution over a few items, sampled by inverse CDF (a linear scan is fastest for the
/// handful of items used here).
#[derive(Debug, Clone)]
pub(crate) struct Weighted<T> {
    items: Vec<T>,
    cdf: Vec<f64>,
}

impl<T: Copy> Weighted<T> {
    /// `pairs` must hold at least one item; non-positive weights are skipped unless all are non-positive,
    /// in which case every item gets the same weight.
    pub(crate) fn new(pairs: &[(T, f64)]) -> Self {
        let positive = pairs.iter().any(|(_, w)| *w > 0.0);
        let mut items = Vec::with_capacity(pairs.len());
        let mut cdf = Vec::with_capacity(pairs.len());
        let mut acc = 0.0;
        for (item, w) in pairs {
            let w = if positive { *w } else { 1.0 };
            if w > 0.0 {
                acc += w;
                items.push(*item);
                cdf.push(acc);
            }
        }
        debug_assert!(!items.is_empty(), "Weighted needs at least one item");
        Weighted { items, cdf }
    }

    pub(crate) fn sample<R: Rng>(&self, rng: &mut R) -> T {
        let total = self.cdf.last().copied().unwrap_or(0.0);
        let u = rng.r#gen::<f64>() * total;
        let i = self.cdf.iter().position(|c| u < *c).unwrap_or(self.items.len() - 1);
        self.items[i]
    }
}

/// A standard normal draw (Box–Muller).
pub(crate) fn normal<R: Rng>(rng: &mut R) -> f64 {
    let u1: f64 = rng.gen_range(f64::EPSILON..1.0);
    let u2: f64 = rng.r#gen();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// A log-normal multiplier with median 1.
pub(crate) fn lognormal<R: Rng>(rng: &mut R, sigma: f64) -> f64 {
    (sigma * normal(rng)).exp()
}

/// An exponential draw with the given mean.
pub(crate) fn exponential<R: Rng>(rng: &mut R, mean: f64) -> f64 {
    let u: f64 = rng.r#gen();
    -mean * (1.0 - u).ln()
}

pub(crate) fn chance<R: Rng>(rng: &mut R, p: f64) -> bool {
    rng.r#gen::<f64>() < p
}

/// Rounds `x` up or down at random so that the expected value is `x` (keeps totals unbiased).
pub(crate) fn round_stochastic<R: Rng>(rng: &mut R, x: f64) -> u32 {
    if x <= 0.0 {
        return 0;
    }
    let f = x.floor();
    f as u32 + u32::from(rng.r#gen::<f64>() < x - f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_stable_and_distinct() {
        let a: u64 = stream(42, "acme_corp", "messages").r#gen();
        let b: u64 = stream(42, "acme_corp", "messages").r#gen();
        let c: u64 = stream(42, "globex", "messages").r#gen();
        let d: u64 = stream(43, "acme_corp", "messages").r#gen();
        let e: u64 = stream(42, "acme_corp", "activities").r#gen();
        assert_eq!(a, b);
        assert!(a != c && a != d && a != e);
    }

    #[test]
    fn weighted_respects_zero_weights() {
        let w = Weighted::new(&[("a", 0.0), ("b", 1.0)]);
        let mut rng = stream(1, "t", "s");
        assert!((0..100).all(|_| w.sample(&mut rng) == "b"));
    }
}

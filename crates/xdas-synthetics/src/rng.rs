//! A counter-based random number generator: every value is a pure function of
//! `(seed, stream, row, col)`.
//!
//! Nothing is sequential, so any part of a data set can be generated on its own,
//! in any order, on any number of threads, and always comes out bitwise the same.
//! That is what makes [`WavefrontGenerator`](crate::WavefrontGenerator)
//! chunk-invariant.
//!
//! The bits come from the SplitMix64 finaliser applied to a Weyl sequence along each
//! row, whose start is itself a hash of `(seed, stream, row)`. Standard normal
//! deviates use the ziggurat method of Marsaglia & Tsang (2000) in Doornik's (2005)
//! formulation with 256 layers: 98.5 % of the draws cost one hash, a table look-up and
//! a multiplication; the rest draw more bits from a second hash of the same counter.
//! This is *not* numpy's generator: values differ from Python xdas, statistics do not.

use std::sync::OnceLock;

/// Weyl increment of SplitMix64 (the golden ratio in 64-bit fixed point).
const GAMMA: u64 = 0x9e37_79b9_7f4a_7c15;
/// Odd constants that separate the key derivations of streams, rows and redraws.
const STREAM_MUL: u64 = 0xd1b5_4a32_d192_ed03;
const ROW_MUL: u64 = 0xaef1_7502_108e_f2d9;
const REDRAW_MUL: u64 = 0xf135_7aea_2e62_a9c5;

/// The SplitMix64 output function (Stafford's "Mix13"): a bijective avalanche of 64 bits.
#[inline(always)]
fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// 53 random bits as a float in `[0, 1)`.
#[inline(always)]
fn unit_open_one(bits: u64) -> f64 {
    // Through i64: a single instruction on x86-64 (the value is below 2^53).
    ((bits >> 11) as i64) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// 53 random bits as a float in `(0, 1]` (safe for `ln`).
#[inline(always)]
fn unit_open_zero(bits: u64) -> f64 {
    (((bits >> 11) + 1) as i64) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// A counter-based generator: a seed and a stream number, nothing else.
///
/// Independent streams of the same seed (for instance one for noise, one for
/// event parameters) come from [`CounterRng::stream`].
///
/// ```
/// use xdas_synthetics::CounterRng;
///
/// let rng = CounterRng::new(42);
/// // Pure function of (seed, stream, row, col): ask in any order, get the same answer.
/// assert_eq!(rng.normal(3, 7), CounterRng::new(42).normal(3, 7));
/// assert_ne!(rng.normal(3, 7), rng.normal(3, 8));
/// assert_ne!(rng.normal(3, 7), rng.stream(1).normal(3, 7));
/// let u = rng.uniform(0, 0);
/// assert!((0.0..1.0).contains(&u));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CounterRng {
    seed: u64,
    key: u64,
}

impl CounterRng {
    /// The generator of stream 0 of `seed`.
    ///
    /// ```
    /// use xdas_synthetics::CounterRng;
    /// assert_eq!(CounterRng::new(1), CounterRng::new(1).stream(0));
    /// ```
    pub fn new(seed: u64) -> Self {
        Self::with_stream(seed, 0)
    }

    fn with_stream(seed: u64, stream: u64) -> Self {
        let key = mix64(mix64(seed ^ GAMMA).wrapping_add(stream.wrapping_mul(STREAM_MUL)));
        Self { seed, key }
    }

    /// An independent generator: stream `id` of this generator's seed.
    ///
    /// Streams do not nest: the stream of a stream is a stream of the same seed.
    ///
    /// ```
    /// use xdas_synthetics::CounterRng;
    /// let rng = CounterRng::new(7);
    /// assert_ne!(rng.stream(1).bits(0, 0), rng.stream(2).bits(0, 0));
    /// assert_eq!(rng.stream(1).stream(2), rng.stream(2));
    /// ```
    pub fn stream(&self, id: u64) -> Self {
        Self::with_stream(self.seed, id)
    }

    /// The per-row generator, with the row's key computed once (use in inner loops).
    ///
    /// ```
    /// use xdas_synthetics::CounterRng;
    /// let rng = CounterRng::new(5);
    /// let row = rng.row(10);
    /// assert_eq!(row.normal(4), rng.normal(10, 4));
    /// ```
    #[inline]
    pub fn row(&self, row: u64) -> RowRng {
        RowRng {
            key: mix64(mix64(self.key ^ row.wrapping_mul(ROW_MUL)) ^ GAMMA),
            zig: ziggurat(),
        }
    }

    /// 64 random bits at `(row, col)`.
    ///
    /// ```
    /// use xdas_synthetics::CounterRng;
    /// assert_ne!(CounterRng::new(0).bits(0, 0), CounterRng::new(0).bits(0, 1));
    /// ```
    pub fn bits(&self, row: u64, col: u64) -> u64 {
        self.row(row).bits(col)
    }

    /// A uniform deviate in `[0, 1)` at `(row, col)`.
    ///
    /// ```
    /// use xdas_synthetics::CounterRng;
    /// let u = CounterRng::new(0).uniform(1, 2);
    /// assert!(u >= 0.0 && u < 1.0);
    /// ```
    pub fn uniform(&self, row: u64, col: u64) -> f64 {
        self.row(row).uniform(col)
    }

    /// A standard normal deviate (mean 0, variance 1) at `(row, col)`.
    ///
    /// ```
    /// use xdas_synthetics::CounterRng;
    /// let rng = CounterRng::new(3);
    /// let n = 20_000;
    /// let mean = (0..n).map(|c| rng.normal(0, c)).sum::<f64>() / n as f64;
    /// assert!(mean.abs() < 0.05);
    /// ```
    pub fn normal(&self, row: u64, col: u64) -> f64 {
        self.row(row).normal(col)
    }
}

/// The generator of one row of a [`CounterRng`]; see [`CounterRng::row`].
///
/// ```
/// use xdas_synthetics::CounterRng;
/// let row = CounterRng::new(9).row(0);
/// let values: Vec<f64> = (0..4).map(|c| row.normal(c)).collect();
/// assert_eq!(values[2], row.normal(2));
/// ```
#[derive(Debug, Clone, Copy)]
pub struct RowRng {
    key: u64,
    zig: &'static Ziggurat,
}

impl RowRng {
    #[inline(always)]
    fn counter(&self, col: u64) -> u64 {
        self.key
            .wrapping_add(col.wrapping_add(1).wrapping_mul(GAMMA))
    }

    /// 64 random bits at column `col`.
    ///
    /// ```
    /// use xdas_synthetics::CounterRng;
    /// let row = CounterRng::new(0).row(0);
    /// assert_eq!(row.bits(1), CounterRng::new(0).bits(0, 1));
    /// ```
    #[inline(always)]
    pub fn bits(&self, col: u64) -> u64 {
        mix64(self.counter(col))
    }

    /// A uniform deviate in `[0, 1)` at column `col`.
    ///
    /// ```
    /// use xdas_synthetics::CounterRng;
    /// assert!(CounterRng::new(0).row(0).uniform(0) < 1.0);
    /// ```
    #[inline(always)]
    pub fn uniform(&self, col: u64) -> f64 {
        unit_open_one(self.bits(col))
    }

    /// A standard normal deviate at column `col` (ziggurat method).
    ///
    /// ```
    /// use xdas_synthetics::CounterRng;
    /// let x = CounterRng::new(0).row(0).normal(0);
    /// assert!(x.is_finite());
    /// ```
    #[inline(always)]
    pub fn normal(&self, col: u64) -> f64 {
        let counter = self.counter(col);
        let bits = mix64(counter);
        let z = self.zig;
        let i = (bits & LAYER_MASK) as usize;
        let u = 2.0 * unit_open_one(bits) - 1.0;
        if u.abs() < z.ratio[i] {
            return u * z.x[i];
        }
        slow_normal(z, counter, i, u)
    }
}

/// Further bits for the rare rejection steps: a second hash of the same counter.
#[inline]
fn redraw(counter: u64, k: u64) -> u64 {
    mix64(mix64(counter ^ k.wrapping_mul(REDRAW_MUL)) ^ REDRAW_MUL)
}

/// The ~1 % of ziggurat draws that miss the rectangles: wedges, tail, retries.
#[cold]
fn slow_normal(z: &Ziggurat, counter: u64, mut i: usize, mut u: f64) -> f64 {
    let mut k = 1u64;
    let mut next = || {
        let b = redraw(counter, k);
        k += 1;
        b
    };
    loop {
        if i == 0 {
            // Bottom layer beyond the rectangle: sample the tail |x| > R (Marsaglia 1964).
            let negative = u < 0.0;
            loop {
                let x = unit_open_zero(next()).ln() / ZIG_R;
                let y = unit_open_zero(next()).ln();
                if -2.0 * y >= x * x {
                    return if negative { x - ZIG_R } else { ZIG_R - x };
                }
            }
        }
        // Wedge between the rectangle of layer i and the density: accept x with
        // probability (f(x) - f(x_i)) / (f(x_{i+1}) - f(x_i)).
        let x = u * z.x[i];
        let (f_outer, f_inner) = (z.f[i], z.f[i + 1]);
        if f_outer + unit_open_one(next()) * (f_inner - f_outer) < (-0.5 * x * x).exp() {
            return x;
        }
        // Rejected: a fresh draw.
        let bits = next();
        i = (bits & LAYER_MASK) as usize;
        u = 2.0 * unit_open_one(bits) - 1.0;
        if u.abs() < z.ratio[i] {
            return u * z.x[i];
        }
    }
}

const ZIG_LAYERS: usize = 256;
const LAYER_MASK: u64 = ZIG_LAYERS as u64 - 1;
/// Start of the tail and common area of the 256-layer ziggurat (Marsaglia & Tsang
/// 2000): 98.5 % of the draws are accepted from the rectangles.
const ZIG_R: f64 = 3.654_152_885_361_009;
const ZIG_V: f64 = 4.928_673_233_99e-3;

#[derive(Debug)]
struct Ziggurat {
    /// Right edges of the layers (`x[0]` is the base layer's equivalent width).
    x: [f64; ZIG_LAYERS + 1],
    /// `x[i + 1] / x[i]`: the part of layer i inside the density.
    ratio: [f64; ZIG_LAYERS],
    /// The density `exp(-x²/2)` at the edges.
    f: [f64; ZIG_LAYERS + 1],
}

fn ziggurat() -> &'static Ziggurat {
    static TABLES: OnceLock<Ziggurat> = OnceLock::new();
    TABLES.get_or_init(|| {
        let mut x = [0.0; ZIG_LAYERS + 1];
        let mut f = (-0.5 * ZIG_R * ZIG_R).exp();
        x[0] = ZIG_V / f;
        x[1] = ZIG_R;
        for i in 2..ZIG_LAYERS {
            x[i] = (-2.0 * (ZIG_V / x[i - 1] + f).ln()).sqrt();
            f = (-0.5 * x[i] * x[i]).exp();
        }
        x[ZIG_LAYERS] = 0.0;
        let ratio = std::array::from_fn(|i| x[i + 1] / x[i]);
        let f = std::array::from_fn(|i| (-0.5 * x[i] * x[i]).exp());
        Ziggurat { x, ratio, f }
    })
}

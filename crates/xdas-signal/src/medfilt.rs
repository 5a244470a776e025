//! N-d median filter (`scipy.signal.medfilt`, `xdas.signal.medfilt`).
//!
//! Each output sample is the median of the `kernel`-shaped neighbourhood centred on it,
//! the array being zero-padded (scipy's `ndimage.rank_filter(x, size // 2, size=kernel,
//! mode="constant")`). The median is one of the inputs, so results are bitwise scipy's
//! for finite data (with NaNs, or with both `-0.0` and `+0.0` in a window, which of the
//! equal-comparing values is returned may differ).
//!
//! Kernels of up to [`NETWORK_MAX`] samples use a selection network — Batcher's sorting
//! network pruned to the comparators the median depends on — run branch-free on blocks
//! of contiguous samples, which the compiler vectorises (with AVX2 when the CPU has it);
//! larger kernels select per sample.
//! Rows (all indices but the last) run in parallel.

use crate::error::{Result, SignalError, invalid};
use crate::float::Real;
use ndarray::{ArrayD, ArrayViewD, IxDyn};
use rayon::prelude::*;

/// The largest kernel (product of its sizes) filtered with a selection network.
pub const NETWORK_MAX: usize = 64;

/// Median filter of `x` with a kernel of `kernel[i]` samples along axis `i` (each odd;
/// one size per dimension), zero-padded at the edges.
///
/// ```
/// use ndarray::array;
/// use xdas_signal::medfilt::medfilt;
/// let x = array![[1.0, 9.0, 2.0, 3.0], [4.0, 5.0, 8.0, 6.0]].into_dyn();
/// let y = medfilt(x.view(), &[1, 3]).unwrap();
/// assert_eq!(y, array![[1.0, 2.0, 3.0, 2.0], [4.0, 5.0, 6.0, 6.0]].into_dyn());
/// assert!(medfilt(x.view(), &[1, 2]).is_err()); // even size
/// ```
pub fn medfilt<T: Real>(x: ArrayViewD<'_, T>, kernel: &[usize]) -> Result<ArrayD<T>> {
    if kernel.len() != x.ndim() {
        return Err(SignalError::Shape(format!(
            "medfilt: {} kernel sizes for an array of {} dimensions",
            kernel.len(),
            x.ndim()
        )));
    }
    if x.is_empty() {
        return Err(SignalError::Empty(
            "medfilt: the input array is empty".into(),
        ));
    }
    if let Some(k) = kernel.iter().find(|&&k| k % 2 != 1) {
        return Err(invalid(format!(
            "medfilt: each kernel size must be odd, got {k}"
        )));
    }
    if x.ndim() == 0 {
        return Ok(x.to_owned());
    }
    let xs = x.as_standard_layout();
    let data = xs.as_slice().expect("standard layout");
    let shape = x.shape().to_vec();
    let nd = shape.len();
    let len = shape[nd - 1];
    let ksize: usize = kernel.iter().product();
    let rank = ksize / 2;
    let mut out = crate::buffers::zeroed::<T>(data.len());
    if ksize == 1 {
        out.copy_from_slice(data);
        return Ok(ArrayD::from_shape_vec(IxDyn(&shape), out).expect("shape"));
    }
    // offsets of the kernel along the leading axes (row-major), and along the last
    let lead_shape = &shape[..nd - 1];
    let lead_kernel = &kernel[..nd - 1];
    let mut lead_offsets: Vec<Vec<isize>> = vec![vec![]];
    for &k in lead_kernel {
        let h = (k / 2) as isize;
        lead_offsets = lead_offsets
            .into_iter()
            .flat_map(|o| {
                (-h..=h).map(move |d| {
                    let mut o = o.clone();
                    o.push(d);
                    o
                })
            })
            .collect();
    }
    let hl = (kernel[nd - 1] / 2) as isize;
    let last_offsets: Vec<isize> = (-hl..=hl).collect();
    let network = (ksize <= NETWORK_MAX).then(|| Network::median(ksize));
    // rows of `len` samples; the block width keeps the gathered samples in L1
    let block = (16384 / (ksize * std::mem::size_of::<T>())).clamp(8, 512);
    out.par_chunks_mut(len).enumerate().for_each(|(row, orow)| {
        // the multi-index of this row over the leading axes
        let mut idx = vec![0usize; nd - 1];
        let mut r = row;
        for a in (0..nd - 1).rev() {
            idx[a] = r % lead_shape[a];
            r /= lead_shape[a];
        }
        // the source rows of the kernel's leading offsets (None outside the array)
        let sources: Vec<Option<&[T]>> = lead_offsets
            .iter()
            .map(|off| {
                let mut src = 0usize;
                for a in 0..nd - 1 {
                    let i = idx[a] as isize + off[a];
                    if i < 0 || i >= lead_shape[a] as isize {
                        return None;
                    }
                    src = src * lead_shape[a] + i as usize;
                }
                Some(&data[src * len..(src + 1) * len])
            })
            .collect();
        let mut scratch = vec![T::zero(); ksize * block];
        let mut start = 0;
        while start < len {
            let w = block.min(len - start);
            // gather: slot s = (leading offset, last offset) holds x shifted, zero-padded
            let mut s = 0;
            for src in &sources {
                for &d in &last_offsets {
                    let dst = &mut scratch[s * w..(s + 1) * w];
                    gather(dst, *src, start as isize + d);
                    s += 1;
                }
            }
            match &network {
                Some(net) => {
                    net.run_fast(&mut scratch[..ksize * w], w);
                    orow[start..start + w]
                        .copy_from_slice(&scratch[net.out * w..(net.out + 1) * w]);
                }
                None => {
                    let mut vals = vec![T::zero(); ksize];
                    for (j, o) in orow[start..start + w].iter_mut().enumerate() {
                        for (k, v) in vals.iter_mut().enumerate() {
                            *v = scratch[k * w + j];
                        }
                        // a total order: NaNs equal to each other and above everything
                        let (_, m, _) = vals.select_nth_unstable_by(rank, |a, b| {
                            a.partial_cmp(b)
                                .unwrap_or_else(|| a.is_nan().cmp(&b.is_nan()))
                        });
                        *o = *m;
                    }
                }
            }
            start += w;
        }
    });
    Ok(ArrayD::from_shape_vec(IxDyn(&shape), out).expect("shape"))
}

/// `dst[j] = src[first + j]`, zero outside `src` (or everywhere when `src` is `None`).
#[inline]
fn gather<T: Real>(dst: &mut [T], src: Option<&[T]>, first: isize) {
    let Some(src) = src else {
        dst.fill(T::zero());
        return;
    };
    let n = src.len() as isize;
    let w = dst.len() as isize;
    let lo = first.clamp(0, n);
    let hi = (first + w).clamp(0, n);
    let (a, b) = ((lo - first) as usize, (hi - first).max(lo - first) as usize);
    dst[..a].fill(T::zero());
    if b > a {
        dst[a..b].copy_from_slice(&src[lo as usize..hi as usize]);
    }
    dst[b..].fill(T::zero());
}

/// What a comparator computes.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Op {
    /// `(a, b) ← (min, max)`.
    Both,
    /// `a ← min` (the maximum is not needed).
    Min,
    /// `b ← max` (the minimum is not needed).
    Max,
}

/// A selection network: comparators on slots `0..n`, the selected value ending in
/// slot `out`.
#[derive(Debug, Clone)]
struct Network {
    comparators: Vec<(usize, usize, Op)>,
    out: usize,
}

impl Network {
    /// The network selecting the median (rank `n / 2`) of `n` values.
    fn median(n: usize) -> Self {
        Self::select(n, n / 2)
    }

    /// The network selecting rank `rank` of `n` values: Batcher's odd–even merge sort on
    /// the next power of two, the missing inputs taken as `+∞` (their comparators are
    /// resolved statically), then pruned backwards to what `rank` depends on.
    fn select(n: usize, rank: usize) -> Self {
        let p = n.next_power_of_two();
        let mut full = Vec::new();
        batcher(p, &mut full);
        // wire → slot, or None for +∞
        let mut wire: Vec<Option<usize>> = (0..p).map(|i| (i < n).then_some(i)).collect();
        let mut comps = Vec::new();
        for (i, j) in full {
            match (wire[i], wire[j]) {
                (Some(a), Some(b)) => comps.push((a, b)),
                (None, Some(_)) => wire.swap(i, j),
                _ => {}
            }
        }
        let out = wire[rank].expect("a finite rank");
        let mut live = vec![false; n];
        live[out] = true;
        let mut kept = Vec::new();
        for &(a, b) in comps.iter().rev() {
            let op = match (live[a], live[b]) {
                (true, true) => Op::Both,
                (true, false) => Op::Min,
                (false, true) => Op::Max,
                (false, false) => continue,
            };
            live[a] = true;
            live[b] = true;
            kept.push((a, b, op));
        }
        kept.reverse();
        Network {
            comparators: kept,
            out,
        }
    }

    /// [`run`](Self::run), compiled for AVX2 when the CPU has it (twice the lanes of the
    /// baseline SSE2 build; the comparisons, hence the results, are the same).
    fn run_fast<T: Real>(&self, slots: &mut [T], w: usize) {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2 (checked just above).
            unsafe { self.run_avx2(slots, w) };
            return;
        }
        self.run(slots, w)
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn run_avx2<T: Real>(&self, slots: &mut [T], w: usize) {
        self.run(slots, w)
    }

    /// Run on `slots`: `n` rows of `w` samples each, column by column.
    #[inline(always)]
    fn run<T: Real>(&self, slots: &mut [T], w: usize) {
        for &(a, b, op) in &self.comparators {
            let (lo, hi) = if a < b { (a, b) } else { (b, a) };
            let (head, tail) = slots.split_at_mut(hi * w);
            let (ra, rb) = (&mut head[lo * w..(lo + 1) * w], &mut tail[..w]);
            let (ra, rb) = if a < b { (ra, rb) } else { (rb, ra) };
            match op {
                Op::Both => {
                    for (x, y) in ra.iter_mut().zip(rb.iter_mut()) {
                        let (u, v) = (*x, *y);
                        *x = u.min(v);
                        *y = u.max(v);
                    }
                }
                Op::Min => {
                    for (x, &v) in ra.iter_mut().zip(rb.iter()) {
                        *x = x.min(v);
                    }
                }
                Op::Max => {
                    for (&u, y) in ra.iter().zip(rb.iter_mut()) {
                        *y = y.max(u);
                    }
                }
            }
        }
    }
}

/// Batcher's odd–even merge sort network on `p` (a power of two) wires.
fn batcher(p: usize, out: &mut Vec<(usize, usize)>) {
    let mut size = 1;
    while size < p {
        let mut k = size;
        while k >= 1 {
            let mut j = k % size;
            while j + k < p {
                for i in 0..k.min(p - j - k) {
                    if (i + j) / (size * 2) == (i + j + k) / (size * 2) {
                        out.push((i + j, i + j + k));
                    }
                }
                j += 2 * k;
            }
            k /= 2;
        }
        size *= 2;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 0-1 principle: a network selects rank r of every input iff it does on 0/1 inputs.
    #[test]
    fn networks_select_on_all_binary_inputs() {
        for n in 1..=16usize {
            for rank in [0, n / 2, n - 1] {
                let net = Network::select(n, rank);
                for bits in 0u32..(1 << n) {
                    let mut v: Vec<f64> = (0..n).map(|i| ((bits >> i) & 1) as f64).collect();
                    let mut sorted = v.clone();
                    sorted.sort_by(f64::total_cmp);
                    net.run(&mut v, 1);
                    assert_eq!(v[net.out], sorted[rank], "n {n} rank {rank} bits {bits:b}");
                }
            }
        }
    }

    #[test]
    fn networks_select_on_random_inputs() {
        let mut seed = 12345u64;
        let mut rnd = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 11) as f64 / (1u64 << 53) as f64
        };
        for n in 17..=NETWORK_MAX {
            let net = Network::median(n);
            for _ in 0..200 {
                let mut v: Vec<f64> = (0..n).map(|_| (rnd() * 8.0).floor()).collect();
                let mut sorted = v.clone();
                sorted.sort_by(f64::total_cmp);
                net.run(&mut v, 1);
                assert_eq!(v[net.out], sorted[n / 2], "n {n}");
            }
        }
    }

    #[test]
    fn network_sizes_are_small() {
        assert!(Network::median(5).comparators.len() <= 9);
        assert!(Network::median(9).comparators.len() <= 25);
    }
}

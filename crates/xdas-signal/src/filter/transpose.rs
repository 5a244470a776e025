//! Transposing lanes (contiguous time series) into `(time, lane)` tiles and back, for the
//! kernels that vectorise across lanes. With AVX2 the copies go through 4×4 (`f64`) or
//! 8×8 (`f32`) register transposes; otherwise element by element. Either way the values
//! are only moved, never changed.

use crate::float::Real;
use std::any::TypeId;

/// Copy samples `t0 .. t0 + rows` of `w` lanes (lane `g` at `lanes[g * n..]`) into the
/// `(rows, w)` tile `tile`, in reverse time order when `reverse`. `simd` may be true only
/// when the CPU has AVX2.
#[inline(always)]
#[allow(clippy::too_many_arguments)] // the geometry of a strided copy
pub(crate) fn lanes_to_tile<T: Real>(
    lanes: &[T],
    n: usize,
    t0: usize,
    rows: usize,
    reverse: bool,
    w: usize,
    tile: &mut [T],
    simd: bool,
) {
    assert!(
        tile.len() >= rows * w
            && t0 + rows <= n
            && (w == 0 || lanes.len() >= (w - 1) * n + t0 + rows)
    );
    let t_of = |r: usize| if reverse { t0 + rows - 1 - r } else { t0 + r };
    let bs = block_side::<T>(simd);
    let (wb, rb) = if bs > 1 {
        (w / bs * bs, rows / bs * bs)
    } else {
        (0, 0)
    };
    for g0 in (0..wb).step_by(bs) {
        for r0 in (0..rb).step_by(bs) {
            // the block's time samples of each lane start at ts, in time order
            let ts = if reverse {
                t0 + rows - r0 - bs
            } else {
                t0 + r0
            };
            let src = lanes[g0 * n + ts..].as_ptr();
            let (r_first, dstride) = if reverse {
                (r0 + bs - 1, -(w as isize))
            } else {
                (r0, w as isize)
            };
            let dst = tile[r_first * w + g0..].as_mut_ptr();
            // SAFETY: `simd` implies AVX2; every row read or written holds `bs` elements
            // inside the slices (asserted above: lanes cover t0 + rows, the tile rows * w).
            unsafe { transpose_block::<T>(bs, src, n as isize, dst, dstride) };
        }
        for r in rb..rows {
            for g in g0..g0 + bs {
                tile[r * w + g] = lanes[g * n + t_of(r)];
            }
        }
    }
    for g in wb..w {
        for r in 0..rows {
            tile[r * w + g] = lanes[g * n + t_of(r)];
        }
    }
}

/// The inverse of [`lanes_to_tile`]: write the `(rows, w)` tile to samples `t0 .. t0 +
/// rows` of the lanes.
#[inline(always)]
#[allow(clippy::too_many_arguments)] // the geometry of a strided copy
pub(crate) fn tile_to_lanes<T: Real>(
    tile: &[T],
    n: usize,
    t0: usize,
    rows: usize,
    reverse: bool,
    w: usize,
    lanes: &mut [T],
    simd: bool,
) {
    assert!(
        tile.len() >= rows * w
            && t0 + rows <= n
            && (w == 0 || lanes.len() >= (w - 1) * n + t0 + rows)
    );
    let t_of = |r: usize| if reverse { t0 + rows - 1 - r } else { t0 + r };
    let bs = block_side::<T>(simd);
    let (wb, rb) = if bs > 1 {
        (w / bs * bs, rows / bs * bs)
    } else {
        (0, 0)
    };
    for g0 in (0..wb).step_by(bs) {
        for r0 in (0..rb).step_by(bs) {
            let ts = if reverse {
                t0 + rows - r0 - bs
            } else {
                t0 + r0
            };
            // source row i = the tile row holding time ts + i
            let (r_first, sstride) = if reverse {
                (r0 + bs - 1, -(w as isize))
            } else {
                (r0, w as isize)
            };
            let src = tile[r_first * w + g0..].as_ptr();
            let dst = lanes[g0 * n + ts..].as_mut_ptr();
            // SAFETY: as in `lanes_to_tile`.
            unsafe { transpose_block::<T>(bs, src, sstride, dst, n as isize) };
        }
        for r in rb..rows {
            for g in g0..g0 + bs {
                lanes[g * n + t_of(r)] = tile[r * w + g];
            }
        }
    }
    for g in wb..w {
        for r in 0..rows {
            lanes[g * n + t_of(r)] = tile[r * w + g];
        }
    }
}

/// Side of the register-transposed blocks (1: no SIMD transposes).
#[inline(always)]
fn block_side<T: 'static>(simd: bool) -> usize {
    if !simd || !cfg!(target_arch = "x86_64") {
        1
    } else if TypeId::of::<T>() == TypeId::of::<f64>() {
        4
    } else if TypeId::of::<T>() == TypeId::of::<f32>() {
        8
    } else {
        1
    }
}

/// `bs × bs` transpose: element `j` of source row `i` (at `src + i · ss`) goes to element
/// `i` of destination row `j` (at `dst + j · ds`); `bs` from [`block_side`].
///
/// # Safety
/// AVX2 must be available, `T` must be `f64` (`bs == 4`) or `f32` (`bs == 8`), and every
/// row must be valid for `bs` elements.
#[inline(always)]
unsafe fn transpose_block<T: 'static>(bs: usize, src: *const T, ss: isize, dst: *mut T, ds: isize) {
    #[cfg(target_arch = "x86_64")]
    unsafe {
        if bs == 4 {
            let s: [*const f64; 4] =
                std::array::from_fn(|i| src.offset(i as isize * ss) as *const f64);
            let d: [*mut f64; 4] = std::array::from_fn(|j| dst.offset(j as isize * ds) as *mut f64);
            avx::t4x4_f64(s, d);
            return;
        }
        if bs == 8 {
            let s: [*const f32; 8] =
                std::array::from_fn(|i| src.offset(i as isize * ss) as *const f32);
            let d: [*mut f32; 8] = std::array::from_fn(|j| dst.offset(j as isize * ds) as *mut f32);
            avx::t8x8_f32(s, d);
            return;
        }
    }
    let _ = (src, ss, dst, ds);
    unreachable!("no SIMD transpose of {bs} x {bs} blocks for this type");
}

#[cfg(target_arch = "x86_64")]
mod avx {
    use std::arch::x86_64::*;

    /// 4×4 transpose of f64 rows.
    ///
    /// # Safety
    /// AVX must be available and every pointer valid for 4 elements.
    #[inline]
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn t4x4_f64(s: [*const f64; 4], d: [*mut f64; 4]) {
        unsafe {
            let (r0, r1) = (_mm256_loadu_pd(s[0]), _mm256_loadu_pd(s[1]));
            let (r2, r3) = (_mm256_loadu_pd(s[2]), _mm256_loadu_pd(s[3]));
            let t0 = _mm256_unpacklo_pd(r0, r1);
            let t1 = _mm256_unpackhi_pd(r0, r1);
            let t2 = _mm256_unpacklo_pd(r2, r3);
            let t3 = _mm256_unpackhi_pd(r2, r3);
            _mm256_storeu_pd(d[0], _mm256_permute2f128_pd::<0x20>(t0, t2));
            _mm256_storeu_pd(d[1], _mm256_permute2f128_pd::<0x20>(t1, t3));
            _mm256_storeu_pd(d[2], _mm256_permute2f128_pd::<0x31>(t0, t2));
            _mm256_storeu_pd(d[3], _mm256_permute2f128_pd::<0x31>(t1, t3));
        }
    }

    /// 8×8 transpose of f32 rows.
    ///
    /// # Safety
    /// AVX must be available and every pointer valid for 8 elements.
    #[inline]
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn t8x8_f32(s: [*const f32; 8], d: [*mut f32; 8]) {
        unsafe {
            let r: [__m256; 8] = std::array::from_fn(|i| _mm256_loadu_ps(s[i]));
            let t0 = _mm256_unpacklo_ps(r[0], r[1]);
            let t1 = _mm256_unpackhi_ps(r[0], r[1]);
            let t2 = _mm256_unpacklo_ps(r[2], r[3]);
            let t3 = _mm256_unpackhi_ps(r[2], r[3]);
            let t4 = _mm256_unpacklo_ps(r[4], r[5]);
            let t5 = _mm256_unpackhi_ps(r[4], r[5]);
            let t6 = _mm256_unpacklo_ps(r[6], r[7]);
            let t7 = _mm256_unpackhi_ps(r[6], r[7]);
            let u0 = _mm256_shuffle_ps::<0x44>(t0, t2);
            let u1 = _mm256_shuffle_ps::<0xEE>(t0, t2);
            let u2 = _mm256_shuffle_ps::<0x44>(t1, t3);
            let u3 = _mm256_shuffle_ps::<0xEE>(t1, t3);
            let u4 = _mm256_shuffle_ps::<0x44>(t4, t6);
            let u5 = _mm256_shuffle_ps::<0xEE>(t4, t6);
            let u6 = _mm256_shuffle_ps::<0x44>(t5, t7);
            let u7 = _mm256_shuffle_ps::<0xEE>(t5, t7);
            _mm256_storeu_ps(d[0], _mm256_permute2f128_ps::<0x20>(u0, u4));
            _mm256_storeu_ps(d[1], _mm256_permute2f128_ps::<0x20>(u1, u5));
            _mm256_storeu_ps(d[2], _mm256_permute2f128_ps::<0x20>(u2, u6));
            _mm256_storeu_ps(d[3], _mm256_permute2f128_ps::<0x20>(u3, u7));
            _mm256_storeu_ps(d[4], _mm256_permute2f128_ps::<0x31>(u0, u4));
            _mm256_storeu_ps(d[5], _mm256_permute2f128_ps::<0x31>(u1, u5));
            _mm256_storeu_ps(d[6], _mm256_permute2f128_ps::<0x31>(u2, u6));
            _mm256_storeu_ps(d[7], _mm256_permute2f128_ps::<0x31>(u3, u7));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check<T: Real>() {
        let simd_ok = {
            #[cfg(target_arch = "x86_64")]
            {
                std::arch::is_x86_feature_detected!("avx2")
            }
            #[cfg(not(target_arch = "x86_64"))]
            {
                false
            }
        };
        for (w, n, t0, rows) in [
            (8, 40, 3, 33),
            (11, 64, 0, 64),
            (3, 10, 2, 7),
            (16, 9, 1, 8),
        ] {
            let lanes: Vec<T> = (0..w * n).map(|i| T::of(i as f64)).collect();
            for reverse in [false, true] {
                let mut want = vec![T::zero(); rows * w];
                lanes_to_tile(&lanes, n, t0, rows, reverse, w, &mut want, false);
                for r in 0..rows {
                    for g in 0..w {
                        let t = if reverse { t0 + rows - 1 - r } else { t0 + r };
                        assert_eq!(want[r * w + g], lanes[g * n + t]);
                    }
                }
                let mut back = vec![T::zero(); w * n];
                tile_to_lanes(&want, n, t0, rows, reverse, w, &mut back, false);
                for g in 0..w {
                    for t in t0..t0 + rows {
                        assert_eq!(back[g * n + t], lanes[g * n + t]);
                    }
                }
                if simd_ok {
                    let mut got = vec![T::zero(); rows * w];
                    lanes_to_tile(&lanes, n, t0, rows, reverse, w, &mut got, true);
                    assert_eq!(got, want, "w={w} n={n} rows={rows} reverse={reverse}");
                    let mut back2 = vec![T::zero(); w * n];
                    tile_to_lanes(&want, n, t0, rows, reverse, w, &mut back2, true);
                    assert_eq!(back2, back);
                }
            }
        }
    }

    #[test]
    fn transposes_round_trip() {
        check::<f32>();
        check::<f64>();
    }
}

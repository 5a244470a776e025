//! FFTs, the analytic signal and the STFT against direct DFTs and numpy's conventions.

use ndarray::{Array, ArrayD, Axis, IxDyn, s};
use num_complex::{Complex, Complex64};
use std::f64::consts::PI;
use xdas_signal::SignalError;
use xdas_signal::spectral::{
    Norm, Scaling, fft, fftfreq, fftshift, fftshift_axis, hilbert, ifft, ifftshift, ifftshift_axis,
    irfft, rfft, rfftfreq, stft,
};

/// A deterministic pseudo-random array in [-1, 1).
fn rand_array(shape: &[usize], seed: u64) -> ArrayD<f64> {
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    Array::from_shape_simple_fn(IxDyn(shape), || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        (s >> 11) as f64 / (1u64 << 52) as f64 - 1.0
    })
}

fn rand_complex(shape: &[usize], seed: u64) -> ArrayD<Complex64> {
    let re = rand_array(shape, seed);
    let im = rand_array(shape, seed + 1);
    ndarray::Zip::from(&re)
        .and(&im)
        .map_collect(|&a, &b| Complex64::new(a, b))
}

/// Direct DFT of `x` (zero-padded or truncated to `n`), sign −1 forward, +1 inverse.
fn dft(x: &[Complex64], n: usize, inverse: bool) -> Vec<Complex64> {
    let sign = if inverse { 1.0 } else { -1.0 };
    (0..n)
        .map(|k| {
            (0..n.min(x.len()))
                .map(|j| {
                    let a = sign * 2.0 * PI * ((j * k) % n) as f64 / n as f64;
                    x[j] * Complex64::new(a.cos(), a.sin())
                })
                .sum()
        })
        .collect()
}

fn max_err(a: impl Iterator<Item = Complex64>, b: impl Iterator<Item = Complex64>) -> f64 {
    a.zip(b).map(|(u, v)| (u - v).norm()).fold(0.0, f64::max)
}

#[test]
fn fft_matches_direct_dft_on_every_axis_length_and_norm() {
    let x = rand_complex(&[7, 12, 3], 1);
    for axis in 0..3 {
        let m = x.shape()[axis];
        for n in [None, Some(1), Some(m - 1), Some(m + 5), Some(17)] {
            let nn = n.unwrap_or(m);
            for (norm, f_fwd, f_inv) in [
                (Norm::Backward, 1.0, 1.0 / nn as f64),
                (
                    Norm::Ortho,
                    1.0 / (nn as f64).sqrt(),
                    1.0 / (nn as f64).sqrt(),
                ),
                (Norm::Forward, 1.0 / nn as f64, 1.0),
            ] {
                let y = fft(x.view(), n, axis, norm).unwrap();
                let yi = ifft(x.view(), n, axis, norm).unwrap();
                assert_eq!(y.shape()[axis], nn);
                for ((lane, ly), lyi) in x
                    .lanes(Axis(axis))
                    .into_iter()
                    .zip(y.lanes(Axis(axis)))
                    .zip(yi.lanes(Axis(axis)))
                {
                    let l: Vec<Complex64> = lane.to_vec();
                    let want = dft(&l, nn, false);
                    let e = max_err(ly.iter().copied(), want.iter().map(|v| v * f_fwd));
                    assert!(e < 1e-13, "fft axis {axis} n {nn} {norm:?}: {e}");
                    let want = dft(&l, nn, true);
                    let e = max_err(lyi.iter().copied(), want.iter().map(|v| v * f_inv));
                    assert!(e < 1e-13, "ifft axis {axis} n {nn} {norm:?}: {e}");
                }
            }
        }
    }
}

#[test]
fn fft_ifft_round_trip() {
    let x = rand_complex(&[64, 5], 2);
    for norm in [Norm::Backward, Norm::Ortho, Norm::Forward] {
        for axis in 0..2 {
            let y = fft(x.view(), None, axis, norm).unwrap();
            let z = ifft(y.view(), None, axis, norm).unwrap();
            let e = max_err(z.iter().copied(), x.iter().copied());
            assert!(e < 1e-14, "{norm:?} {axis}: {e}");
        }
    }
}

#[test]
fn rfft_matches_fft_and_irfft_inverts() {
    let x = rand_array(&[9, 10], 3);
    for axis in 0..2 {
        let m = x.shape()[axis];
        for n in [m, m + 3, 4, 1] {
            let y = rfft(x.view(), Some(n), axis, Norm::Backward).unwrap();
            assert_eq!(y.shape()[axis], n / 2 + 1);
            let xc = x.mapv(|v| Complex64::new(v, 0.0));
            let full = fft(xc.view(), Some(n), axis, Norm::Backward).unwrap();
            let half = full.slice_axis(Axis(axis), (0..n / 2 + 1).into());
            let e = max_err(y.iter().copied(), half.iter().copied());
            assert!(e < 1e-13, "rfft axis {axis} n {n}: {e}");
        }
        for norm in [Norm::Backward, Norm::Ortho, Norm::Forward] {
            // odd and even lengths
            for n in [m, m - 1] {
                let xs = x.slice_axis(Axis(axis), (0..n).into());
                let y = rfft(xs.view(), None, axis, norm).unwrap();
                let z = irfft(y.view(), Some(n), axis, norm).unwrap();
                let e = z
                    .iter()
                    .zip(xs.iter())
                    .map(|(a, b)| (a - b).abs())
                    .fold(0.0, f64::max);
                assert!(e < 1e-14, "round trip {norm:?} axis {axis} n {n}: {e}");
            }
        }
    }
    // default irfft length 2(m-1)
    let x = rand_array(&[16], 4);
    let y = rfft(x.view(), None, 0, Norm::Backward).unwrap();
    assert_eq!(y.len(), 9);
    let z = irfft(y.view(), None, 0, Norm::Backward).unwrap();
    assert_eq!(z.len(), 16);
    assert!(z.iter().zip(&x).all(|(a, b)| (a - b).abs() < 1e-14));
}

#[test]
fn irfft_ignores_imaginary_dc_and_nyquist_like_numpy() {
    // np.fft.irfft([1+1j, 2, 3+5j]) -> [ 2. , -0.5,  0. , -0.5]
    let x = ndarray::arr1(&[
        Complex64::new(1.0, 1.0),
        Complex64::new(2.0, 0.0),
        Complex64::new(3.0, 5.0),
    ])
    .into_dyn();
    let y = irfft(x.view(), None, 0, Norm::Backward).unwrap();
    let want = [2.0, -0.5, 0.0, -0.5];
    assert!(
        y.iter().zip(want).all(|(a, b)| (a - b).abs() < 1e-15),
        "{y}"
    );
    // truncation: np.fft.irfft([1, 2, 3, 4], n=3) -> [ 1.66666667, -0.33333333, -0.33333333]
    let x = ndarray::arr1(&[1.0, 2.0, 3.0, 4.0])
        .mapv(|v| Complex64::new(v, 0.0))
        .into_dyn();
    let y = irfft(x.view(), Some(3), 0, Norm::Backward).unwrap();
    let want = [5.0 / 3.0, -1.0 / 3.0, -1.0 / 3.0];
    assert!(
        y.iter().zip(want).all(|(a, b)| (a - b).abs() < 1e-15),
        "{y}"
    );
}

#[test]
fn frequencies_and_shifts_follow_numpy() {
    // np.fft.fftfreq(5, 0.1), np.fft.fftfreq(6, 0.5), np.fft.rfftfreq(6, 0.5)
    assert_eq!(fftfreq(5, 0.1), vec![0.0, 2.0, 4.0, -4.0, -2.0]);
    assert_eq!(
        fftfreq(6, 0.5),
        vec![0.0, 1.0 / 3.0, 2.0 / 3.0, -1.0, -2.0 / 3.0, -1.0 / 3.0]
    );
    assert_eq!(rfftfreq(6, 0.5), vec![0.0, 1.0 / 3.0, 2.0 / 3.0, 1.0]);
    assert_eq!(fftfreq(1, 1.0), vec![0.0]);
    assert_eq!(fftshift(&[0, 1, 2, 3, 4, 5]), vec![3, 4, 5, 0, 1, 2]);
    assert_eq!(fftshift(&[0, 1, 2, 3, 4]), vec![3, 4, 0, 1, 2]);
    assert_eq!(ifftshift(&[3, 4, 0, 1, 2]), vec![0, 1, 2, 3, 4]);
    assert!(fftshift::<i32>(&[]).is_empty());
    let x = Array::from_shape_fn((2, 5), |(i, j)| 10 * i + j).into_dyn();
    let y = fftshift_axis(x.view(), 1).unwrap();
    assert_eq!(y.slice(s![1, ..]).to_vec(), vec![13, 14, 10, 11, 12]);
    assert_eq!(ifftshift_axis(y.view(), 1).unwrap(), x);
    let y0 = fftshift_axis(x.view(), 0).unwrap();
    assert_eq!(y0.slice(s![0, ..]).to_vec(), vec![10, 11, 12, 13, 14]);
    assert!(matches!(
        fftshift_axis(x.view(), 2),
        Err(SignalError::Axis { .. })
    ));
}

/// scipy.signal.hilbert by its definition, with a direct DFT.
fn hilbert_ref(x: &[f64], n: usize) -> Vec<Complex64> {
    let xc: Vec<Complex64> = x.iter().map(|&v| Complex64::new(v, 0.0)).collect();
    let mut xf = dft(&xc, n, false);
    for (k, v) in xf.iter_mut().enumerate() {
        let h = if k == 0 || (n % 2 == 0 && k == n / 2) {
            1.0
        } else if k < n.div_ceil(2) {
            2.0
        } else {
            0.0
        };
        *v *= h;
    }
    dft(&xf, n, true)
        .into_iter()
        .map(|v| v / n as f64)
        .collect()
}

#[test]
fn hilbert_matches_its_definition() {
    let x = rand_array(&[11, 4], 5);
    for axis in 0..2 {
        let m = x.shape()[axis];
        for n in [None, Some(m + 4), Some(m - 1), Some(2)] {
            let nn = n.unwrap_or(m);
            let z = hilbert(x.view(), n, axis).unwrap();
            assert_eq!(z.shape()[axis], nn);
            for (lane, lz) in x.lanes(Axis(axis)).into_iter().zip(z.lanes(Axis(axis))) {
                let want = hilbert_ref(&lane.to_vec(), nn);
                let e = max_err(lz.iter().copied(), want.into_iter());
                assert!(e < 1e-13, "axis {axis} n {nn}: {e}");
            }
        }
    }
    // the real part is the signal
    let z = hilbert(x.view(), None, 0).unwrap();
    assert!(z.iter().zip(&x).all(|(c, v)| (c.re - v).abs() < 1e-14));
}

/// scipy.signal.stft(boundary=None, padded=False, detrend=False) of one lane, directly.
fn stft_ref(
    x: &[f64],
    w: &[f64],
    noverlap: usize,
    nfft: usize,
    onesided: bool,
    scale: f64,
) -> Vec<Vec<Complex64>> {
    let nperseg = w.len();
    let step = nperseg - noverlap;
    let mut out = vec![];
    let mut k = 0;
    while k + nperseg <= x.len() {
        let seg: Vec<Complex64> = (0..nperseg)
            .map(|j| Complex64::new(x[k + j] * w[j], 0.0))
            .collect();
        let mut f = dft(&seg, nfft, false);
        if onesided {
            f.truncate(nfft / 2 + 1);
        }
        out.push(f.into_iter().map(|v| v * scale).collect());
        k += step;
    }
    out
}

#[test]
fn stft_matches_a_direct_dft() {
    let x = rand_array(&[50, 3], 6); // (time, channel)
    let nperseg = 8;
    let w: Vec<f64> = (0..nperseg)
        .map(|i| 0.5 - 0.5 * (2.0 * PI * i as f64 / nperseg as f64).cos())
        .collect();
    let fs = 25.0;
    for (noverlap, nfft, onesided, scaling) in [
        (None, None, true, Scaling::Spectrum),
        (Some(3), Some(12), true, Scaling::Psd),
        (Some(0), None, false, Scaling::Spectrum),
        (Some(7), Some(9), false, Scaling::Psd),
    ] {
        let nov = noverlap.unwrap_or(nperseg / 2);
        let nf = nfft.unwrap_or(nperseg);
        let scale = match scaling {
            Scaling::Spectrum => 1.0 / w.iter().sum::<f64>(),
            Scaling::Psd => (1.0 / (fs * w.iter().map(|v| v * v).sum::<f64>())).sqrt(),
        };
        for axis in 0..2 {
            let xa = if axis == 0 {
                x.clone()
            } else {
                x.t().as_standard_layout().into_owned()
            };
            let r = stft(
                xa.view(),
                &w,
                nperseg,
                noverlap,
                nfft,
                onesided,
                scaling,
                fs,
                axis,
            )
            .unwrap();
            let nseg = (50 - nperseg) / (nperseg - nov) + 1;
            let nfreq = if onesided { nf / 2 + 1 } else { nf };
            let mut shape = xa.shape().to_vec();
            shape[axis] = nseg;
            shape.push(nfreq);
            assert_eq!(r.data.shape(), &shape[..]);
            assert_eq!(r.times.len(), nseg);
            assert_eq!(r.freqs.len(), nfreq);
            for k in 0..nseg {
                let t = (nperseg as f64 / 2.0 + (k * (nperseg - nov)) as f64) / fs;
                assert!((r.times[k] - t).abs() < 1e-15);
            }
            let want_f = if onesided {
                rfftfreq(nf, 1.0 / fs)
            } else {
                fftfreq(nf, 1.0 / fs)
            };
            assert_eq!(r.freqs, want_f);
            for c in 0..3 {
                let lane: Vec<f64> = x.slice(s![.., c]).to_vec();
                let want = stft_ref(&lane, &w, nov, nf, onesided, scale);
                for (k, wk) in want.iter().enumerate() {
                    let got = if axis == 0 {
                        r.data.slice(s![k, c, ..]).to_vec()
                    } else {
                        r.data.slice(s![c, k, ..]).to_vec()
                    };
                    let e = max_err(got.into_iter(), wk.iter().copied());
                    assert!(e < 1e-14, "stft {nov} {nf} {onesided} axis {axis}: {e}");
                }
            }
        }
    }
}

#[test]
fn stft_of_a_three_d_array_puts_frequency_last() {
    let x = rand_array(&[2, 40, 3], 7);
    let w = vec![1.0; 10];
    let r = stft(
        x.view(),
        &w,
        10,
        Some(5),
        None,
        true,
        Scaling::Spectrum,
        1.0,
        1,
    )
    .unwrap();
    assert_eq!(r.data.shape(), &[2, 7, 3, 6]);
    // segment 2 of lane (1, ·, 2): samples 10..20
    let mean: f64 = (10..20).map(|t| x[[1, t, 2]]).sum::<f64>() / 10.0;
    assert!((r.data[[1, 2, 2, 0]].re - mean).abs() < 1e-15);
}

#[test]
fn f32_agrees_with_f64() {
    let x = rand_array(&[64, 4], 8);
    let x32 = x.mapv(|v| v as f32);
    let rel = |a: &ArrayD<Complex<f32>>, b: &ArrayD<Complex64>| {
        let scale = b.iter().map(|v| v.norm()).fold(0.0, f64::max);
        a.iter()
            .zip(b)
            .map(|(u, v)| (Complex64::new(u.re as f64, u.im as f64) - v).norm())
            .fold(0.0, f64::max)
            / scale
    };
    let a = rfft(x32.view(), None, 0, Norm::Backward).unwrap();
    let b = rfft(x.view(), None, 0, Norm::Backward).unwrap();
    assert!(rel(&a, &b) < 1e-5);
    let a = hilbert(x32.view(), None, 0).unwrap();
    let b = hilbert(x.view(), None, 0).unwrap();
    assert!(rel(&a, &b) < 1e-5);
    let xc32 = x32.mapv(|v| Complex::new(v, -v));
    let xc = x.mapv(|v| Complex64::new(v, -v));
    let a = fft(xc32.view(), Some(50), 1, Norm::Ortho).unwrap();
    let b = fft(xc.view(), Some(50), 1, Norm::Ortho).unwrap();
    assert!(rel(&a, &b) < 1e-5);
    let w = vec![0.5; 16];
    let a = stft(x32.view(), &w, 16, None, None, false, Scaling::Psd, 2.0, 0).unwrap();
    let b = stft(x.view(), &w, 16, None, None, false, Scaling::Psd, 2.0, 0).unwrap();
    assert!(rel(&a.data, &b.data) < 1e-5);
    let a = irfft(a.data.view(), None, 2, Norm::Backward).unwrap();
    let b = irfft(b.data.view(), None, 2, Norm::Backward).unwrap();
    let e = a
        .iter()
        .zip(&b)
        .map(|(u, v)| (*u as f64 - v).abs())
        .fold(0.0, f64::max);
    assert!(e < 1e-5);
}

#[test]
fn bad_input_is_an_error() {
    let x = rand_array(&[8, 2], 9);
    let xc = x.mapv(|v| Complex64::new(v, 0.0));
    let empty = ArrayD::<f64>::zeros(IxDyn(&[0, 3]));
    let emptyc = ArrayD::<Complex64>::zeros(IxDyn(&[4, 0]));
    assert!(matches!(
        rfft(empty.view(), None, 0, Norm::Backward),
        Err(SignalError::Empty(_))
    ));
    assert!(matches!(
        fft(emptyc.view(), None, 0, Norm::Backward),
        Err(SignalError::Empty(_))
    ));
    assert!(matches!(
        hilbert(empty.view(), None, 1),
        Err(SignalError::Empty(_))
    ));
    assert!(matches!(
        fft(xc.view(), None, 2, Norm::Backward),
        Err(SignalError::Axis { .. })
    ));
    assert!(matches!(
        ifft(xc.view(), Some(0), 0, Norm::Backward),
        Err(SignalError::InvalidArgument(_))
    ));
    assert!(matches!(
        rfft(x.view(), None, 5, Norm::Backward),
        Err(SignalError::Axis { .. })
    ));
    assert!(matches!(
        hilbert(x.view(), Some(0), 0),
        Err(SignalError::InvalidArgument(_))
    ));
    // irfft of a single frequency has a default length of 0
    let one = xc.slice(s![..1, ..]).to_owned().into_dyn();
    assert!(irfft(one.view(), None, 0, Norm::Backward).is_err());
    let w = vec![1.0; 4];
    let st = |w: &[f64], nperseg, nov, nfft, fs| {
        stft(
            x.view(),
            w,
            nperseg,
            nov,
            nfft,
            true,
            Scaling::Spectrum,
            fs,
            0,
        )
    };
    assert!(st(&w, 4, None, None, 1.0).is_ok());
    assert!(st(&w, 5, None, None, 1.0).is_err()); // window length
    assert!(st(&w, 4, Some(4), None, 1.0).is_err()); // noverlap
    assert!(st(&w, 4, None, Some(3), 1.0).is_err()); // nfft
    assert!(st(&w, 4, None, None, 0.0).is_err()); // fs
    assert!(st(&[0.0; 4], 4, None, None, 1.0).is_err()); // zero sum
    assert!(st(&[1.0; 9], 9, None, None, 1.0).is_err()); // longer than the input
    assert!(st(&[], 0, None, None, 1.0).is_err());
    assert!(Norm::parse("none").is_err());
    assert!(Scaling::parse("density").is_err());
}

#[test]
fn stft_matches_scipy_numbers() {
    // scipy.signal.stft(x, fs=25, window=get_window('hann', 8), nperseg=8, ..., boundary=None,
    // padded=False, detrend=False) with x[i] = sin(0.37 i) + 0.01 i², i < 50
    let x =
        Array::from_shape_fn(50, |i| (0.37 * i as f64).sin() + 0.01 * (i * i) as f64).into_dyn();
    let w: Vec<f64> = (0..8)
        .map(|i| 0.5 - 0.5 * (2.0 * PI * i as f64 / 8.0).cos())
        .collect();
    // noverlap=3, nfft=12, scaling='psd': segment 1
    let r = stft(
        x.view(),
        &w,
        8,
        Some(3),
        Some(12),
        true,
        Scaling::Psd,
        25.0,
        0,
    )
    .unwrap();
    assert_eq!(r.data.shape(), &[9, 7]);
    let want = [
        (0.3089213939530539, 0.0),
        (-0.060488907275127395, -0.22276714214791032),
        (-0.0854893418927592, 0.027778217136108972),
        (-0.010274922988377044, 0.02304476707240165),
        (0.0023053745023678173, 0.004641584013417216),
        (-0.0001347627862097805, 0.003178359312236672),
        (-0.0007562730728426946, 0.0),
    ];
    for (f, (re, im)) in want.iter().enumerate() {
        assert!(
            (r.data[[1, f]] - Complex64::new(*re, *im)).norm() < 1e-14,
            "psd bin {f}"
        );
    }
    // noverlap=2, two-sided, scaling='spectrum': segment 3, frequencies in numpy order
    let r = stft(
        x.view(),
        &w,
        8,
        Some(2),
        None,
        false,
        Scaling::Spectrum,
        25.0,
        0,
    )
    .unwrap();
    assert_eq!(r.data.shape(), &[8, 8]);
    assert_eq!(
        r.freqs,
        vec![0.0, 3.125, 6.25, 9.375, -12.5, -9.375, -6.25, -3.125]
    );
    let want = [
        (5.6907864670373804, 0.0),
        (-2.906038371684907, 0.32969410126089993),
        (0.052726670756640726, -0.06608950761800036),
        (0.006350954738474801, -0.015185926266437444),
        (0.0031350253422020025, 0.0),
    ];
    for (f, (re, im)) in want.iter().enumerate() {
        assert!(
            (r.data[[3, f]] - Complex64::new(*re, *im)).norm() < 1e-13,
            "bin {f}"
        );
        // the negative frequencies are the conjugates
        if f > 0 && f < 4 {
            assert!((r.data[[3, 8 - f]] - Complex64::new(*re, -*im)).norm() < 1e-13);
        }
    }
}

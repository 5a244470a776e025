//! `wavelet_wavefronts`, `randn_wavefronts` and `dummy`: shapes, sampling, physics and
//! determinism.

use ndarray::{Array2, Axis, s};
use xdas_synthetics::{
    RandnWavefronts, START_2023_01_01_NS, START_2024_01_01_NS, WaveletWavefronts, dummy,
    gausspulse, randn_wavefronts, wavelet_wavefronts,
};

#[test]
fn wavelet_shape_and_sampling_match_xdas() {
    let s = wavelet_wavefronts();
    assert_eq!(s.data.dim(), (300, 401));
    let g = s.grid;
    assert_eq!((g.nt, g.nx), (300, 401));
    assert_eq!((g.start_ns, g.dt_ns), (START_2023_01_01_NS, 20_000_000));
    assert_eq!((g.x0, g.dx), (0.0, 25.0));
    // The golden coordinates: end tie points 2023-01-01T00:00:05.98 and 10 km.
    assert_eq!(g.end_ns(), 1_672_531_205_980_000_000);
    assert_eq!(g.distance(400), 10_000.0);
    assert_eq!(g.start().to_string(), "2023-01-01T00:00:00Z");
    assert!(s.data.iter().all(|v| v.is_finite()));
}

#[test]
fn resolution_sets_the_shape_like_xdas() {
    let g = WaveletWavefronts {
        dt_ns: 10_000_000,
        dx: 30.0,
        ..Default::default()
    }
    .grid()
    .unwrap();
    // 6 s // 10 ms and int(10000 // 30) + 1
    assert_eq!((g.nt, g.nx), (600, 334));
    assert!(
        WaveletWavefronts {
            dt_ns: 0,
            ..Default::default()
        }
        .generate()
        .is_err()
    );
    assert!(
        WaveletWavefronts {
            snr: Some(0.0),
            ..Default::default()
        }
        .generate()
        .is_err()
    );
}

#[test]
fn gausspulse_matches_scipy() {
    // scipy.signal.gausspulse(t, fc) at a few points (scipy 1.17.1).
    for (t, fc, want) in [
        (0.013, 10.0, 0.674_293_894_141_985_2),
        (0.3, 10.0, 0.000_323_329_018_950_136_1),
        (-0.1234, 7.5, 0.415_325_315_055_493_64),
    ] {
        let got = gausspulse(t, fc);
        assert!((got - want).abs() <= 1e-15, "{t} {fc}: {got} vs {want}");
    }
}

/// Index of the largest value of `col` within `lo..hi`.
fn argmax(col: ndarray::ArrayView1<f64>, lo: usize, hi: usize) -> usize {
    (lo..hi).max_by(|&a, &b| col[a].total_cmp(&col[b])).unwrap()
}

#[test]
fn noise_free_pulses_peak_at_the_analytic_arrivals() {
    let w = WaveletWavefronts {
        snr: None,
        ..Default::default()
    };
    let g = w.grid().unwrap();
    let dt = g.dt_s();
    let pulses = w.pulses().unwrap();
    let (tp, ts) = w.arrival_times().unwrap();
    assert_eq!(pulses.dim(), (300, 401));
    // Middle channel: straight above the source.
    assert_eq!(tp[200], 1.0 + 5000.0 / 4000.0);
    assert_eq!(ts[200], 1.0 + 5000.0 * 1.75 / 4000.0);
    let window = (0.3 / dt) as usize; // P and S are > 0.9 s apart everywhere
    for j in 0..g.nx {
        let col = pulses.column(j);
        for (t_arr, amplitude) in [(tp[j], 0.5), (ts[j], 1.0)] {
            let c = (t_arr / dt).round() as usize;
            let peak = argmax(col, c - window, (c + window).min(g.nt));
            let t_peak = g.time_s(peak);
            assert!(
                (t_peak - t_arr).abs() <= dt,
                "channel {j}: peak at {t_peak} s, arrival at {t_arr} s"
            );
            // Peak height: the amplitude (P half of S), up to the sampling of the cosine
            // at the peak and at the S peak that normalises the channel.
            let rel = col[peak] / amplitude;
            assert!(rel > 0.8 && rel < 1.25, "channel {j}: {rel}");
        }
        // Normalised: S dominates, max |.| is 1.
        let max = col.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        assert_eq!(max, 1.0);
        // Nothing before the P pulse: the envelope is negligible 0.5 s ahead of it.
        let quiet = ((tp[j] - 0.5) / dt) as usize;
        assert!(col.slice(s![..quiet]).iter().all(|v| v.abs() < 1e-9));
    }
}

#[test]
fn noise_free_data_are_the_double_difference_of_the_pulses() {
    let w = WaveletWavefronts {
        snr: None,
        ..Default::default()
    };
    let pulses = w.pulses().unwrap();
    let data = w.generate().unwrap().data;
    let (nt, nx) = pulses.dim();
    let mut want = Array2::<f64>::zeros((nt, nx));
    for i in 0..nt {
        for j in 0..nx {
            let p = |i: isize, j: isize| {
                if i < 0 || j < 0 {
                    0.0
                } else {
                    pulses[[i as usize, j as usize]]
                }
            };
            let (i, j) = (i as isize, j as isize);
            let dx_here = p(i, j) - p(i, j - 1);
            let dx_before = p(i - 1, j) - p(i - 1, j - 1);
            want[[i as usize, j as usize]] = dx_here - dx_before;
        }
    }
    assert_eq!(data, want);
}

#[test]
fn noise_has_the_requested_level() {
    let noisy = WaveletWavefronts::default().generate().unwrap().data;
    let clean = WaveletWavefronts {
        snr: None,
        ..Default::default()
    }
    .generate()
    .unwrap()
    .data;
    // Interior noise after the double difference: 4 i.i.d. terms of variance 1/snr².
    let n = (&noisy - &clean).slice_move(s![1.., 1..]);
    let std = n.std(0.0);
    assert!((std - 0.2).abs() < 0.004, "std {std}");
    assert!(n.mean().unwrap().abs() < 0.002);
}

#[test]
fn wavelet_is_deterministic_in_its_seed() {
    let a = wavelet_wavefronts();
    let b = wavelet_wavefronts();
    assert_eq!(a, b);
    let c = WaveletWavefronts {
        seed: 43,
        ..Default::default()
    }
    .generate()
    .unwrap();
    assert_ne!(a.data, c.data);
    let differing = a
        .data
        .iter()
        .zip(c.data.iter())
        .filter(|(x, y)| x != y)
        .count();
    assert!(differing > a.data.len() * 99 / 100);
}

#[test]
fn randn_wavefronts_has_bursts_after_the_arrivals() {
    let s = randn_wavefronts();
    assert_eq!(s.data.dim(), (20_000, 1001));
    assert_eq!(s.grid.start_ns, START_2024_01_01_NS);
    assert_eq!((s.grid.dt_ns, s.grid.dx), (10_000_000, 100.0));
    assert_eq!(s, randn_wavefronts());
    let (tp, ts) = RandnWavefronts::default().arrival_times();
    let dt = s.grid.dt_s();
    for j in [0, 250, 500, 1000] {
        let col = s.data.column(j);
        let p = (tp[j] / dt).ceil() as usize;
        let sa = (ts[j] / dt).ceil() as usize + 1;
        let before = col.slice(s![..p - 1]).std(0.0);
        let after = col.slice(s![sa..]).std(0.0);
        assert!((before - 0.05).abs() < 0.005, "channel {j}: {before}");
        assert!(after > 3.0 * before, "channel {j}: {after} vs {before}");
    }
    let quiet = RandnWavefronts {
        snr: None,
        ..Default::default()
    }
    .generate()
    .unwrap();
    for col in quiet.data.axis_iter(Axis(1)) {
        assert_eq!(col.iter().fold(0.0f64, |m, v| m.max(v.abs())), 1.0);
    }
}

#[test]
fn dummy_is_a_ramp_with_xdas_sampling() {
    let d = dummy::<f32>((4, 3));
    assert_eq!(
        d.data.as_slice().unwrap(),
        &[0.0, 1., 2., 3., 4., 5., 6., 7., 8., 9., 10., 11.]
    );
    assert_eq!(d.grid.start().to_string(), "2024-05-21T00:00:00Z");
    assert_eq!(d.grid.dt_s(), 0.01);
    assert_eq!(d.grid.dx, 10.0);
}

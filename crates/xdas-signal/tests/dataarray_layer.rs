//! The DataArray layer beyond the golden cases: spectra and their coordinates, dims
//! renamed or added, and clear errors.

use ndarray::{Array2, ArrayD};
use xdas_core::{Coordinate, DataArray, Datetime, Scalar, Timedelta};
use xdas_signal::dataarray as xs;
use xdas_signal::spectral::{Norm, Scaling};
use xdas_signal::window::Window;

/// 1,000 samples at 100 Hz of a 12.5 Hz sine on 3 channels.
fn sine() -> DataArray<f64> {
    let t0: Datetime = "2024-01-01T00:00:00".parse().unwrap();
    let x = Array2::from_shape_fn((1000, 3), |(i, c)| {
        (2.0 * std::f64::consts::PI * 12.5 * i as f64 / 100.0).sin() * (c + 1) as f64
    });
    DataArray::new(
        x.into_dyn(),
        &["time", "distance"],
        vec![
            (
                "time",
                Coordinate::from_block_time(t0, 1000, Timedelta::from_ns(10_000_000), "time"),
            ),
            ("distance", Coordinate::from_block(0.0, 3, 10.0, "distance")),
        ],
    )
    .unwrap()
}

fn peak_frequency(da: &DataArray<num_complex::Complex64>, dim: &str) -> f64 {
    let axis = da.axis(dim).unwrap();
    let lane: Vec<f64> = da
        .data()
        .index_axis(ndarray::Axis(1 - axis), 0)
        .iter()
        .map(|c| c.norm())
        .collect();
    let k = (0..lane.len())
        .max_by(|&a, &b| lane[a].total_cmp(&lane[b]))
        .unwrap();
    match da.coord(dim).unwrap().value(k).unwrap() {
        Scalar::F64(f) => f.abs(),
        other => panic!("{other}"),
    }
}

#[test]
fn rfft_and_fft_label_frequencies() {
    let da = sine();
    let r = xs::rfft(&da, None, "time", "frequency", Norm::Backward).unwrap();
    assert_eq!(r.dims(), ["frequency", "distance"]);
    assert_eq!(r.shape(), &[501, 3]);
    assert_eq!(
        r.coord("frequency").unwrap().sampling_interval_seconds(),
        Some(0.1)
    );
    assert!((peak_frequency(&r, "frequency") - 12.5).abs() < 1e-9);
    assert!(r.coord("time").is_err(), "the time coordinate is replaced");
    let f = xs::fft(&da, None, "time", "frequency", Norm::Backward).unwrap();
    assert_eq!(f.shape(), &[1000, 3]);
    assert_eq!(
        f.coord("frequency").unwrap().value(0).unwrap(),
        Scalar::F64(-50.0)
    );
    // xdas builds the same regular coordinate: zero only to rounding
    let Scalar::F64(zero) = f.coord("frequency").unwrap().value(500).unwrap() else {
        panic!()
    };
    assert!(zero.abs() < 1e-12);
    assert!((peak_frequency(&f, "frequency") - 12.5).abs() < 1e-9);
}

#[test]
fn stft_adds_a_frequency_dim_and_labels_segment_centres() {
    let da = sine();
    let s = xs::stft(
        &da,
        &Window::Hann,
        100,
        None,
        None,
        true,
        "time",
        "frequency",
        Scaling::Spectrum,
    )
    .unwrap();
    assert_eq!(s.dims(), ["time", "distance", "frequency"]);
    // complete segments of 100 every 50 samples: (1000 - 100) / 50 + 1 = 19
    assert_eq!(s.shape(), &[19, 3, 51]);
    let t = s.coord("time").unwrap();
    assert_eq!(
        t.value(0).unwrap().to_string(),
        "2024-01-01T00:00:00.500000000"
    );
    assert_eq!(
        t.value(1).unwrap().to_string(),
        "2024-01-01T00:00:01.000000000"
    );
    assert_eq!(
        s.coord("frequency").unwrap().value(1).unwrap(),
        Scalar::F64(1.0)
    );
    // the spectrum of the third channel is three times the first's
    let a = s.data()[[5, 0, 12]].norm();
    let b = s.data()[[5, 2, 12]].norm();
    assert!((b / a - 3.0).abs() < 1e-12);
    // two-sided: centred frequencies
    let s2 = xs::stft(
        &da,
        &Window::Hann,
        100,
        Some(50),
        None,
        false,
        "time",
        "frequency",
        Scaling::Psd,
    )
    .unwrap();
    assert_eq!(s2.shape(), &[19, 3, 100]);
    assert_eq!(
        s2.coord("frequency").unwrap().value(0).unwrap(),
        Scalar::F64(-50.0)
    );
}

#[test]
fn f32_arrays_agree_with_f64() {
    let da = sine();
    let da32 = da.with_data(da.data().mapv(|v| v as f32)).unwrap();
    let a = xs::filter(
        &da,
        &[5.0],
        xdas_signal::design::BandType::Highpass,
        4,
        false,
        "time",
    )
    .unwrap();
    let b = xs::filter(
        &da32,
        &[5.0],
        xdas_signal::design::BandType::Highpass,
        4,
        false,
        "time",
    )
    .unwrap();
    let scale = a.data().iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let err = a
        .data()
        .iter()
        .zip(b.data())
        .fold(0.0f64, |m, (x, y)| m.max((x - *y as f64).abs()));
    assert!(err <= 1e-5 * scale, "{err}");
}

#[test]
fn clear_errors() {
    let da = sine();
    let e = xs::detrend(&da, xdas_signal::detrend::DetrendType::Linear, "depth").unwrap_err();
    assert!(e.to_string().contains("depth"), "{e}");
    // a dim without a coordinate has no sampling interval
    let bare = DataArray::new(ArrayD::<f64>::zeros(vec![10, 2]), &["time", "x"], vec![]).unwrap();
    assert!(xs::integrate(&bare, false, "time").is_err());
    // cutoff at Nyquist
    assert!(
        xs::filter(
            &da,
            &[50.0],
            xdas_signal::design::BandType::Lowpass,
            4,
            false,
            "time"
        )
        .is_err()
    );
    assert!(
        xs::decimate(
            &da,
            0,
            None,
            xdas_signal::decimate::DecimateFtype::Iir,
            true,
            "time"
        )
        .is_err()
    );
    assert!(
        xs::sliding_mean_removal(
            &da,
            -1.0,
            &Window::Hann,
            xdas_signal::mean_removal::PadMode::Reflect,
            "time"
        )
        .is_err()
    );
    assert!(xs::medfilt(&da, &[("depth", 3)]).is_err());
    assert!(
        xs::stft(
            &da,
            &Window::Hann,
            0,
            None,
            None,
            true,
            "time",
            "frequency",
            Scaling::Spectrum
        )
        .is_err()
    );
}

#[test]
fn inverse_transforms_round_trip() {
    let da = sine();
    let r = xs::rfft(&da, None, "time", "frequency", Norm::Backward).unwrap();
    let back = xs::irfft(&r, Some(1000), "frequency", "lag", Norm::Backward).unwrap();
    assert_eq!(back.dims(), ["lag", "distance"]);
    assert_eq!(
        back.coord("lag").unwrap().sampling_interval_seconds(),
        Some(0.01)
    );
    let err = back
        .data()
        .iter()
        .zip(da.data())
        .fold(0.0f64, |m, (a, b)| m.max((a - b).abs()));
    assert!(err < 1e-12, "{err}");
    let f = xs::fft(&da, None, "time", "frequency", Norm::Ortho).unwrap();
    let back = xs::ifft(&f, None, "frequency", "lag", Norm::Ortho).unwrap();
    let err = back
        .data()
        .iter()
        .zip(da.data())
        .fold(0.0f64, |m, (a, b)| m.max((a.re - b).abs() + a.im.abs()));
    assert!(err < 1e-12, "{err}");
}

#[test]
fn segment_mean_removal_by_labels() {
    let t0: Datetime = "2024-01-01T00:00:00".parse().unwrap();
    let x = ArrayD::<f64>::from_shape_fn(vec![10, 1], |i| if i[0] < 5 { 1.0 } else { 3.0 });
    let da = DataArray::new(
        x,
        &["time", "distance"],
        vec![(
            "time",
            Coordinate::from_block_time(t0, 10, Timedelta::from_ns(1_000_000_000), "time"),
        )],
    )
    .unwrap();
    let limits: Vec<Scalar> = [
        "2024-01-01T00:00:00",
        "2024-01-01T00:00:05",
        "2024-01-01T00:00:10",
    ]
    .iter()
    .map(|s| Scalar::Datetime(s.parse().unwrap()))
    .collect();
    let y = xs::segment_mean_removal(&da, &limits, &Window::Boxcar, "time").unwrap();
    assert!(y.data().iter().all(|v| v.abs() < 1e-15), "{:?}", y.data());
}

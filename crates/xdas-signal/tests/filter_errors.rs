//! Bad input to the filtering kernels is an error, never a panic.

use ndarray::{ArrayD, IxDyn};
use xdas_signal::SignalError;
use xdas_signal::decimate::{DecimateFtype, decimate};
use xdas_signal::detrend::{DetrendType, detrend};
use xdas_signal::filter::{
    PadType, filtfilt, filtfilt_gust, lfilter, lfilter_zi, sosfilt, sosfilt_zi, sosfiltfilt,
};
use xdas_signal::resample::{ResamplePad, resample_poly, resample_poly_taps};
use xdas_signal::upfirdn::{Extension, upfirdn, upfirdn_ext};
use xdas_signal::window::Window;

const SOS: [[f64; 6]; 1] = [[0.2, 0.2, 0.0, 1.0, -0.6, 0.0]];

fn x2() -> ArrayD<f64> {
    ArrayD::from_shape_fn(IxDyn(&[40, 3]), |i| (i[0] * 3 + i[1]) as f64)
}

fn empty() -> ArrayD<f64> {
    ArrayD::zeros(IxDyn(&[0, 3]))
}

fn is_invalid<T: std::fmt::Debug>(r: Result<T, SignalError>) -> bool {
    matches!(r, Err(SignalError::InvalidArgument(_)))
}

#[test]
fn lfilter_errors() {
    let x = x2();
    let v = || x.view();
    assert!(matches!(
        lfilter(&[], &[1.0], v(), 0, None),
        Err(SignalError::Empty(_))
    ));
    assert!(matches!(
        lfilter(&[1.0], &[], v(), 0, None),
        Err(SignalError::Empty(_))
    ));
    assert!(is_invalid(lfilter(&[1.0], &[0.0, 1.0], v(), 0, None)));
    assert!(is_invalid(lfilter(&[f64::NAN], &[1.0], v(), 0, None)));
    assert!(is_invalid(lfilter(
        &[1.0],
        &[1.0, f64::INFINITY],
        v(),
        0,
        None
    )));
    assert!(matches!(
        lfilter(&[1.0], &[1.0], v(), 2, None),
        Err(SignalError::Axis { axis: 2, ndim: 2 })
    ));
    assert!(matches!(
        lfilter(&[1.0], &[1.0], empty().view(), 0, None),
        Err(SignalError::Empty(_))
    ));
    // zi: (max(len a, len b) - 1, 3) expected
    let bad = ArrayD::<f64>::zeros(IxDyn(&[1, 3]));
    assert!(matches!(
        lfilter(&[1.0, 0.5], &[1.0, -0.5, 0.1], v(), 0, Some(bad.view())),
        Err(SignalError::Shape(_))
    ));
    let bad = ArrayD::<f64>::zeros(IxDyn(&[1, 2]));
    assert!(matches!(
        lfilter(&[1.0, 0.5], &[1.0, -0.5], v(), 0, Some(bad.view())),
        Err(SignalError::Shape(_))
    ));
    let bad = ArrayD::<f64>::zeros(IxDyn(&[3]));
    assert!(matches!(
        lfilter(&[1.0, 0.5], &[1.0, -0.5], v(), 0, Some(bad.view())),
        Err(SignalError::Shape(_))
    ));
    // length-1 dimensions broadcast (as in scipy)
    let ok = ArrayD::<f64>::ones(IxDyn(&[1, 1]));
    assert!(lfilter(&[1.0, 0.5], &[1.0, -0.5], v(), 0, Some(ok.view())).is_ok());
    // a 0-d array has no axis
    let s = ArrayD::from_elem(IxDyn(&[]), 1.0);
    assert!(matches!(
        lfilter(&[1.0], &[1.0], s.view(), 0, None),
        Err(SignalError::Axis { .. })
    ));
}

#[test]
fn sosfilt_errors() {
    let x = x2();
    let v = || x.view();
    assert!(matches!(
        sosfilt(&[], v(), 0, None),
        Err(SignalError::Empty(_))
    ));
    assert!(is_invalid(sosfilt(
        &[[1.0, 0.0, 0.0, 2.0, 0.0, 0.0]],
        v(),
        0,
        None
    )));
    assert!(is_invalid(sosfilt(
        &[[f64::NAN, 0.0, 0.0, 1.0, 0.0, 0.0]],
        v(),
        0,
        None
    )));
    assert!(matches!(
        sosfilt(&SOS, v(), 5, None),
        Err(SignalError::Axis { .. })
    ));
    assert!(matches!(
        sosfilt(&SOS, empty().view(), 0, None),
        Err(SignalError::Empty(_))
    ));
    for shape in [[1usize, 2, 2], [2, 2, 3], [1, 3, 3]] {
        let bad = ArrayD::<f64>::zeros(IxDyn(&shape));
        assert!(matches!(
            sosfilt(&SOS, v(), 0, Some(bad.view())),
            Err(SignalError::Shape(_))
        ));
    }
    let ok = ArrayD::<f64>::zeros(IxDyn(&[1, 2, 3]));
    assert!(sosfilt(&SOS, v(), 0, Some(ok.view())).is_ok());
    let ok = ArrayD::<f64>::zeros(IxDyn(&[1, 40, 2]));
    assert!(sosfilt(&SOS, v(), 1, Some(ok.view())).is_ok());
}

#[test]
fn zi_errors() {
    assert!(matches!(
        lfilter_zi(&[], &[1.0]),
        Err(SignalError::Empty(_))
    ));
    assert!(is_invalid(lfilter_zi(&[1.0], &[])));
    assert!(is_invalid(lfilter_zi(&[1.0], &[0.0, 0.0])));
    assert!(is_invalid(lfilter_zi(&[f64::NAN, 1.0], &[1.0, 0.5])));
    // an integrator has no steady state
    assert!(is_invalid(lfilter_zi(&[1.0], &[1.0, -1.0])));
    // leading zeros of a are dropped, as in scipy
    let z = lfilter_zi(&[0.5], &[0.0, 1.0, -0.5]).unwrap();
    assert!((z[0] - 0.5).abs() < 1e-15);
    assert!(matches!(sosfilt_zi(&[]), Err(SignalError::Empty(_))));
    assert!(is_invalid(sosfilt_zi(&[[1.0, 0.0, 0.0, 1.0, -1.0, 0.0]])));
}

#[test]
fn filtfilt_errors() {
    let x = x2();
    let v = || x.view();
    let (b, a) = ([0.2, 0.2], [1.0, -0.6]);
    // default padlen 3 * max(len a, len b) = 6 < 40; padlen >= 40 is scipy's error
    let e = filtfilt(&b, &a, v(), 0, PadType::Odd, Some(40)).unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid argument: The length of the input vector x must be greater than padlen, which is 40."
    );
    assert!(filtfilt(&b, &a, v(), 0, PadType::Odd, Some(39)).is_ok());
    assert!(is_invalid(filtfilt(&b, &a, v(), 1, PadType::Odd, None)));
    // no padding: padlen is ignored
    assert!(filtfilt(&b, &a, v(), 1, PadType::None, Some(100)).is_ok());
    assert!(is_invalid(filtfilt(
        &b,
        &[0.0, 1.0],
        v(),
        0,
        PadType::Odd,
        None
    )));
    assert!(matches!(
        filtfilt(&b, &a, v(), 3, PadType::Odd, None),
        Err(SignalError::Axis { .. })
    ));
    assert!(matches!(
        filtfilt(&b, &a, empty().view(), 0, PadType::None, None),
        Err(SignalError::Empty(_))
    ));
    assert!(is_invalid(sosfiltfilt(&SOS, v(), 1, PadType::Even, None)));
    assert!(is_invalid(sosfiltfilt(
        &SOS,
        v(),
        0,
        PadType::Even,
        Some(40)
    )));
    assert!(matches!(
        sosfiltfilt(&[], v(), 0, PadType::Odd, None),
        Err(SignalError::Empty(_))
    ));
    assert!(is_invalid(filtfilt_gust(&b, &[0.0], v(), 0, None)));
    assert!(matches!(
        filtfilt_gust(&b, &a, v(), 2, None),
        Err(SignalError::Axis { .. })
    ));
    assert!(matches!(
        filtfilt_gust(&b, &a, empty().view(), 0, None),
        Err(SignalError::Empty(_))
    ));
}

#[test]
fn upfirdn_resample_errors() {
    let x = x2();
    let v = || x.view();
    assert!(matches!(
        upfirdn(&[], v(), 1, 1, 0),
        Err(SignalError::Empty(_))
    ));
    assert!(is_invalid(upfirdn(&[1.0], v(), 0, 1, 0)));
    assert!(is_invalid(upfirdn(&[1.0], v(), 1, 0, 0)));
    assert!(is_invalid(upfirdn(&[f64::NAN], v(), 1, 1, 0)));
    assert!(is_invalid(upfirdn_ext(
        &[1.0],
        v(),
        1,
        1,
        0,
        Extension::Constant(f64::NAN)
    )));
    assert!(matches!(
        upfirdn(&[1.0], v(), 1, 1, 2),
        Err(SignalError::Axis { .. })
    ));
    assert!(matches!(
        upfirdn(&[1.0], empty().view(), 1, 1, 0),
        Err(SignalError::Empty(_))
    ));
    let k = Window::Kaiser(5.0);
    assert!(is_invalid(resample_poly(
        v(),
        0,
        2,
        0,
        &k,
        ResamplePad::Constant,
        None
    )));
    assert!(is_invalid(resample_poly(
        v(),
        2,
        0,
        0,
        &k,
        ResamplePad::Constant,
        None
    )));
    assert!(is_invalid(resample_poly(
        v(),
        2,
        3,
        0,
        &k,
        ResamplePad::Mean,
        Some(1.0)
    )));
    assert!(matches!(
        resample_poly(v(), 2, 3, 4, &k, ResamplePad::Constant, None),
        Err(SignalError::Axis { .. })
    ));
    assert!(matches!(
        resample_poly(empty().view(), 2, 3, 0, &k, ResamplePad::Constant, None),
        Err(SignalError::Empty(_))
    ));
    assert!(matches!(
        resample_poly_taps(v(), 2, 3, 0, &[], ResamplePad::Constant, None),
        Err(SignalError::Empty(_))
    ));
    assert!(is_invalid(resample_poly_taps(
        v(),
        2,
        3,
        0,
        &[f64::NAN],
        ResamplePad::Constant,
        None
    )));
    // up == down: a copy
    assert_eq!(
        resample_poly(v(), 3, 3, 0, &k, ResamplePad::Constant, None).unwrap(),
        x
    );
}

#[test]
fn decimate_detrend_errors() {
    let x = x2();
    let v = || x.view();
    assert!(is_invalid(decimate(
        v(),
        0,
        None,
        DecimateFtype::Iir,
        0,
        true
    )));
    assert!(matches!(
        decimate(v(), 2, None, DecimateFtype::Fir, 2, true),
        Err(SignalError::Axis { .. })
    ));
    assert!(matches!(
        decimate(empty().view(), 2, None, DecimateFtype::Fir, 0, true),
        Err(SignalError::Empty(_))
    ));
    // the default IIR needs 3 * (2 * 4 + 1) = 27 < len samples when zero-phase
    assert!(is_invalid(decimate(
        v(),
        2,
        None,
        DecimateFtype::Iir,
        1,
        true
    )));
    // firwin refuses a cutoff at Nyquist (q = 1)
    assert!(is_invalid(decimate(
        v(),
        1,
        None,
        DecimateFtype::Fir,
        0,
        true
    )));
    assert!(is_invalid(detrend(v(), 0, DetrendType::Linear, &[41])));
    assert!(detrend(v(), 0, DetrendType::Linear, &[40, 0, 7, 7]).is_ok());
    assert!(matches!(
        detrend(v(), 2, DetrendType::Linear, &[]),
        Err(SignalError::Axis { .. })
    ));
    assert!(matches!(
        detrend(empty().view(), 0, DetrendType::Constant, &[]),
        Err(SignalError::Empty(_))
    ));
}

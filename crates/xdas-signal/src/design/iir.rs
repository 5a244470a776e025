//! Digital IIR design (`scipy.signal.iirfilter`): analog prototype, frequency
//! pre-warping, band transformation, bilinear transform.

use super::proto::{besselap, buttap, cheb1ap, cheb2ap, ellipap};
use super::sos::{zpk2sos, zpk2tf};
use super::transform::{bilinear_zpk, lp2bp_zpk, lp2bs_zpk, lp2hp_zpk, lp2lp_zpk};
use super::{Ba, BandType, FilterKind, Sos, Zpk};
use crate::error::{Result, invalid};
use std::f64::consts::PI;

/// Check the critical frequencies and normalise them to Nyquist = 1.
fn normalised_wn(wn: &[f64], btype: BandType, fs: Option<f64>) -> Result<Vec<f64>> {
    let want = match btype {
        BandType::Lowpass | BandType::Highpass => 1,
        BandType::Bandpass | BandType::Bandstop => 2,
    };
    if wn.len() != want {
        return Err(invalid(format!(
            "a {btype:?} filter needs {want} critical frequenc{}, got {}",
            if want == 1 { "y" } else { "ies" },
            wn.len()
        )));
    }
    let wn: Vec<f64> = match fs {
        Some(fs) => {
            if !(fs.is_finite() && fs > 0.0) {
                return Err(invalid(format!("fs must be finite and positive, got {fs}")));
            }
            wn.iter().map(|&w| w / (fs / 2.0)).collect()
        }
        None => wn.to_vec(),
    };
    if wn.iter().any(|&w| !(w > 0.0 && w < 1.0)) {
        return Err(match fs {
            Some(fs) => invalid(format!(
                "digital filter critical frequencies must be 0 < Wn < fs/2 (fs={fs} -> fs/2={})",
                fs / 2.0
            )),
            None => invalid("digital filter critical frequencies must be 0 < Wn < 1"),
        });
    }
    if want == 2 && wn[0] >= wn[1] {
        return Err(invalid("Wn[0] must be less than Wn[1]"));
    }
    Ok(wn)
}

/// Digital IIR filter as zeros, poles and gain (`scipy.signal.iirfilter(N, Wn, rp, rs,
/// btype, analog=False, ftype, output='zpk', fs)`).
///
/// `wn` holds one (lowpass, highpass) or two (bandpass, bandstop, increasing) critical
/// frequencies, normalised to Nyquist when `fs` is `None`, else in the unit of `fs`.
///
/// ```
/// use xdas_signal::design::{BandType, FilterKind, iirfilter_zpk};
/// let zpk = iirfilter_zpk(4, &[5.0], BandType::Highpass, FilterKind::Butter, Some(50.0)).unwrap();
/// assert_eq!((zpk.z.len(), zpk.p.len()), (4, 4));
/// assert!(zpk.z.iter().all(|z| z.re == 1.0));
/// assert!(zpk.p.iter().all(|p| p.norm() < 1.0));
/// assert!(iirfilter_zpk(4, &[25.0], BandType::Highpass, FilterKind::Butter, Some(50.0)).is_err());
/// ```
pub fn iirfilter_zpk(
    order: usize,
    wn: &[f64],
    btype: BandType,
    kind: FilterKind,
    fs: Option<f64>,
) -> Result<Zpk> {
    if order == 0 {
        return Err(invalid("filter order must be at least 1"));
    }
    let wn = normalised_wn(wn, btype, fs)?;
    let proto = match kind {
        FilterKind::Butter => buttap(order)?,
        FilterKind::Cheby1 { rp } => cheb1ap(order, rp)?,
        FilterKind::Cheby2 { rs } => cheb2ap(order, rs)?,
        FilterKind::Ellip { rp, rs } => ellipap(order, rp, rs)?,
        FilterKind::Bessel => besselap(order)?,
    };
    // pre-warp for the bilinear transform at fs = 2
    let fs2 = 2.0;
    let warped: Vec<f64> = wn
        .iter()
        .map(|&w| 2.0 * fs2 * (PI * w / fs2).tan())
        .collect();
    let analog = match btype {
        BandType::Lowpass => lp2lp_zpk(&proto, warped[0])?,
        BandType::Highpass => lp2hp_zpk(&proto, warped[0])?,
        BandType::Bandpass | BandType::Bandstop => {
            let bw = warped[1] - warped[0];
            let wo = (warped[0] * warped[1]).sqrt();
            if btype == BandType::Bandpass {
                lp2bp_zpk(&proto, wo, bw)?
            } else {
                lp2bs_zpk(&proto, wo, bw)?
            }
        }
    };
    let zpk = bilinear_zpk(&analog, fs2)?;
    if !zpk.k.is_finite() || zpk.z.iter().chain(&zpk.p).any(|v| !v.is_finite()) {
        return Err(invalid("filter design produced non-finite coefficients"));
    }
    Ok(zpk)
}

/// Digital IIR filter as transfer-function coefficients `b`, `a` (`output='ba'`). See
/// [`iirfilter_zpk`].
///
/// ```
/// use xdas_signal::design::{BandType, FilterKind, iirfilter_ba};
/// let ba = iirfilter_ba(2, &[0.5], BandType::Lowpass, FilterKind::Butter, None).unwrap();
/// assert!((ba.b[0] - 0.29289321881345254).abs() < 1e-15);
/// assert!(ba.a[1].abs() < 1e-15);
/// ```
pub fn iirfilter_ba(
    order: usize,
    wn: &[f64],
    btype: BandType,
    kind: FilterKind,
    fs: Option<f64>,
) -> Result<Ba> {
    Ok(zpk2tf(&iirfilter_zpk(order, wn, btype, kind, fs)?))
}

/// Digital IIR filter as second-order sections (`output='sos'`), paired and ordered as
/// scipy's `zpk2sos`. See [`iirfilter_zpk`].
///
/// ```
/// use xdas_signal::design::{BandType, FilterKind, iirfilter_sos};
/// let sos = iirfilter_sos(6, &[1.0, 10.0], BandType::Bandpass, FilterKind::Butter, Some(50.0)).unwrap();
/// assert_eq!(sos.len(), 6);
/// assert!(sos.iter().all(|s| s[3] == 1.0));
/// ```
pub fn iirfilter_sos(
    order: usize,
    wn: &[f64],
    btype: BandType,
    kind: FilterKind,
    fs: Option<f64>,
) -> Result<Sos> {
    zpk2sos(&iirfilter_zpk(order, wn, btype, kind, fs)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argument_errors() {
        let lp = BandType::Lowpass;
        let bp = BandType::Bandpass;
        let b = FilterKind::Butter;
        assert!(iirfilter_zpk(0, &[0.2], lp, b, None).is_err());
        assert!(iirfilter_zpk(2, &[0.0], lp, b, None).is_err());
        assert!(iirfilter_zpk(2, &[1.0], lp, b, None).is_err());
        assert!(iirfilter_zpk(2, &[-0.1], lp, b, None).is_err());
        assert!(iirfilter_zpk(2, &[f64::NAN], lp, b, None).is_err());
        assert!(iirfilter_zpk(2, &[0.1, 0.2], lp, b, None).is_err());
        assert!(iirfilter_zpk(2, &[0.2], bp, b, None).is_err());
        assert!(iirfilter_zpk(2, &[0.3, 0.2], bp, b, None).is_err());
        assert!(iirfilter_zpk(2, &[0.2, 0.2], bp, b, None).is_err());
        assert!(iirfilter_zpk(2, &[0.2, 1.2], bp, b, None).is_err());
        assert!(iirfilter_zpk(2, &[10.0], lp, b, Some(20.0)).is_err());
        assert!(iirfilter_zpk(2, &[10.0], lp, b, Some(f64::NAN)).is_err());
        assert!(iirfilter_zpk(2, &[10.0], lp, b, Some(-50.0)).is_err());
        assert!(iirfilter_zpk(2, &[0.2], lp, FilterKind::Cheby1 { rp: 0.0 }, None).is_err());
        assert!(iirfilter_zpk(2, &[0.2], lp, FilterKind::Cheby1 { rp: f64::NAN }, None).is_err());
        assert!(iirfilter_zpk(2, &[0.2], lp, FilterKind::Cheby2 { rs: -3.0 }, None).is_err());
        let e = FilterKind::Ellip { rp: 1.0, rs: 0.0 };
        assert!(iirfilter_ba(2, &[0.2], lp, e, None).is_err());
        assert!(iirfilter_sos(2, &[0.2], lp, e, None).is_err());
        assert!(iirfilter_zpk(2, &[10.0], lp, b, Some(50.0)).is_ok());
    }
}

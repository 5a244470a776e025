//! Frequency transformations of analog zeros/poles/gain (`scipy.signal.lp2lp_zpk`,
//! `lp2hp_zpk`, `lp2bp_zpk`, `lp2bs_zpk`) and the bilinear transform to a digital filter
//! (`bilinear_zpk`).

use super::Zpk;
use super::cx::{cdiv, cprod, csqrt};
use crate::error::{Result, invalid};
use num_complex::Complex64;

/// Poles minus zeros; an error for an improper system.
fn relative_degree(zpk: &Zpk) -> Result<usize> {
    zpk.p
        .len()
        .checked_sub(zpk.z.len())
        .ok_or_else(|| invalid("improper transfer function: more zeros than poles"))
}

fn check_freq(what: &str, v: f64) -> Result<()> {
    if !(v.is_finite() && v > 0.0) {
        return Err(invalid(format!(
            "{what} must be finite and positive, got {v}"
        )));
    }
    Ok(())
}

/// `real(prod(-z) / prod(-p))`: the gain change when inverting every point.
fn inversion_gain(z: &[Complex64], p: &[Complex64]) -> f64 {
    let nz: Vec<Complex64> = z.iter().map(|&v| -v).collect();
    let np: Vec<Complex64> = p.iter().map(|&v| -v).collect();
    cdiv(cprod(&nz), cprod(&np)).re
}

/// Scale a real factor into a complex number as numpy does (`(f + 0j)·v`).
fn scale(f: f64, v: Complex64) -> Complex64 {
    Complex64::new(f, 0.0) * v
}

/// Lowpass prototype → lowpass with cutoff `wo` (rad/s): every point scaled by `wo`.
///
/// ```
/// use xdas_signal::design::{buttap, lp2lp_zpk};
/// let zpk = lp2lp_zpk(&buttap(1).unwrap(), 3.0).unwrap();
/// assert_eq!((zpk.p[0].re, zpk.k), (-3.0, 3.0));
/// ```
pub fn lp2lp_zpk(zpk: &Zpk, wo: f64) -> Result<Zpk> {
    check_freq("wo", wo)?;
    let degree = relative_degree(zpk)?;
    Ok(Zpk {
        z: zpk.z.iter().map(|&v| scale(wo, v)).collect(),
        p: zpk.p.iter().map(|&v| scale(wo, v)).collect(),
        k: zpk.k * wo.powf(degree as f64),
    })
}

/// Lowpass prototype → highpass with cutoff `wo`: points inverted (`wo / s`), zeros at
/// infinity moved to the origin.
///
/// ```
/// use xdas_signal::design::{buttap, lp2hp_zpk};
/// let zpk = lp2hp_zpk(&buttap(1).unwrap(), 2.0).unwrap();
/// assert_eq!(zpk.z.len(), 1);
/// assert_eq!(zpk.p[0].re, -2.0);
/// ```
pub fn lp2hp_zpk(zpk: &Zpk, wo: f64) -> Result<Zpk> {
    check_freq("wo", wo)?;
    let degree = relative_degree(zpk)?;
    let w = Complex64::new(wo, 0.0);
    let mut z: Vec<Complex64> = zpk.z.iter().map(|&v| cdiv(w, v)).collect();
    z.extend(std::iter::repeat_n(Complex64::new(0.0, 0.0), degree));
    Ok(Zpk {
        z,
        p: zpk.p.iter().map(|&v| cdiv(w, v)).collect(),
        k: zpk.k * inversion_gain(&zpk.z, &zpk.p),
    })
}

/// Each point `s` of a baseband set → the two roots of `x² − 2·s·x + wo² = 0`
/// (`s ± sqrt(s² − wo²)`), all "+" roots first.
fn split_around(points: &[Complex64], wo: f64) -> Vec<Complex64> {
    let wo2 = Complex64::new(wo.powf(2.0), 0.0);
    let roots: Vec<Complex64> = points.iter().map(|&s| csqrt(s * s - wo2)).collect();
    let plus = points.iter().zip(&roots).map(|(&s, &r)| s + r);
    let minus = points.iter().zip(&roots).map(|(&s, &r)| s - r);
    plus.chain(minus).collect()
}

/// Lowpass prototype → bandpass centred on `wo` with bandwidth `bw` (rad/s).
///
/// ```
/// use xdas_signal::design::{buttap, lp2bp_zpk};
/// let zpk = lp2bp_zpk(&buttap(2).unwrap(), 1.0, 0.5).unwrap();
/// assert_eq!((zpk.z.len(), zpk.p.len()), (2, 4));
/// ```
pub fn lp2bp_zpk(zpk: &Zpk, wo: f64, bw: f64) -> Result<Zpk> {
    check_freq("wo", wo)?;
    check_freq("bw", bw)?;
    let degree = relative_degree(zpk)?;
    let half = |v: &Complex64| scale(bw, *v) * 0.5;
    let z_lp: Vec<Complex64> = zpk.z.iter().map(half).collect();
    let p_lp: Vec<Complex64> = zpk.p.iter().map(half).collect();
    let mut z = split_around(&z_lp, wo);
    z.extend(std::iter::repeat_n(Complex64::new(0.0, 0.0), degree));
    Ok(Zpk {
        z,
        p: split_around(&p_lp, wo),
        k: zpk.k * bw.powf(degree as f64),
    })
}

/// Lowpass prototype → bandstop centred on `wo` with bandwidth `bw` (rad/s).
///
/// ```
/// use xdas_signal::design::{buttap, lp2bs_zpk};
/// let zpk = lp2bs_zpk(&buttap(2).unwrap(), 1.0, 0.5).unwrap();
/// assert_eq!((zpk.z.len(), zpk.p.len()), (4, 4));
/// assert!(zpk.z.iter().all(|z| (z.norm() - 1.0).abs() < 1e-15));
/// ```
pub fn lp2bs_zpk(zpk: &Zpk, wo: f64, bw: f64) -> Result<Zpk> {
    check_freq("wo", wo)?;
    check_freq("bw", bw)?;
    let degree = relative_degree(zpk)?;
    let h = Complex64::new(bw / 2.0, 0.0);
    let z_hp: Vec<Complex64> = zpk.z.iter().map(|&v| cdiv(h, v)).collect();
    let p_hp: Vec<Complex64> = zpk.p.iter().map(|&v| cdiv(h, v)).collect();
    let mut z = split_around(&z_hp, wo);
    z.extend(std::iter::repeat_n(Complex64::new(0.0, wo), degree));
    z.extend(std::iter::repeat_n(Complex64::new(0.0, -wo), degree));
    Ok(Zpk {
        z,
        p: split_around(&p_hp, wo),
        k: zpk.k * inversion_gain(&zpk.z, &zpk.p),
    })
}

/// Analog → digital by the bilinear transform `s = 2·fs·(z − 1)/(z + 1)` (no
/// pre-warping); zeros at infinity land at Nyquist (`z = −1`).
///
/// ```
/// use xdas_signal::design::{buttap, bilinear_zpk};
/// let zpk = bilinear_zpk(&buttap(1).unwrap(), 0.5).unwrap();
/// assert_eq!(zpk.z[0].re, -1.0);
/// assert!((zpk.p[0].re - 0.0).abs() < 1e-16 && (zpk.k - 0.5).abs() < 1e-16);
/// ```
pub fn bilinear_zpk(zpk: &Zpk, fs: f64) -> Result<Zpk> {
    check_freq("fs", fs)?;
    let degree = relative_degree(zpk)?;
    let fs2 = Complex64::new(2.0 * fs, 0.0);
    let map = |v: &Complex64| cdiv(fs2 + v, fs2 - v);
    let mut z: Vec<Complex64> = zpk.z.iter().map(map).collect();
    z.extend(std::iter::repeat_n(Complex64::new(-1.0, 0.0), degree));
    let dz: Vec<Complex64> = zpk.z.iter().map(|&v| fs2 - v).collect();
    let dp: Vec<Complex64> = zpk.p.iter().map(|&v| fs2 - v).collect();
    Ok(Zpk {
        z,
        p: zpk.p.iter().map(map).collect(),
        k: zpk.k * cdiv(cprod(&dz), cprod(&dp)).re,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn improper_and_bad_frequencies() {
        let improper = Zpk {
            z: vec![Complex64::new(1.0, 0.0)],
            p: vec![],
            k: 1.0,
        };
        assert!(lp2lp_zpk(&improper, 1.0).is_err());
        assert!(bilinear_zpk(&improper, 1.0).is_err());
        let ok = Zpk {
            z: vec![],
            p: vec![Complex64::new(-1.0, 0.0)],
            k: 1.0,
        };
        assert!(lp2hp_zpk(&ok, 0.0).is_err());
        assert!(lp2bp_zpk(&ok, 1.0, f64::NAN).is_err());
        assert!(lp2bs_zpk(&ok, -1.0, 1.0).is_err());
        assert!(bilinear_zpk(&ok, f64::INFINITY).is_err());
    }
}

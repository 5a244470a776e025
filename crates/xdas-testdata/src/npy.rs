//! A minimal `.npy` reader (little-endian f8, f4, c16, c8, i8, i4, bool; C order).

use ndarray::{ArrayD, IxDyn};
use num_complex::Complex64;

/// The contents of one `.npy` file, widened to f64.
#[derive(Debug, Clone)]
pub struct Npy {
    pub descr: String,
    pub shape: Vec<usize>,
    pub re: Vec<f64>,
    pub im: Option<Vec<f64>>,
}

impl Npy {
    pub fn read(path: &std::path::Path) -> Npy {
        let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(&bytes[..6], b"\x93NUMPY", "{}", path.display());
        let (hlen, start) = if bytes[6] == 1 {
            (u16::from_le_bytes([bytes[8], bytes[9]]) as usize, 10)
        } else {
            (
                u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize,
                12,
            )
        };
        let header = std::str::from_utf8(&bytes[start..start + hlen]).unwrap();
        let descr = header
            .split("'descr':")
            .nth(1)
            .unwrap()
            .split('\'')
            .nth(1)
            .unwrap()
            .to_string();
        let fortran = header.contains("'fortran_order': True");
        let shape_txt = header.split("'shape':").nth(1).unwrap();
        let shape_txt = &shape_txt[shape_txt.find('(').unwrap() + 1..shape_txt.find(')').unwrap()];
        let shape: Vec<usize> = shape_txt
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| s.parse().unwrap())
            .collect();
        let data = &bytes[start + hlen..];
        let n: usize = shape.iter().product();
        let (re, im) = match descr.as_str() {
            "<f8" => (
                data.chunks_exact(8)
                    .take(n)
                    .map(|c| f64::from_le_bytes(c.try_into().unwrap()))
                    .collect(),
                None,
            ),
            "<f4" => (
                data.chunks_exact(4)
                    .take(n)
                    .map(|c| f32::from_le_bytes(c.try_into().unwrap()) as f64)
                    .collect(),
                None,
            ),
            "<i8" => (
                data.chunks_exact(8)
                    .take(n)
                    .map(|c| i64::from_le_bytes(c.try_into().unwrap()) as f64)
                    .collect(),
                None,
            ),
            "<i4" => (
                data.chunks_exact(4)
                    .take(n)
                    .map(|c| i32::from_le_bytes(c.try_into().unwrap()) as f64)
                    .collect(),
                None,
            ),
            "|b1" => (data.iter().take(n).map(|&b| b as f64).collect(), None),
            "<c16" => {
                let v: Vec<f64> = data
                    .chunks_exact(8)
                    .take(2 * n)
                    .map(|c| f64::from_le_bytes(c.try_into().unwrap()))
                    .collect();
                (
                    v.iter().step_by(2).copied().collect(),
                    Some(v.iter().skip(1).step_by(2).copied().collect()),
                )
            }
            "<c8" => {
                let v: Vec<f64> = data
                    .chunks_exact(4)
                    .take(2 * n)
                    .map(|c| f32::from_le_bytes(c.try_into().unwrap()) as f64)
                    .collect();
                (
                    v.iter().step_by(2).copied().collect(),
                    Some(v.iter().skip(1).step_by(2).copied().collect()),
                )
            }
            d => panic!("{}: unsupported dtype {d}", path.display()),
        };
        if fortran {
            // column-major data: reorder to C order
            let reorder = |v: Vec<f64>| -> Vec<f64> {
                let rev: Vec<usize> = shape.iter().rev().copied().collect();
                let a = ArrayD::from_shape_vec(IxDyn(&rev), v)
                    .unwrap()
                    .reversed_axes();
                a.as_standard_layout().iter().copied().collect()
            };
            let (re, im) = (reorder(re), im.map(reorder));
            return Npy {
                descr,
                shape,
                re,
                im,
            };
        }
        Npy {
            descr,
            shape,
            re,
            im,
        }
    }

    /// Real values (the real part for complex files).
    pub fn f64(&self) -> ArrayD<f64> {
        ArrayD::from_shape_vec(IxDyn(&self.shape), self.re.clone()).unwrap()
    }

    /// Real values as f32 (for `<f4` inputs this is exact).
    pub fn f32(&self) -> ArrayD<f32> {
        self.f64().mapv(|v| v as f32)
    }

    /// Complex values.
    pub fn c64(&self) -> ArrayD<Complex64> {
        let im = self.im.clone().unwrap_or_else(|| vec![0.0; self.re.len()]);
        let v = self
            .re
            .iter()
            .zip(im)
            .map(|(&r, i)| Complex64::new(r, i))
            .collect();
        ArrayD::from_shape_vec(IxDyn(&self.shape), v).unwrap()
    }
}

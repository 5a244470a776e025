//! Compare with the golden input made by Python xdas 0.2.10 (`../shared`).
//!
//! The golden array was made with numpy's random generator, so values cannot match;
//! shape, sampling and statistics must. Skips with a notice when the data are absent.

use std::path::PathBuf;

use xdas_synthetics::wavelet_wavefronts;

/// `$XDAS_TEST_DATA`, or `../shared` relative to the workspace root.
fn shared_dir() -> PathBuf {
    match std::env::var_os("XDAS_TEST_DATA") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
    }
}

fn golden(name: &str) -> Option<PathBuf> {
    let path = shared_dir().join("reference/golden/inputs").join(name);
    if path.exists() {
        Some(path)
    } else {
        println!("SKIP: {} not found (set XDAS_TEST_DATA)", path.display());
        None
    }
}

/// A minimal reader of C-order little-endian float64 `.npy` files (format 1.0/2.0).
fn read_npy_f64(path: &PathBuf) -> (Vec<usize>, Vec<f64>) {
    let bytes = std::fs::read(path).unwrap();
    assert_eq!(&bytes[..6], b"\x93NUMPY", "not an npy file");
    let (header_len, offset) = match bytes[6] {
        1 => (u16::from_le_bytes([bytes[8], bytes[9]]) as usize, 10),
        _ => (
            u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize,
            12,
        ),
    };
    let header = std::str::from_utf8(&bytes[offset..offset + header_len]).unwrap();
    assert!(header.contains("'descr': '<f8'"), "{header}");
    assert!(header.contains("'fortran_order': False"), "{header}");
    let shape_str = header
        .split("'shape': (")
        .nth(1)
        .unwrap()
        .split(')')
        .next()
        .unwrap();
    let shape: Vec<usize> = shape_str
        .split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|s| s.trim().parse().unwrap())
        .collect();
    let data: Vec<f64> = bytes[offset + header_len..]
        .chunks_exact(8)
        .map(|c| f64::from_le_bytes(c.try_into().unwrap()))
        .collect();
    assert_eq!(data.len(), shape.iter().product::<usize>());
    (shape, data)
}

fn std_and_mean_abs(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    let var = v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n;
    (var.sqrt(), v.iter().map(|x| x.abs()).sum::<f64>() / n)
}

#[test]
fn wavelet_wavefronts_matches_the_golden_shape_sampling_and_statistics() {
    let (Some(npy), Some(json)) = (
        golden("wavelet_wavefronts.npy"),
        golden("wavelet_wavefronts.json"),
    ) else {
        return;
    };
    let ours = wavelet_wavefronts();
    let (shape, values) = read_npy_f64(&npy);
    assert_eq!(shape, [ours.grid.nt, ours.grid.nx]);

    let meta: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(json).unwrap()).unwrap();
    let time = &meta["coords"]["time"];
    let ties: Vec<i64> = time["tie_values"]["datetime64_ns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_i64().unwrap())
        .collect();
    assert_eq!(ties, [ours.grid.start_ns, ours.grid.end_ns()]);
    assert_eq!(
        time["sampling_interval"]["timedelta64_ns"].as_i64(),
        Some(ours.grid.dt_ns)
    );
    let distance = &meta["coords"]["distance"];
    assert_eq!(distance["sampling_interval"].as_f64(), Some(ours.grid.dx));
    let dties: Vec<f64> = distance["tie_values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert_eq!(
        dties,
        [ours.grid.distance(0), ours.grid.distance(ours.grid.nx - 1)]
    );

    let (g_std, g_abs) = std_and_mean_abs(&values);
    let (o_std, o_abs) = std_and_mean_abs(ours.data.as_slice().unwrap());
    assert!((o_std / g_std - 1.0).abs() < 0.03, "std {o_std} vs {g_std}");
    assert!(
        (o_abs / g_abs - 1.0).abs() < 0.03,
        "mean |x| {o_abs} vs {g_abs}"
    );
}

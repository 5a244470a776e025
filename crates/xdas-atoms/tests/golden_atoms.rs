//! Every case of `golden/atoms/` and `golden/seed/`: the atom eager (monolithic) and fed
//! in chunks along time at every stored chunk size. Eager output must match xdas 0.2.10
//! (values within the golden tolerance, coordinates equal); chunked output must equal
//! the eager output bitwise, coordinates included.

use xdas_atoms::{
    Atom, AtomExt, Chunk, DownSample, FIRFilter, FirParams, Func, IIRFilter, LFilter, ResamplePoly,
    SOSFilter, Sequential, UpSample,
};
use xdas_core::{DataArray, Split, Tolerance};
use xdas_signal::design::{BandType, FilterKind, iirfilter_ba, iirfilter_sos};
use xdas_signal::window::Window;
use xdas_testdata::{Case, close, coord, exact, golden_dir, input_dataarray};

/// The atom of a case, from its name.
fn build(case: &Case) -> Box<dyn Atom> {
    let iir = |order, cutoff: Vec<f64>, btype, ftype, rp, stype| -> Box<dyn Atom> {
        Box::new(IIRFilter::new(order, cutoff, btype, ftype, rp, None, stype, "time").unwrap())
    };
    let fir = |numtaps, cutoff: Vec<f64>, btype: &str, down| -> Box<dyn Atom> {
        let mut p = FirParams::new(numtaps, cutoff, btype);
        p.down = down;
        Box::new(FIRFilter::new(p, "time").unwrap())
    };
    let hp = || iirfilter_ba(4, &[0.1], BandType::Highpass, FilterKind::Butter, None).unwrap();
    let resample = |target| -> Box<dyn Atom> {
        Box::new(ResamplePoly::new(target, 100, Window::Kaiser(5.0), "time").unwrap())
    };
    match case.name.as_str() {
        "DownSample_3" => Box::new(DownSample::new(3, "time")),
        "DownSample_7" => Box::new(DownSample::new(7, "time")),
        "FIRFilter_bp6" => fir(6, vec![1.0, 10.0], "bandpass", 1),
        "FIRFilter_lp21_down2" => fir(21, vec![10.0], "lowpass", 2),
        "FIRFilter_lp31" => fir(31, vec![10.0], "lowpass", 1),
        "IIRFilter_bp6_sos" => iir(6, vec![1.0, 10.0], "bandpass", "butter", None, "sos"),
        "IIRFilter_cheby1_lp4" => iir(4, vec![10.0], "lowpass", "cheby1", Some(0.5), "sos"),
        "IIRFilter_hp4_ba" => iir(4, vec![5.0], "highpass", "butter", None, "ba"),
        "IIRFilter_hp4_sos" => iir(4, vec![5.0], "highpass", "butter", None, "sos"),
        "LFilter_hp4" => {
            let ba = hp();
            Box::new(LFilter::new(ba.b, ba.a, "time"))
        }
        "SOSFilter_hp4" => Box::new(SOSFilter::new(
            iirfilter_sos(4, &[0.1], BandType::Highpass, FilterKind::Butter, None).unwrap(),
            "time",
        )),
        "ResamplePoly_20Hz" => resample(20.0),
        "ResamplePoly_25Hz" => resample(25.0),
        "ResamplePoly_75Hz" => resample(75.0),
        "Sequential_IIR_Down2" => Box::new(Sequential::new(vec![
            iir(4, vec![10.0], "lowpass", "butter", None, "sos"),
            Box::new(DownSample::new(2, "time")),
        ])),
        "UpSample_2" => Box::new(UpSample::new(2, true, "time")),
        "UpSample_3_noscale" => Box::new(UpSample::new(3, false, "time")),
        "seed_pipeline" | "seed_pipeline_f32" => {
            let b = case.p_f64s("b");
            let a = case.p_f64s("a");
            Box::new(Sequential::new(vec![
                Box::new(Func::along("decimate", "distance", |c| match c {
                    Chunk::F64(da) => Ok(Chunk::F64(xdas_signal::dataarray::decimate(
                        &da,
                        2,
                        None,
                        xdas_signal::decimate::DecimateFtype::Fir,
                        true,
                        "distance",
                    )?)),
                    Chunk::F32(da) => Ok(Chunk::F32(xdas_signal::dataarray::decimate(
                        &da,
                        2,
                        None,
                        xdas_signal::decimate::DecimateFtype::Fir,
                        true,
                        "distance",
                    )?)),
                    other => Ok(other),
                })),
                Box::new(LFilter::new(b, a, "time")),
                Box::new(Func::new("square", |c| match c {
                    Chunk::F64(da) => Ok(Chunk::F64(da.with_data(da.data().mapv(|v| v * v))?)),
                    Chunk::F32(da) => Ok(Chunk::F32(da.with_data(da.data().mapv(|v| v * v))?)),
                    other => Ok(other),
                })),
            ]))
        }
        other => panic!("no atom for golden case {other}"),
    }
}

fn input(case: &Case) -> Chunk {
    if case.name == "seed_pipeline_f32" {
        let mut c = case.clone();
        c.json["inputs"]["x"] = "inputs/wavelet_wavefronts.npy".into();
        c.json["inputs"]["coords"] = "inputs/wavelet_wavefronts.json".into();
        let da = input_dataarray(&c, "x");
        let x32 = da.data().mapv(|v| v as f32);
        return Chunk::F32(da.with_data(x32).unwrap());
    }
    Chunk::F64(input_dataarray(case, "x"))
}

fn as_f64(c: &Chunk) -> DataArray<f64> {
    match c {
        Chunk::F64(da) => da.clone(),
        Chunk::F32(da) => da.with_data(da.data().mapv(|v| v as f64)).unwrap(),
        other => panic!("unexpected output {}", other.dtype_name()),
    }
}

fn check(case: &Case) -> Result<usize, String> {
    let x = input(case);
    let mut atom = build(case);
    let eager = atom.apply(x.clone()).map_err(|e| e.to_string())?;
    let got = as_f64(&eager);
    let want = case.output("monolithic").f64();
    let bitwise = case.name.starts_with("DownSample") || case.name.starts_with("UpSample");
    let f32_case = matches!(x, Chunk::F32(_));
    if bitwise {
        exact("monolithic", got.data(), &want)?;
    } else if f32_case {
        close("monolithic (f32)", got.data(), &want, 1e-5)?;
    } else {
        close("monolithic", got.data(), &want, 1e-12)?;
    }
    let coords = &case.json["coords"]["monolithic"]["coords"];
    for dim in ["time", "distance"] {
        let w = coord(&coords[dim], dim);
        let g = got.coord(dim).map_err(|e| e.to_string())?;
        if !g.equals(&w) {
            return Err(format!("coordinate {dim}: got {g:?}, expected {w:?}"));
        }
    }
    // chunked along time at every stored size
    let sizes: Vec<usize> = case.json["chunked_vs_monolithic"]
        .as_object()
        .map(|o| o.keys().filter_map(|k| k.parse().ok()).collect())
        .unwrap_or_else(|| vec![1, 7, 64, 100, 137, 300]);
    let whole = match &x {
        Chunk::F64(da) => da.clone(),
        Chunk::F32(da) => da.with_data(da.data().mapv(|v| v as f64)).unwrap(),
        _ => unreachable!(),
    };
    let n = whole.shape()[0];
    for &size in &sizes {
        let cuts: Vec<usize> = (size..n).step_by(size).collect();
        let pieces: Vec<Chunk> = match &x {
            Chunk::F64(da) => da
                .split(Split::Indices(cuts), "time", Tolerance::Default)
                .unwrap()
                .into_iter()
                .map(Chunk::F64)
                .collect(),
            Chunk::F32(da) => da
                .split(Split::Indices(cuts), "time", Tolerance::Default)
                .unwrap()
                .into_iter()
                .map(Chunk::F32)
                .collect(),
            _ => unreachable!(),
        };
        let mut fresh = build(case);
        let joined = fresh
            .run_chunks(pieces, "time")
            .map_err(|e| format!("chunks of {size}: {e}"))?
            .ok_or_else(|| format!("chunks of {size}: no output"))?;
        if !joined.equals(&eager) {
            let j = as_f64(&joined);
            let detail = if j.shape() != got.shape() {
                format!("shape {:?} vs {:?}", j.shape(), got.shape())
            } else if exact("", j.data(), got.data()).is_err() {
                format!("{:?}", exact("data", j.data(), got.data()))
            } else {
                format!(
                    "coords: {:?} vs {:?}",
                    j.coord("time").unwrap(),
                    got.coord("time").unwrap()
                )
            };
            return Err(format!("chunks of {size} differ from eager: {detail}"));
        }
    }
    Ok(sizes.len())
}

#[test]
fn golden_atoms_and_seed() {
    let Some(root) = golden_dir() else {
        eprintln!("skipping: golden data not found (set XDAS_TEST_DATA)");
        return;
    };
    let mut cases = Case::all(&root, "atoms");
    cases.extend(Case::all(&root, "seed"));
    let mut failures = Vec::new();
    let mut chunkings = 0;
    for case in &cases {
        match check(case) {
            Ok(n) => chunkings += n,
            Err(e) => failures.push(format!("{}: {e}", case.name)),
        }
    }
    eprintln!(
        "golden atoms+seed: {} cases, {} passed ({} chunked runs equal to eager), {} failed",
        cases.len(),
        cases.len() - failures.len(),
        chunkings,
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

//! Quick timings of the filtering kernels (ignored; the real benchmarks are in
//! `benches/benches/filter.rs`). Run with
//! `cargo test --release -p xdas-signal --test filter_perf -- --ignored --nocapture`.

use ndarray::{Array2, ArrayD};
use std::time::Instant;
use xdas_signal::Real;
use xdas_signal::decimate::{DecimateFtype, decimate};
use xdas_signal::filter::{lfilter, sosfilt};
use xdas_signal::resample::{ResamplePad, resample_poly};
use xdas_signal::window::Window;

const B: [f64; 5] = [
    0.6620158372026176,
    -2.6480633488104703,
    3.9720950232157053,
    -2.6480633488104703,
    0.6620158372026176,
];
const A: [f64; 5] = [
    1.0,
    -3.180638548874719,
    3.8611943489942133,
    -2.112155355110969,
    0.43826514226197977,
];
const SOS: [[f64; 6]; 2] = [
    [
        0.6620158372026176,
        -1.3240316744052352,
        0.6620158372026176,
        1.0,
        -1.4796742169311934,
        0.5558215432824889,
    ],
    [1.0, -2.0, 1.0, 1.0, -1.7009643319435257, 0.7884997398152979],
];

fn data<T: Real>(nt: usize, nch: usize) -> ArrayD<T> {
    let mut s: u64 = 0x9E37_79B9_7F4A_7C15;
    Array2::from_shape_simple_fn((nt, nch), || {
        s ^= s >> 12;
        s ^= s << 25;
        s ^= s >> 27;
        T::of((s.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 52) as f64 - 1.0)
    })
    .into_dyn()
}

fn xdas_signal_advise<T>(buf: &mut [T]) {
    unsafe extern "C" {
        fn madvise(addr: *mut std::ffi::c_void, len: usize, advice: i32) -> i32;
    }
    let start = buf.as_mut_ptr() as usize;
    let bytes = std::mem::size_of_val(buf);
    let a = start.next_multiple_of(4096);
    let e = (start + bytes) / 4096 * 4096;
    unsafe { madvise(a as *mut _, e - a, 14) };
}

fn best<R>(name: &str, mut f: impl FnMut() -> R) {
    let mut best = f64::INFINITY;
    let mut all = vec![];
    let iters: usize = std::env::var("ITERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    for _ in 0..iters {
        let t = Instant::now();
        std::hint::black_box(f());
        let e = t.elapsed().as_secs_f64();
        all.push((e * 1e3).round());
        best = best.min(e);
    }
    println!("{name:45} {:8.1} ms   {all:?}", best * 1e3);
}

fn run<T: Real>(dt: &str) {
    let x = data::<T>(5000, 10000);
    let only = std::env::var("ONLY").unwrap_or_default();
    let go = |n: &str| n.contains(&only);
    if !go("base/") {
        return run_kernels(&x, dt, &only);
    }
    best(&format!("alloc+touch/{dt}"), || {
        let mut y = ArrayD::<T>::zeros(x.raw_dim());
        y.as_slice_mut()
            .unwrap()
            .iter_mut()
            .for_each(|v| *v = T::one());
        y
    });
    best(&format!("copy/{dt}"), || x.to_owned());
    {
        use rayon::prelude::*;
        best(&format!("hugealloc+partouch/{dt}"), || {
            let mut v = vec![T::zero(); x.len()];
            xdas_signal_advise(&mut v);
            v.par_chunks_mut(1 << 16)
                .for_each(|c| c.iter_mut().for_each(|e| *e = T::one()));
            v
        });
        let mut v = vec![T::zero(); x.len()];
        let xs = x.as_slice().unwrap();
        best(&format!("parcopy prefaulted/{dt}"), || {
            v.par_chunks_mut(1 << 16)
                .zip(xs.par_chunks(1 << 16))
                .for_each(|(d, s)| d.copy_from_slice(s));
        });
        best(&format!("parsum/{dt}"), || {
            xs.par_chunks(1 << 16)
                .map(|c| c.iter().fold(T::zero(), |a, &b| a + b))
                .sum::<T>()
        });
    }
    best(&format!("detrend_linear/{dt} axis0"), || {
        xdas_signal::detrend::detrend(x.view(), 0, xdas_signal::detrend::DetrendType::Linear, &[])
            .unwrap()
    });
    run_kernels(&x, dt, &only);
}

fn run_kernels<T: Real>(x: &ArrayD<T>, dt: &str, only: &str) {
    let go = |n: &str| n.contains(only);
    for axis in [0, 1] {
        let n = format!("lfilter_identity/{dt} axis{axis}");
        if go(&n) {
            best(&n, || {
                lfilter(&[1.0], &[1.0], x.view(), axis, None).unwrap()
            });
        }
        let n = format!("lfilter/{dt} axis{axis}");
        if go(&n) {
            best(&n, || lfilter(&B, &A, x.view(), axis, None).unwrap());
        }
        let n = format!("sosfilt/{dt} axis{axis}");
        if go(&n) {
            best(&n, || sosfilt(&SOS, x.view(), axis, None).unwrap());
        }
    }
    let n = format!("sosfiltfilt/{dt} axis0");
    if go(&n) {
        best(&n, || {
            xdas_signal::filter::sosfiltfilt(
                &SOS,
                x.view(),
                0,
                xdas_signal::filter::PadType::Odd,
                None,
            )
            .unwrap()
        });
    }
    let n = format!("decimate_iir_q4/{dt} axis0");
    if go(&n) {
        best(&n, || {
            decimate(x.view(), 4, None, DecimateFtype::Iir, 0, true).unwrap()
        });
    }
    let n = format!("decimate_fir_q2/{dt} axis1");
    if go(&n) {
        best(&n, || {
            decimate(x.view(), 2, None, DecimateFtype::Fir, 1, true).unwrap()
        });
    }
    let n = format!("resample_poly_2_5/{dt} axis0");
    if go(&n) {
        best(&n, || {
            resample_poly(
                x.view(),
                2,
                5,
                0,
                &Window::Kaiser(5.0),
                ResamplePad::Constant,
                None,
            )
            .unwrap()
        });
    }
}

#[test]
#[ignore = "timing only"]
fn timings() {
    run::<f32>("f32");
    run::<f64>("f64");
}

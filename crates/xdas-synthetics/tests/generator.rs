//! The scalable generator: chunk invariance, determinism, f32/f64 consistency, physics.

use ndarray::{Array2, Axis, concatenate, s};
use xdas_synthetics::{Event, GaussPulse, Sample, WavefrontGenerator};

fn generator<T: Sample>(seed: u64) -> WavefrontGenerator<T> {
    WavefrontGenerator::<T>::builder(3000, 257)
        .seed(seed)
        .dx(20.0)
        .event_spacing(5.0)
        .build()
        .unwrap()
}

/// Concatenate chunks of the given sizes, cycled, until the grid is covered.
fn by_chunks<T: Sample>(g: &WavefrontGenerator<T>, sizes: &[usize]) -> Array2<T> {
    let nt = g.grid().nt;
    let mut parts = Vec::new();
    let mut start = 0;
    for &size in sizes.iter().cycle() {
        if start >= nt {
            break;
        }
        let n = size.min(nt - start);
        parts.push(g.chunk(start, n));
        start += n;
    }
    let views: Vec<_> = parts.iter().map(|a| a.view()).collect();
    concatenate(Axis(0), &views).unwrap()
}

fn assert_bitwise_eq<T: Sample>(a: &Array2<T>, b: &Array2<T>, what: &str) {
    assert_eq!(a.dim(), b.dim(), "{what}: shapes");
    for ((idx, x), y) in a.indexed_iter().zip(b.iter()) {
        assert!(
            x.to_f64().to_bits() == y.to_f64().to_bits(),
            "{what}: differs at {idx:?}: {x:?} vs {y:?}"
        );
    }
}

fn chunk_invariance<T: Sample>() {
    let g = generator::<T>(42);
    assert!(g.events().len() >= 5);
    let whole = g.chunk(0, g.grid().nt);
    for sizes in [&[7][..], &[64], &[1000], &[7, 64, 1000], &[1, 999, 13]] {
        assert_bitwise_eq(&by_chunks(&g, sizes), &whole, &format!("chunks {sizes:?}"));
    }
    let views: Vec<_> = g.chunks(333).map(|(_, a)| a).collect();
    let views: Vec<_> = views.iter().map(|a| a.view()).collect();
    assert_bitwise_eq(
        &concatenate(Axis(0), &views).unwrap(),
        &whole,
        "chunks(333)",
    );
    // Independent of the number of threads.
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap()
        .install(|| g.chunk(0, g.grid().nt));
    assert_bitwise_eq(&one, &whole, "one thread");
    // Writing into a strided view gives the same values.
    let mut t = Array2::from_elem((g.grid().nx, 50), T::default());
    g.fill(100, t.view_mut().reversed_axes());
    assert_bitwise_eq(
        &t.reversed_axes().as_standard_layout().to_owned(),
        &whole.slice(s![100..150, ..]).to_owned(),
        "strided fill",
    );
}

#[test]
fn chunks_concatenate_to_the_whole_f64() {
    chunk_invariance::<f64>();
}

#[test]
fn chunks_concatenate_to_the_whole_f32() {
    chunk_invariance::<f32>();
}

#[test]
fn f32_is_f64_rounded() {
    let a = generator::<f64>(7).chunk(1200, 500);
    let b = generator::<f32>(7).chunk(1200, 500);
    assert_eq!(a.mapv(|v| v as f32), b);
}

#[test]
fn deterministic_in_the_seed() {
    let a = generator::<f32>(1).chunk(0, 400);
    assert_eq!(a, generator::<f32>(1).chunk(0, 400));
    let b = generator::<f32>(2).chunk(0, 400);
    let same = a.iter().zip(b.iter()).filter(|(x, y)| x == y).count();
    assert!(same < a.len() / 1000, "{same} equal values");
    assert_ne!(generator::<f32>(1).events(), generator::<f32>(2).events());
}

#[test]
fn noise_has_the_requested_level() {
    let g = WavefrontGenerator::<f64>::builder(2000, 500)
        .noise(0.25)
        .events(vec![])
        .build()
        .unwrap();
    let a = g.chunk(0, 2000);
    assert!((a.std(0.0) - 0.25).abs() < 0.001, "{}", a.std(0.0));
    assert!(a.mean().unwrap().abs() < 0.001);
    // Neighbouring rows and columns are uncorrelated.
    let lag_t = (&a.slice(s![1.., ..]) * &a.slice(s![..-1, ..]))
        .mean()
        .unwrap()
        / 0.0625;
    let lag_x = (&a.slice(s![.., 1..]) * &a.slice(s![.., ..-1]))
        .mean()
        .unwrap()
        / 0.0625;
    assert!(
        lag_t.abs() < 0.005 && lag_x.abs() < 0.005,
        "{lag_t} {lag_x}"
    );
}

#[test]
fn noise_free_wavefronts_peak_at_the_arrivals() {
    let event = Event::new(2.0, 1234.5, 1500.0);
    let g = WavefrontGenerator::<f64>::builder(1500, 300)
        .dt_ns(4_000_000)
        .noise(0.0)
        .events(vec![event])
        .build()
        .unwrap();
    let grid = *g.grid();
    let dt = grid.dt_s();
    let data = g.chunk(0, grid.nt);
    let (tp, ts) = event.arrival_times(&grid);
    let pulse = GaussPulse::new(event.frequency);
    for j in 0..grid.nx {
        let col = data.column(j);
        for t_arr in [tp[j], ts[j]] {
            let c = (t_arr / dt).round() as usize;
            let w = (0.2 / dt) as usize;
            let peak = (c - w..c + w)
                .max_by(|&a, &b| col[a].total_cmp(&col[b]))
                .unwrap();
            assert!((grid.time_s(peak) - t_arr).abs() <= dt, "channel {j}");
            // Values are the analytic pulses, up to the truncation of the windows where the
            // envelope falls below 1e-10 of its peak.
            for i in c - w..c + w {
                let t = grid.time_s(i);
                let want = event.p_amplitude * pulse.value(t - tp[j])
                    + event.s_amplitude * pulse.value(t - ts[j]);
                assert!(
                    (col[i] - want).abs() < 2e-10,
                    "({i}, {j}): {} vs {want}",
                    col[i]
                );
            }
        }
        // Before the P window the data are exactly zero.
        let first = ((tp[j] - 0.6) / dt) as usize;
        assert!(col.slice(s![..first]).iter().all(|&v| v == 0.0));
    }
}

#[test]
fn default_events_are_visible_above_the_noise() {
    let g = WavefrontGenerator::<f32>::builder(6000, 400)
        .build()
        .unwrap();
    let data = g.chunk(0, 6000);
    let grid = *g.grid();
    let e = g.events()[0];
    let (_, ts) = e.arrival_times(&grid);
    let j = 200;
    let c = (ts[j] / grid.dt_s()).round() as usize;
    let peak = data
        .slice(s![c - 3..c + 4, j])
        .iter()
        .fold(0.0f32, |m, v| m.max(v.abs()));
    assert!(peak > 3.0 * 0.1, "peak {peak}");
}

#[test]
#[should_panic(expected = "exceed")]
fn chunk_past_the_end_panics() {
    generator::<f32>(1).chunk(2990, 11);
}

#[test]
fn invalid_configurations_are_rejected() {
    let b = || WavefrontGenerator::<f32>::builder(10, 10);
    assert!(b().dt_ns(0).build().is_err());
    assert!(b().dx(f64::NAN).build().is_err());
    assert!(b().noise(-1.0).build().is_err());
    assert!(WavefrontGenerator::<f32>::builder(0, 10).build().is_err());
    let mut e = Event::new(0.0, 0.0, 10.0);
    e.vs = 0.0;
    assert!(b().events(vec![e]).build().is_err());
}

//! GDR DAS files: the Geothermal Data Repository's DAS standard (metadata after
//! DAS-RCN, raw data after PRODML).
//!
//! # Layout
//!
//! ```text
//! /DasMetadata                          @MetadataStandard, @RawDataStandard, ...
//! /DasMetadata/Interrogator/Acquisition @SpatialSamplingInterval (a string or a number),
//!                                       @GaugeLength, @AcquisitionStartTime, ...
//! /DasRawData/RawData                   samples, @DasDimensions ["time step", "locus"]
//! /DasRawData/DasTimeArray              per-sample time stamps (ns since the epoch)
//! ```
//!
//! # Reading
//!
//! A lazy `("time", "distance")` array of the stored type (a transposed view when
//! `DasDimensions` puts `locus` first).
//!
//! * **Time** from `DasTimeArray` (integers, ns since the epoch, as the standard's
//!   files and DASCore have it): two tie points with an exact rate when every stamp is
//!   within half a sample of the line through the first and last (DASCore's "snap"),
//!   otherwise the stamps themselves, simplified, so that gaps are kept.
//! * **Distance**: the files say where channels are only in external tables, so, as
//!   DASCore does, distance starts at 0 and steps by `SpatialSamplingInterval`.
//!
//! Attributes kept: `metadata_standard`, `raw_data_standard`, `gauge_length`,
//! `gauge_length_units`, `vendor` (interrogator manufacturer), `project_number`.
//!
//! ```no_run
//! let da = xdas_io::open("gdr_1.h5").unwrap();
//! assert_eq!(da.engine(), "gdr");
//! assert_eq!(da.dims(), ["time", "distance"]);
//! ```

use std::path::Path;
use std::sync::Arc;

use hdf5::{File, Location};
use xdas_core::{AttrValue, Attrs, Coordinate};

use super::prodml::{Dim, copy_first, dims_from_attr, int_values, time_from_stamps};
use crate::engine::{Engine, Probe};
use crate::error::{IoError, Result};
use crate::h5::{self, H5Dataset};
use crate::lazy::{LazyArray, Source, Transposed};

const NAME: &str = "gdr";
const ACQ: &str = "DasMetadata/Interrogator/Acquisition";
const DATA: &str = "DasRawData/RawData";
const TIME: &str = "DasRawData/DasTimeArray";

/// The GDR engine (`"gdr"`).
///
/// Recognises files with a `/DasMetadata` group carrying `MetadataStandard` and
/// `RawDataStandard`, and the datasets `/DasRawData/RawData` and
/// `/DasRawData/DasTimeArray`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Gdr;

/// The engine instance registered in `vendors::ENGINES`.
pub(crate) static ENGINE: Gdr = Gdr;

impl Engine for Gdr {
    fn name(&self) -> &'static str {
        NAME
    }

    fn detect(&self, probe: &Probe) -> std::result::Result<(), String> {
        let f = probe.hdf5()?;
        let meta = f
            .group("DasMetadata")
            .map_err(|_| "no /DasMetadata group".to_string())?;
        for a in ["MetadataStandard", "RawDataStandard"] {
            if meta.attr(a).is_err() {
                return Err(format!("/DasMetadata has no {a:?} attribute"));
            }
        }
        for d in [DATA, TIME] {
            if f.dataset(d).is_err() {
                return Err(format!("no /{d} dataset"));
            }
        }
        Ok(())
    }

    fn open(&self, path: &Path) -> Result<LazyArray> {
        let f = h5::open(path)?;
        open_file(&f, path)
    }
}

fn open_file(f: &File, path: &Path) -> Result<LazyArray> {
    let err = |m: String| IoError::format(path, NAME, m);
    let ds = H5Dataset::open(f, path, &format!("/{DATA}"))?;
    let shape = ds.dataset().shape();
    if shape.len() != 2 {
        return Err(err(format!(
            "/{DATA} has shape {shape:?}, not 2 dimensions"
        )));
    }
    let swapped = match ds
        .dataset()
        .attr("DasDimensions")
        .ok()
        .and_then(|a| h5::attr_value(&a))
    {
        None => false,
        Some(v) => match dims_from_attr(&v)
            .map_err(|e| err(format!("/{DATA} DasDimensions: {e}")))?
            .as_slice()
        {
            [Dim::Time, Dim::Distance] => false,
            [Dim::Distance, Dim::Time] => true,
            _ => return Err(err(format!("/{DATA}: unrecognised DasDimensions {v:?}"))),
        },
    };
    let (nt, nd) = if swapped {
        (shape[1], shape[0])
    } else {
        (shape[0], shape[1])
    };
    if nt == 0 || nd == 0 {
        return Err(err(format!("/{DATA} is empty (shape {shape:?})")));
    }

    // time: every stamp (8 bytes a sample: metadata-sized)
    let stamps = H5Dataset::open(f, path, &format!("/{TIME}"))?;
    if stamps.dataset().shape() != [nt] {
        return Err(err(format!(
            "/{TIME} has shape {:?}, but /{DATA} has {nt} time samples",
            stamps.dataset().shape()
        )));
    }
    let ns = int_values(stamps.read(std::slice::from_ref(&(0..nt)))?)
        .ok_or_else(|| err(format!("/{TIME} does not hold integer nanoseconds")))?;
    let time = time_from_stamps(&ns).map_err(|e| err(format!("/{TIME}: {e}")))?;

    // distance: from 0, every SpatialSamplingInterval
    let acq = f.group(ACQ).map_err(|_| err(format!("no /{ACQ} group")))?;
    let dx = number(&acq, "SpatialSamplingInterval").map_err(|e| err(format!("/{ACQ}: {e}")))?;
    if !(dx.is_finite() && dx > 0.0) {
        return Err(err(format!(
            "/{ACQ} SpatialSamplingInterval is {dx}, not a positive spacing"
        )));
    }
    let distance = Coordinate::from_block(0.0, nd, dx, "distance");

    let mut attrs = Attrs::new();
    if let Ok(meta) = f.group("DasMetadata") {
        copy_first(
            &meta,
            &["MetadataStandard"],
            "metadata_standard",
            &mut attrs,
        );
        copy_first(&meta, &["RawDataStandard"], "raw_data_standard", &mut attrs);
        copy_first(&meta, &["ProjectNumber"], "project_number", &mut attrs);
    }
    if let Ok(gl) = number(&acq, "GaugeLength") {
        attrs.insert("gauge_length", gl);
    }
    copy_first(&acq, &["GaugeLengthUnit"], "gauge_length_units", &mut attrs);
    if let Ok(i) = f.group("DasMetadata/Interrogator") {
        copy_first(&i, &["InterrogatorManufacturer"], "vendor", &mut attrs);
    }
    attrs = drop_nan_strings(attrs);

    let source: Arc<dyn Source> = if swapped {
        Arc::new(Transposed::new(Arc::new(ds.describe()), vec![1, 0])?)
    } else {
        Arc::new(ds.describe())
    };
    LazyArray::new(
        source,
        vec!["time".into(), "distance".into()],
        vec![("time".into(), time), ("distance".into(), distance)],
        None,
        Some(attrs),
        NAME,
    )
}

/// A number attribute that GDR files may store as a string (`"1.021"`); `"NaN"` and
/// absence are errors.
fn number(loc: &Location, name: &str) -> std::result::Result<f64, String> {
    match h5::attr_f64(loc, name)? {
        Some(v) if !v.is_nan() => Ok(v),
        Some(_) => Err(format!("attribute {name:?} is NaN")),
        None => Err(format!("no {name:?} attribute")),
    }
}

/// GDR writes `"NaN"` for unknown metadata: leave those out.
fn drop_nan_strings(attrs: Attrs) -> Attrs {
    let mut out = Attrs::new();
    for (k, v) in attrs.iter() {
        if !matches!(v, AttrValue::Str(s) if s.eq_ignore_ascii_case("nan")) {
            out.insert(k, v.clone());
        }
    }
    out
}

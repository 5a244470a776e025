//! The vendors' formats, one module per engine.

use crate::engine::Engine;

pub mod ap_sensing;
pub mod febus;
pub mod gdr;
pub mod h5simple;
pub mod neubrex;
pub mod optodas;
pub mod prodml;
pub mod silixa_h5;
pub mod terra15;

/// Every vendor engine, in detection order.
pub(crate) const ENGINES: &[&dyn Engine] = &[
    &ap_sensing::ENGINE,
    &optodas::ENGINE,
    &febus::ENGINE,
    &terra15::ENGINE,
    &silixa_h5::ENGINE,
    &prodml::ENGINE,
    &gdr::ENGINE,
    &neubrex::ENGINE,
    // the least specific HDF5 layout: keep it last among the HDF5 engines
    &h5simple::ENGINE,
    // not HDF5: recognised by their first bytes
    &crate::tdms::ENGINE,
    &crate::miniseed::ENGINE,
];

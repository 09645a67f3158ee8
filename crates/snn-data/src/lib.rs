//! Input data for the spiking network: MNIST IDX files, PNG images and folders of them, a
//! procedurally generated digit set that needs no files at all, and the MNIST downloader.
//!
//! Everything the rest of the project feeds to the network goes through [`load`] /
//! [`load_all`], so that every tool accepts the same kinds of paths and reports bad input the same
//! way: each error names the offending file and what is wrong with it, and no input makes this
//! crate panic.

pub mod builtin;
mod dataset;
pub mod fetch;
mod folder;
pub mod idx;
mod image;
mod load;
pub mod png;

pub use crate::dataset::Dataset;
pub use crate::folder::PngListing;
pub use crate::image::{Image, Split};
pub use crate::load::{load, load_all, resolve, Source};
pub use snn_core::atomic::write_atomic;

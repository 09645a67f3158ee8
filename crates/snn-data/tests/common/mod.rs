//! Helpers shared by the integration tests.
#![allow(dead_code)] // each test binary uses a different subset

use std::path::Path;

use snn_data::Image;

/// An image whose pixels are `seed, seed+1, ...` (wrapping), so images are easy to tell apart.
pub fn ramp(height: usize, width: usize, seed: u8) -> Image {
    let pixels = (0..height * width)
        .map(|i| seed.wrapping_add(i as u8))
        .collect();
    Image {
        height,
        width,
        pixels,
    }
}

/// A flat image of one value.
pub fn flat(height: usize, width: usize, value: u8) -> Image {
    Image {
        height,
        width,
        pixels: vec![value; height * width],
    }
}

pub fn s(path: &Path) -> &str {
    path.to_str().expect("temp paths are UTF-8")
}

/// Names of the files in `dir`, sorted.
pub fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

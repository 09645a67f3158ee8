//! The two plain value types shared by every loader.

use std::fmt;
use std::str::FromStr;

use anyhow::{bail, Result};
use serde::{Deserialize, Serialize};

/// One grayscale image, row-major, 8 bits per pixel (0 = black background, 255 = full stroke),
/// which is the form the receptive field (SPEC section 2) consumes.
#[derive(Clone, Debug, PartialEq)]
pub struct Image {
    pub height: usize,
    pub width: usize,
    pub pixels: Vec<u8>,
}

impl Image {
    /// Builds an image, checking that `pixels` holds exactly `height * width` values so that a
    /// malformed image cannot travel further into the pipeline.
    pub fn new(height: usize, width: usize, pixels: Vec<u8>) -> Result<Self> {
        let expected = height.checked_mul(width);
        if expected != Some(pixels.len()) {
            bail!(
                "image of {height}x{width} needs {} pixels, got {}",
                expected.map_or_else(|| "too many".to_string(), |n| n.to_string()),
                pixels.len()
            );
        }
        Ok(Self {
            height,
            width,
            pixels,
        })
    }
}

/// Which half of a data set to use: MNIST and the built-in digits both come as a training and a
/// held-out test split.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Split {
    Train,
    Test,
}

impl fmt::Display for Split {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Split::Train => "train",
            Split::Test => "test",
        })
    }
}

impl FromStr for Split {
    type Err = anyhow::Error;

    fn from_str(s: &str) -> Result<Self> {
        match s {
            "train" => Ok(Split::Train),
            "test" => Ok(Split::Test),
            other => bail!("unknown split \"{other}\": expected \"train\" or \"test\""),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_checks_the_pixel_count() {
        assert!(Image::new(2, 3, vec![0; 6]).is_ok());
        assert!(Image::new(2, 3, vec![0; 5]).is_err());
        assert!(Image::new(usize::MAX, 3, vec![]).is_err());
    }

    #[test]
    fn split_names_round_trip() {
        for split in [Split::Train, Split::Test] {
            assert_eq!(split.to_string().parse::<Split>().unwrap(), split);
        }
        assert!("validation".parse::<Split>().is_err());
    }
}

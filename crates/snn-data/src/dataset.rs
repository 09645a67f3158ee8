//! A set of same-sized images with optional labels.

use anyhow::{bail, Result};

use crate::Image;

/// Images of one size, with one label per image when the source provides labels (MNIST label
/// files, class-named PNG folders, the built-in digits). `source` says where the images came from
/// so that reports and error messages can name it.
#[derive(Clone, Debug, Default)]
pub struct Dataset {
    pub images: Vec<Image>,
    pub labels: Option<Vec<u8>>,
    pub source: String,
}

impl Dataset {
    /// Keeps the first `k` images (and their labels); `None` keeps everything. Quick experiments
    /// use this to run on a prefix of a large set.
    pub fn limit(mut self, k: Option<usize>) -> Self {
        if let Some(k) = k {
            self.images.truncate(k);
            if let Some(labels) = &mut self.labels {
                labels.truncate(k);
            }
        }
        self
    }

    /// Joins data sets in the given order. The result is labelled only if every part is, because a
    /// partly labelled set cannot be used for labelling or scoring. Parts whose image size differs
    /// from the first non-empty part are rejected, since the network has a fixed input count.
    pub fn concat(sets: Vec<Dataset>) -> Result<Dataset> {
        let mut first_sized: Option<(&str, (usize, usize))> = None;
        for set in &sets {
            let Some(size) = set.image_size() else {
                continue;
            };
            match first_sized {
                None => first_sized = Some((&set.source, size)),
                Some((first_source, first_size)) if first_size != size => bail!(
                    "cannot combine {} ({}x{} images) with {} ({}x{} images): all images must have the same size",
                    first_source,
                    first_size.0,
                    first_size.1,
                    set.source,
                    size.0,
                    size.1
                ),
                Some(_) => {}
            }
        }
        let all_labelled = !sets.is_empty() && sets.iter().all(|s| s.labels.is_some());
        let source = sets
            .iter()
            .map(|s| s.source.as_str())
            .collect::<Vec<_>>()
            .join(" + ");
        let mut images = Vec::with_capacity(sets.iter().map(|s| s.images.len()).sum());
        let mut labels = all_labelled.then(Vec::new);
        for set in sets {
            images.extend(set.images);
            if let (Some(all), Some(part)) = (&mut labels, set.labels) {
                all.extend(part);
            }
        }
        Ok(Dataset {
            images,
            labels,
            source,
        })
    }

    /// The `(height, width)` shared by all images, or `None` for an empty set.
    pub fn image_size(&self) -> Option<(usize, usize)> {
        self.images.first().map(|img| (img.height, img.width))
    }

    /// Number of images.
    pub fn len(&self) -> usize {
        self.images.len()
    }

    /// True when the set holds no images.
    pub fn is_empty(&self) -> bool {
        self.images.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(source: &str, n: usize, size: usize, labels: bool) -> Dataset {
        let images = (0..n)
            .map(|i| Image {
                height: size,
                width: size,
                pixels: vec![i as u8; size * size],
            })
            .collect();
        Dataset {
            images,
            labels: labels.then(|| (0..n as u8).collect()),
            source: source.into(),
        }
    }

    #[test]
    fn limit_keeps_prefix_and_labels() {
        let d = set("a", 5, 2, true).limit(Some(3));
        assert_eq!(d.len(), 3);
        assert_eq!(d.labels, Some(vec![0, 1, 2]));
        assert_eq!(set("a", 5, 2, true).limit(None).len(), 5);
        assert_eq!(set("a", 5, 2, true).limit(Some(9)).len(), 5);
    }

    #[test]
    fn concat_labels_only_when_all_labelled() {
        let both = Dataset::concat(vec![set("a", 2, 3, true), set("b", 1, 3, true)]).unwrap();
        assert_eq!(both.len(), 3);
        assert_eq!(both.labels, Some(vec![0, 1, 0]));
        assert_eq!(both.source, "a + b");
        let mixed = Dataset::concat(vec![set("a", 2, 3, true), set("b", 1, 3, false)]).unwrap();
        assert_eq!(mixed.labels, None);
        assert_eq!(mixed.len(), 3);
    }

    #[test]
    fn concat_rejects_mixed_sizes_naming_both() {
        let err = Dataset::concat(vec![
            set("a", 1, 3, true),
            set("empty", 0, 9, true),
            set("b", 1, 4, true),
        ])
        .unwrap_err()
        .to_string();
        assert!(err.contains("a (3x3") && err.contains("b (4x4"), "{err}");
    }

    #[test]
    fn image_size_of_empty_is_none() {
        assert_eq!(Dataset::default().image_size(), None);
        assert_eq!(set("a", 1, 5, false).image_size(), Some((5, 5)));
    }
}

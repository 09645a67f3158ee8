//! The procedural digit set.

use snn_data::builtin::{digits, DEFAULT_TEST, DEFAULT_TRAIN};
use snn_data::{Dataset, Split};

#[test]
fn is_deterministic_and_seed_and_split_dependent() {
    let a = digits(Split::Train, 60, 7);
    let b = digits(Split::Train, 60, 7);
    assert_eq!(a.images, b.images);
    assert_eq!(a.labels, b.labels);
    assert_ne!(
        digits(Split::Train, 60, 8).images,
        a.images,
        "the seed matters"
    );
    let test = digits(Split::Test, 60, 7);
    assert!(
        a.images.iter().zip(&test.images).all(|(x, y)| x != y),
        "train and test share no image"
    );
    let prefix = digits(Split::Train, 25, 7);
    assert_eq!(
        prefix.images[..],
        a.images[..25],
        "a smaller set is a prefix of a larger one"
    );
}

#[test]
fn labels_cycle_and_classes_are_balanced() {
    let d = digits(Split::Train, DEFAULT_TRAIN, 0);
    let labels = d.labels.as_ref().unwrap();
    assert_eq!(labels.len(), DEFAULT_TRAIN);
    assert!(labels
        .iter()
        .enumerate()
        .all(|(k, &l)| usize::from(l) == k % 10));
    let mut counts = [0usize; 10];
    labels.iter().for_each(|&l| counts[usize::from(l)] += 1);
    assert_eq!(counts, [DEFAULT_TRAIN / 10; 10]);
    assert_eq!((DEFAULT_TRAIN, DEFAULT_TEST), (2000, 500));
}

#[test]
fn images_look_like_mnist() {
    let d = digits(Split::Test, 200, 3);
    assert_eq!(d.image_size(), Some((28, 28)));
    for (k, img) in d.images.iter().enumerate() {
        assert_eq!(img.pixels.len(), 28 * 28);
        let max = *img.pixels.iter().max().unwrap();
        let ink = img.pixels.iter().filter(|&&p| p > 0).count();
        let soft = img.pixels.iter().filter(|&&p| p > 0 && p < 255).count();
        assert_eq!(max, 255, "image {k}: stroke centres are white");
        assert!(
            (60..=400).contains(&ink),
            "image {k}: {ink} inked pixels; black background with strokes"
        );
        assert!(
            soft >= 20,
            "image {k}: anti-aliased edges ({soft} grey pixels)"
        );
        let border: u32 = (0..28)
            .map(|i| u32::from(img.pixels[i]) + u32::from(img.pixels[27 * 28 + i]))
            .sum();
        assert!(
            border < 28 * 255,
            "image {k}: the digit does not fill the frame"
        );
    }
    for (i, x) in d.images.iter().enumerate() {
        assert!(
            d.images[i + 1..].iter().all(|y| x != y),
            "image {i} has a duplicate"
        );
    }
}

/// Learnable but not trivial: a nearest-class-mean classifier trained on the training split
/// should do clearly better than chance (10%) on the test split without being perfect. (It scores
/// about 0.81 here; on real MNIST the same classifier scores about 0.82.)
#[test]
fn classes_are_learnable_by_a_simple_classifier() {
    let train = digits(Split::Train, 1000, 0);
    let test = digits(Split::Test, 300, 0);
    let means = class_means(&train);
    let labels = test.labels.as_ref().unwrap();
    let correct = test
        .images
        .iter()
        .zip(labels)
        .filter(|(img, &l)| nearest(&means, &img.pixels) == usize::from(l))
        .count();
    let accuracy = correct as f64 / test.len() as f64;
    eprintln!("nearest-mean accuracy {accuracy}");
    assert!(accuracy > 0.7, "nearest-mean accuracy {accuracy}");
    assert!(accuracy < 0.98, "suspiciously easy: {accuracy}");
}

fn class_means(d: &Dataset) -> Vec<Vec<f64>> {
    let mut sums = vec![vec![0.0; 784]; 10];
    let mut counts = [0.0; 10];
    for (img, &l) in d.images.iter().zip(d.labels.as_ref().unwrap()) {
        let l = usize::from(l);
        counts[l] += 1.0;
        sums[l]
            .iter_mut()
            .zip(&img.pixels)
            .for_each(|(s, &p)| *s += f64::from(p));
    }
    sums.iter_mut()
        .zip(counts)
        .for_each(|(s, c)| s.iter_mut().for_each(|v| *v /= c));
    sums
}

fn nearest(means: &[Vec<f64>], pixels: &[u8]) -> usize {
    let dist = |m: &Vec<f64>| {
        m.iter()
            .zip(pixels)
            .map(|(a, &b)| (a - f64::from(b)).powi(2))
            .sum::<f64>()
    };
    (0..means.len())
        .min_by(|&a, &b| dist(&means[a]).total_cmp(&dist(&means[b])))
        .unwrap()
}

//! The real MNIST files, when available (skipped with a message otherwise).

mod common;

use snn_data::{load, Split};

#[test]
fn real_mnist_splits() {
    let Some(dir) = snn_testkit::mnist_dir("real_mnist_splits") else {
        return;
    };
    let dir = dir.to_str().unwrap();
    let train = load(dir, Split::Train).unwrap();
    assert_eq!(train.len(), 60_000);
    assert_eq!(train.image_size(), Some((28, 28)));
    let labels = train.labels.as_ref().expect("train labels");
    assert_eq!(labels[0], 5);
    let mut counts = [0usize; 10];
    labels.iter().for_each(|&l| counts[usize::from(l)] += 1);
    assert_eq!(
        counts,
        [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    );

    let test = load(dir, Split::Test).unwrap();
    assert_eq!(test.len(), 10_000);
    assert_eq!(test.image_size(), Some((28, 28)));
    assert_eq!(test.labels.as_ref().expect("test labels")[0], 7);
}

#[test]
fn real_mnist_image_file_directly() {
    let Some(dir) = snn_testkit::mnist_dir("real_mnist_image_file_directly") else {
        return;
    };
    let file = dir.join("t10k-images-idx3-ubyte.gz");
    let test = load(file.to_str().unwrap(), Split::Train).unwrap();
    assert_eq!(test.len(), 10_000);
    assert_eq!(
        test.labels.as_ref().map(|l| l[..3].to_vec()),
        Some(vec![7, 2, 1])
    );
}

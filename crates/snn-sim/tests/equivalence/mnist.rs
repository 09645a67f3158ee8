//! The first MNIST images: 50 training presentations (training file) then 200 inference
//! presentations (test file) with N = 10, compared step by step; prints the mean cycles per image.

use crate::common::Pair;
use snn_core::prelude::*;

#[test]
fn mnist_training_then_inference() {
    let Some(train) = snn_testkit::mnist_images(
        "mnist_training_then_inference",
        "train-images-idx3-ubyte.gz",
        50,
    ) else {
        return;
    };
    let Some(test) = snn_testkit::mnist_images(
        "mnist_training_then_inference",
        "t10k-images-idx3-ubyte.gz",
        200,
    ) else {
        return;
    };
    let mut pair = Pair::new(&SnnConfig::default());
    let trained = pair.run_all(&train, true);
    let inferred = pair.run_all(&test, false);
    let mean =
        |c: &[crate::common::Cost]| c.iter().map(|c| c.cycles).sum::<u64>() as f64 / c.len() as f64;
    println!(
        "MNIST, N = 10: mean cycles per image: training {:.0} ({} images), inference {:.0} ({} images)",
        mean(&trained),
        trained.len(),
        mean(&inferred),
        inferred.len()
    );
}

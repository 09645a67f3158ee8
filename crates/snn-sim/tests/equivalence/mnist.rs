//! The first MNIST images: 50 training presentations (training file) then 200 inference
//! presentations (test file) with N = 10, compared step by step, with the rate code and with
//! the pixel code; prints the mean cycles per image.

use crate::common::Pair;
use snn_core::prelude::*;

#[test]
fn mnist_training_then_inference() {
    mnist_run("rate", &SnnConfig::default());
}

#[test]
fn mnist_pixel_code_training_then_inference() {
    let cfg = SnnConfig {
        encoding: Encoding::Pixel,
        ..SnnConfig::learning()
    };
    mnist_run("pixel", &cfg);
}

fn mnist_run(code: &str, cfg: &SnnConfig) {
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
    let mut pair = Pair::new(cfg);
    let trained = pair.run_all(&train, true);
    let inferred = pair.run_all(&test, false);
    let mean =
        |c: &[crate::common::Cost]| c.iter().map(|c| c.cycles).sum::<u64>() as f64 / c.len() as f64;
    println!(
        "MNIST, N = 10, {code} code: mean cycles per image: training {:.0} ({} images), inference {:.0} ({} images)",
        mean(&trained),
        trained.len(),
        mean(&inferred),
        inferred.len()
    );
}

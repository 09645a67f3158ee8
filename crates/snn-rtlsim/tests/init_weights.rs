//! A core generated with trained weights baked into its weight memory
//! (`snn_hdl::generate::write_hdl_with_weights`, what `snn generate --init-weights` writes)
//! classifies exactly like the golden fixed-point model and the cycle model with those weights,
//! without a single write through the host port: the harnesses run with `+load_weights=0`.
//!
//! The weights are the golden fixed model's after training on built-in digits, written to a
//! `.mem` file and read back (the layout `snn export --format mem` writes), so neurons spike and
//! win; a memory that had not been initialised would hold zeros and no neuron would fire. The
//! weights read back after the images must be the baked ones, word for word.

mod common;

use common::{first_weight_difference, have};
use ndarray::Array2;
use snn_arch::readmemh::{read_weights, write_weights};
use snn_arch::MemLayout;
use snn_core::prelude::*;
use snn_data::builtin::digits;
use snn_data::Split;
use snn_rtlsim::{run_preloaded, RunOptions, Simulator};
use snn_sim::Machine;
use std::path::PathBuf;
use std::sync::OnceLock;

/// Digits the golden model trains on before its weights are baked in.
const TRAIN_IMAGES: usize = 20;

/// The trained weights (`N x M`) and the generated core that holds them, made once per test
/// binary (the Verilator and Icarus tests share the Verilog, so Verilator's cached build too).
struct Baked {
    cfg: SnnConfig,
    weights: Vec<Vec<i32>>,
    verilog: PathBuf,
}

fn baked() -> &'static Baked {
    static BAKED: OnceLock<Baked> = OnceLock::new();
    BAKED.get_or_init(|| {
        let cfg = SnnConfig::default();
        let mut net = Network::with_random_weights(FixedArith::new(&cfg).unwrap(), &cfg);
        let train = digits(Split::Train, TRAIN_IMAGES, 3);
        for im in &train.images {
            net.present(
                &im.pixels,
                PresentOptions {
                    learn: true,
                    record: false,
                },
            );
        }
        let trained: Vec<Vec<i32>> = net.weights.rows().into_iter().map(|r| r.to_vec()).collect();
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("snn-rtlsim-init-weights");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let mem = dir.join("trained.mem");
        write_weights(&mem, &trained, &MemLayout::new(&cfg)).unwrap();
        let weights = read_weights(&mem, &MemLayout::new(&cfg)).unwrap();
        assert_eq!(weights, trained, "the .mem file round-trips");
        let files = snn_hdl::generate::write_hdl_with_weights(&cfg, &dir, Some(&weights)).unwrap();
        Baked {
            cfg,
            weights,
            verilog: files[0].clone(),
        }
    })
}

/// Runs `count` test digits for inference in `sim` on the baked core, without loading weights,
/// and compares every field with the golden fixed model and the cycle model.
fn infer_without_loading(sim: Simulator, count: usize) {
    let b = baked();
    let cfg = &b.cfg;
    let images: Vec<Vec<u8>> = digits(Split::Test, count, 0)
        .images
        .into_iter()
        .map(|i| i.pixels)
        .collect();
    let rtl = run_preloaded(sim, &b.verilog, cfg, &images, false, &RunOptions::default()).unwrap();

    let mut gold = Network::with_random_weights(FixedArith::new(cfg).unwrap(), cfg);
    gold.weights = Array2::from_shape_fn((cfg.neurons, cfg.inputs()), |(j, i)| b.weights[j][i]);
    let mut model = Machine::new(cfg).unwrap();
    model.load_weights(&b.weights.concat()).unwrap();
    for (k, (px, r)) in images.iter().zip(&rtl.images).enumerate() {
        let m = model.run_image(px, false).unwrap();
        if let Some(d) = r.outcome.first_difference(&m) {
            panic!("{sim}, baked weights, image {k}: {d} (rtl vs cycle model)");
        }
        let g = gold.present(
            px,
            PresentOptions {
                learn: false,
                record: false,
            },
        );
        if let Some(d) = r.outcome.first_difference(&g) {
            panic!("{sim}, baked weights, image {k}: {d} (rtl vs golden)");
        }
    }
    assert_eq!(rtl.images.len(), images.len());
    if let Some(d) = first_weight_difference(&rtl.final_weights, &b.weights, "baked") {
        panic!("{sim}: weight memory after inference: {d}");
    }
    let winners: Vec<Option<usize>> = rtl.images.iter().map(|i| i.outcome.winner).collect();
    assert!(
        winners.iter().any(Option::is_some),
        "{sim}: no image has a winner, so the comparison does not show the weights were there"
    );
    eprintln!(
        "{sim}, baked weights, no load: {} images, winners {winners:?}, {} simulated cycles in {:.2} s",
        images.len(),
        rtl.simulated_cycles,
        rtl.wall_seconds
    );
}

#[test]
fn verilator_classifies_with_baked_weights_like_golden_and_cycle_model() {
    if have(Simulator::Verilator, "verilator with baked weights") {
        infer_without_loading(Simulator::Verilator, 10);
    }
}

#[test]
fn icarus_classifies_with_baked_weights_like_golden_and_cycle_model() {
    if have(Simulator::Icarus, "icarus with baked weights") {
        infer_without_loading(Simulator::Icarus, 2);
    }
}

/// With homeostasis the core also starts with the trained theta (`write_hdl_with_state`, what
/// `snn generate --init-weights` does with a weights file's theta or the `.theta.mem` beside a
/// weight image): read back through `theta_out` after every image, and every presentation
/// equal to the cycle model's with that theta loaded. Small configuration, Verilator.
#[test]
fn verilator_starts_with_baked_theta_like_the_cycle_model() {
    if !have(Simulator::Verilator, "verilator with baked theta") {
        return;
    }
    let cfg = snn_hdl::presets::small_theta();
    let mut net = Network::with_random_weights(FixedArith::new(&cfg).unwrap(), &cfg);
    let train = common::blobs(11, 12, cfg.height, cfg.width);
    for px in &train {
        net.present(
            px,
            PresentOptions {
                learn: true,
                record: false,
            },
        );
    }
    assert!(net.theta.iter().any(|&x| x > 0), "training moved theta");
    let weights: Vec<Vec<i32>> = net.weights.rows().into_iter().map(|r| r.to_vec()).collect();
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("snn-rtlsim-init-theta");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let layout = snn_arch::ThetaLayout::new(&cfg);
    let file = dir.join("trained.theta.mem");
    snn_arch::readmemh::write_theta(&file, &net.theta, &layout).unwrap();
    let theta = snn_arch::readmemh::read_theta(&file, &layout).unwrap();
    assert_eq!(theta, net.theta, "the theta file round-trips");
    let files =
        snn_hdl::generate::write_hdl_with_state(&cfg, &dir, Some(&weights), Some(&theta)).unwrap();
    let images = common::blobs(12, 8, cfg.height, cfg.width);
    let rtl = run_preloaded(
        Simulator::Verilator,
        &files[0],
        &cfg,
        &images,
        false,
        &RunOptions::default(),
    )
    .unwrap();
    let mut model = Machine::new(&cfg).unwrap();
    model.load_weights(&weights.concat()).unwrap();
    model.load_theta(&theta).unwrap();
    for (k, (px, r)) in images.iter().zip(&rtl.images).enumerate() {
        let m = model.run_image(px, false).unwrap();
        if let Some(d) = r.outcome.first_difference(&m) {
            panic!("baked theta, image {k}: {d} (rtl vs cycle model)");
        }
        assert_eq!(r.theta, theta, "theta read back after image {k}");
    }
    assert_eq!(rtl.images.len(), images.len());
}

/// A core with row normalization, generated with trained weights and theta, trains on from
/// them: the first training image's sweep finds nothing pending (tag_mem and the pending
/// update start cleared), later ones apply the update the one before left. Every presentation,
/// the weights after every image (through the host port, so with any pending update applied)
/// and theta equal the cycle model's. Small configuration, Verilator.
#[test]
fn verilator_trains_on_from_baked_weights_with_normalization() {
    if !have(Simulator::Verilator, "verilator, baked normalized core") {
        return;
    }
    let cfg = snn_hdl::presets::small_norm();
    let mut net = Network::with_random_weights(FixedArith::new(&cfg).unwrap(), &cfg);
    for px in &common::blobs(13, 12, cfg.height, cfg.width) {
        net.present(px, PresentOptions::training());
    }
    assert!(net.theta.iter().any(|&x| x > 0), "training moved theta");
    let weights: Vec<Vec<i32>> = net.weights.rows().into_iter().map(|r| r.to_vec()).collect();
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("snn-rtlsim-init-norm");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let files =
        snn_hdl::generate::write_hdl_with_state(&cfg, &dir, Some(&weights), Some(&net.theta))
            .unwrap();
    let images = common::blobs(14, 10, cfg.height, cfg.width);
    let opts = RunOptions {
        dump_every: true,
        ..RunOptions::default()
    };
    let rtl = run_preloaded(Simulator::Verilator, &files[0], &cfg, &images, true, &opts).unwrap();
    let mut model = Machine::new(&cfg).unwrap();
    model.load_weights(&weights.concat()).unwrap();
    model.load_theta(&net.theta).unwrap();
    let after = rtl
        .weights_after
        .as_ref()
        .expect("weights after each image");
    let mut winners = 0;
    for (k, (px, r)) in images.iter().zip(&rtl.images).enumerate() {
        let m = model.run_image(px, true).unwrap();
        if let Some(d) = r.outcome.first_difference(&m) {
            panic!("baked normalized core, image {k}: {d} (rtl vs cycle model)");
        }
        winners += m.winner.is_some() as usize;
        let want: Vec<i32> = model.weights();
        assert_eq!(after[k].concat().len(), want.len());
        let n = cfg.neurons;
        let m_in = cfg.inputs();
        for j in 0..n {
            for i in 0..m_in {
                assert_eq!(after[k][j][i], want[j * m_in + i], "image {k}: w[{j}][{i}]");
            }
        }
        assert_eq!(r.theta, model.theta(), "theta after image {k}");
    }
    assert!(
        winners >= 2,
        "at least two training images learn, so an update was pending"
    );
}

//! `snn encode`: what the network sees of one image (SPEC sections 2-4): receptive-field
//! potentials, the spike train of every input and the variable threshold.

use crate::config::ConfigArgs;
use crate::data::{self, SplitArg};
use crate::model::ArithKind;
use crate::output::print_json;
use anyhow::{bail, Result};
use clap::Args;
use serde::Serialize;
use snn_core::prelude::*;
use snn_data::Split;

/// Encode one image into input spike trains and print potentials, spike times and threshold.
#[derive(Args, Debug)]
pub struct EncodeArgs {
    /// A PNG file (or any data path; see --index).
    #[arg(value_name = "IMAGE")]
    pub image: String,
    /// Which image of IMAGE to encode, when it holds several (an IDX file, a folder, builtin).
    #[arg(long, default_value_t = 0)]
    pub index: usize,
    /// Which split of an MNIST folder or builtin IMAGE names.
    #[arg(long, value_enum, default_value = "train")]
    pub split: SplitArg,
    /// Arithmetic of the threshold: float (peak / divisor) or fixed (raw register and its value).
    #[arg(long, value_enum, default_value = "float")]
    pub arith: ArithKind,
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Machine-readable output.
    #[arg(long)]
    pub json: bool,
}

#[derive(Serialize)]
struct EncodeReport {
    image: String,
    /// What IMAGE resolved to (the IDX file of the split, `builtin:test (...)`, the PNG).
    source: String,
    /// The split IMAGE was read from, `null` when it has none (a file, a PNG folder).
    split: Option<Split>,
    index: usize,
    height: usize,
    width: usize,
    arith: &'static str,
    /// Receptive-field potential of each input, `potentials[row][column]`.
    potentials: Vec<Vec<f64>>,
    /// Spike times of each input, row-major.
    spike_times: Vec<Vec<u32>>,
    total_spikes: u32,
    /// Most inputs spiking at one step.
    peak_count: u32,
    threshold: f64,
    /// The threshold register of the fixed-point model (`null` for float).
    threshold_raw: Option<i32>,
}

pub fn run(a: EncodeArgs) -> Result<()> {
    let (source, split) = data::resolve_one(&a.image, a.split.into())?;
    let ds = source.load(&a.image)?;
    let Some(img) = ds.images.get(a.index) else {
        bail!(
            "{}: has {} image(s), no image at --index {}",
            a.image,
            ds.len(),
            a.index
        );
    };
    let base = a.config.base(None)?;
    let neurons = base.cfg.neurons;
    let cfg = base.finish((img.height, img.width), neurons)?;
    let enc = encode(
        &cfg,
        &PeriodTable::new(&cfg),
        &img.pixels,
        img.height,
        img.width,
    );
    let (threshold, threshold_raw) = match a.arith {
        ArithKind::Float => (FloatArith::new(&cfg).threshold(enc.peak_count), None),
        ArithKind::Fixed => {
            let fx = FixedArith::new(&cfg)?;
            let raw = fx.threshold(enc.peak_count);
            (fx.potential_to_f64(raw), Some(raw))
        }
    };
    let m = img.height * img.width;
    let report = EncodeReport {
        image: a.image.clone(),
        source: ds.source.clone(),
        split,
        index: a.index,
        height: img.height,
        width: img.width,
        arith: a.arith.level(),
        potentials: (0..img.height)
            .map(|r| {
                (0..img.width)
                    .map(|c| enc.potential(r * img.width + c))
                    .collect()
            })
            .collect(),
        spike_times: (0..m).map(|i| enc.spike_times(i)).collect(),
        total_spikes: enc.total_spikes(),
        peak_count: enc.peak_count,
        threshold,
        threshold_raw,
    };
    if a.json {
        return print_json(&report);
    }
    let spiking = report.spike_times.iter().filter(|s| !s.is_empty()).count();
    let of_split = split.map_or(String::new(), |s| format!(" of the {s} split"));
    println!(
        "{} (image {}{of_split}): {}x{}, {} of {m} inputs spike, {} spikes in total",
        report.source, a.index, img.height, img.width, spiking, report.total_spikes
    );
    match threshold_raw {
        Some(raw) => println!(
            "threshold = {threshold} (raw {raw}) for a peak of {} simultaneous spikes",
            enc.peak_count
        ),
        None => println!(
            "threshold = {threshold} for a peak of {} simultaneous spikes",
            enc.peak_count
        ),
    }
    println!("(--json prints the potentials and every input's spike times)");
    Ok(())
}

//! FPGA measures of a point (`--synth TARGET`): Yosys utilization and, with `--place`, nextpnr's
//! Fmax, cached by the generated Verilog's hash.
//!
//! Synthesis takes minutes and training seconds, and many points share one design (the learning
//! constants that only reach the STDP tables, the seed, the data sizes...), so each (Verilog,
//! target) pair is synthesized once: concurrent points wait for the first, and the result is kept
//! in `DIR/synth/` so that a resumed sweep or a later shard in the same folder reuses it.

use crate::record::{Outcome, Synth};
use anyhow::{Context, Result};
use md5::{Digest, Md5};
use serde::{Deserialize, Serialize};
use snn_core::config::SnnConfig;
use snn_fpga::flow::{self, FlowOptions, Target};
use snn_fpga::wrapper::top::{generate_top, TOP};
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

/// The UART rate of the wrapper the boards are synthesized with (`snn fpga`'s default).
const BAUD: u32 = 115_200;

/// What one synthesis (and place and route) of one design for one target gave.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Result1 {
    luts: u64,
    ffs: u64,
    brams: f64,
    dsps: u64,
    fits: bool,
    fmax_mhz: Option<f64>,
}

type Slot = Arc<OnceLock<std::result::Result<Result1, String>>>;

pub struct SynthCache {
    targets: Vec<Target>,
    place: bool,
    freq_mhz: f64,
    dir: PathBuf,
    slots: Mutex<HashMap<String, Slot>>,
}

impl SynthCache {
    /// A cache in `dir` for `targets` (none: [`SynthCache::measure`] measures nothing).
    pub fn new(targets: Vec<Target>, place: bool, freq_mhz: f64, dir: PathBuf) -> Self {
        SynthCache {
            targets,
            place,
            freq_mhz,
            dir,
            slots: Mutex::new(HashMap::new()),
        }
    }

    /// The measures of `cfg`'s design for every target; `inference_cycles` (from the cycle model)
    /// turns Fmax into images per second.
    pub fn measure(
        &self,
        cfg: &SnnConfig,
        inference_cycles: Option<f64>,
    ) -> BTreeMap<String, Outcome<Synth>> {
        let mut out = BTreeMap::new();
        if self.targets.is_empty() {
            return out;
        }
        // Every target's board has a 12, 25 or 100 MHz clock; the wrapper's UART divisor depends
        // on it, so the Verilog is generated per target (identical for the two iCE40 boards).
        for &t in &self.targets {
            let r = generate_top(cfg, t.board_clock_hz(), BAUD, None)
                .context("generator")
                .and_then(|v| self.synthesize(t, &v));
            let o = match r {
                Ok((r, verilog)) => Outcome::Ok(Synth {
                    luts: r.luts,
                    ffs: r.ffs,
                    brams: r.brams,
                    dsps: r.dsps,
                    fits: r.fits,
                    fmax_mhz: r.fmax_mhz,
                    inference_images_per_s: r
                        .fmax_mhz
                        .zip(inference_cycles)
                        .map(|(f, c)| f * 1e6 / c),
                    verilog,
                }),
                Err(e) => Outcome::Failed {
                    error: format!("{e:#}"),
                },
            };
            out.insert(t.name().to_string(), o);
        }
        out
    }

    /// The (cached) result for `verilog` on `t`, with the Verilog's hash.
    fn synthesize(&self, t: Target, verilog: &str) -> Result<(Result1, String)> {
        let hash: String = Md5::digest(verilog.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let key = format!(
            "{hash}-{}-{}",
            t.name(),
            if self.place {
                format!("placed-{}", self.freq_mhz)
            } else {
                "synth".into()
            }
        );
        let slot = self
            .slots
            .lock()
            .expect("no panics while locked")
            .entry(key.clone())
            .or_default()
            .clone();
        let r = slot.get_or_init(|| {
            self.load_or_run(t, verilog, &hash, &key)
                .map_err(|e| format!("{e:#}"))
        });
        match r {
            Ok(r) => Ok((r.clone(), hash)),
            Err(e) => Err(anyhow::anyhow!("{e}")),
        }
    }

    fn load_or_run(&self, t: Target, verilog: &str, hash: &str, key: &str) -> Result<Result1> {
        let cached = self.dir.join(format!("{key}.json"));
        if let Ok(text) = std::fs::read_to_string(&cached) {
            if let Ok(r) = serde_json::from_str(&text) {
                return Ok(r);
            }
        }
        let build = self.dir.join(hash);
        std::fs::create_dir_all(&build)
            .with_context(|| format!("{}: cannot create", build.display()))?;
        let file = build.join(format!("{TOP}.v"));
        snn_core::atomic::write_atomic(&file, verilog.as_bytes())?;
        let mut opts = FlowOptions {
            place: false,
            freq_mhz: self.freq_mhz,
            out_dir: Some(build.join(t.name())),
            ..FlowOptions::default()
        };
        let report = flow::run(t, &file, TOP, &opts).context("yosys")?;
        let cap = report.capacity;
        let fits = report.luts <= cap.luts
            && report.ffs <= cap.ffs
            && report.brams <= cap.brams
            && report.dsps <= cap.dsps;
        // Place and route only what synthesis says fits: nextpnr refuses the rest anyway, and
        // the utilization above stays known.
        let fmax_mhz = if self.place && fits && t.places() {
            opts.place = true;
            opts.out_dir = Some(build.join(format!("{}-placed", t.name())));
            flow::run(t, &file, TOP, &opts)
                .context("place and route")?
                .fmax_mhz
        } else {
            None
        };
        let r = Result1 {
            luts: report.luts,
            ffs: report.ffs,
            brams: report.brams,
            dsps: report.dsps,
            fits,
            fmax_mhz,
        };
        snn_core::atomic::write_atomic(&cached, serde_json::to_string(&r)?.as_bytes())?;
        Ok(r)
    }
}

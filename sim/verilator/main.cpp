// Verilator harness for snn_core: the C++ twin of sim/tb_snn_core.v.
//
// Both harnesses read the same run directory and write byte-identical results files, so a
// results file can be diffed across simulators and parsed by one Rust reader (crates/snn-rtlsim).
// The file formats and knobs are documented in sim/README.md.
//
// Why C++ and not `verilator --binary` with the Verilog testbench: Verilator 5.006 `--binary`
// gave wrong results on rust-hdl output (docs in /work/shared/notes/rust-hdl.md, pitfall 11);
// `--cc --exe` with a C++ main was always right.
//
// Port widths are compile-time properties of the generated model (`CData`..`QData`, or
// `VlWide<W>` above 64 bits). The `put`/`get` overloads below accept all of them, so one harness
// serves every configuration; the run-time knobs N, WB, PB give the widths for formatting and
// sign extension, and are checked against the port types at start-up.
//
// A core with homeostasis has the ports theta_we, theta_wdata, theta_out; the build defines
// SNN_THETA=1 for it (scripts/sim-verilator.sh finds the ports in the Verilog). The harness then
// loads theta.mem through them before the first image (+load_theta=1) and prints every neuron's
// theta after every image.
#ifndef SNN_THETA
#define SNN_THETA 0
#endif

#include "Vdut.h"
#include "verilated.h"
#if VM_TRACE
#include "verilated_vcd_c.h"
#endif

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

namespace {

// A bit vector of any width as little-endian 32-bit limbs.
using Limbs = std::vector<uint32_t>;
// The neuron select's C type: 8 bits up to 255 neurons, wider above (snn_arch::widths::neuron_bits).
using NeuronIndex = std::remove_reference_t<decltype(std::declval<Vdut>().pot_sel)>;

[[noreturn]] void fail(const std::string& msg) {
    std::fprintf(stderr, "snn harness: %s\n", msg.c_str());
    std::exit(2);
}

// Scalar ports (CData, SData, IData, QData).
template <typename T>
void put(T& port, const Limbs& v) {
    uint64_t x = v.empty() ? 0 : v[0];
    if (v.size() > 1) x |= static_cast<uint64_t>(v[1]) << 32;
    port = static_cast<T>(x);
}
template <typename T>
Limbs get(const T& port, size_t words) {
    Limbs v(words, 0);
    uint64_t x = static_cast<uint64_t>(port);
    v[0] = static_cast<uint32_t>(x);
    if (words > 1) v[1] = static_cast<uint32_t>(x >> 32);
    return v;
}
template <typename T>
size_t port_bits(const T&) {
    return 8 * sizeof(T);
}

// Wide ports (more than 64 bits).
template <std::size_t W>
void put(VlWide<W>& port, const Limbs& v) {
    for (size_t i = 0; i < W; ++i) port[i] = i < v.size() ? v[i] : 0;
}
template <std::size_t W>
Limbs get(const VlWide<W>& port, size_t words) {
    Limbs v(words, 0);
    for (size_t i = 0; i < W && i < words; ++i) v[i] = port[i];
    return v;
}
template <std::size_t W>
size_t port_bits(const VlWide<W>&) {
    return 32 * W;
}

// Keeps only the low `bits` bits: Verilator expects clean inputs and its outputs are only
// defined up to the port width.
void mask_to(Limbs& v, size_t bits) {
    for (size_t i = 0; i < v.size(); ++i) {
        size_t lo = 32 * i;
        if (lo >= bits) {
            v[i] = 0;
        } else if (bits - lo < 32) {
            v[i] &= (1u << (bits - lo)) - 1;
        }
    }
}

// `bits` bits as lowercase hex, ceil(bits/4) digits with leading zeros: exactly what Verilog's
// `%h` prints for a reg of that width.
std::string hex(const Limbs& v, size_t bits) {
    size_t digits = (bits + 3) / 4;
    std::string s(digits, '0');
    for (size_t d = 0; d < digits; ++d) {
        size_t bit = 4 * d;
        uint32_t nib = (v[bit / 32] >> (bit % 32)) & 0xf;
        s[digits - 1 - d] = "0123456789abcdef"[nib];
    }
    return s;
}

// Parses one hex word of at most `bits` bits; fails (naming file and line) on anything else.
Limbs parse_hex(const std::string& s, size_t bits, const std::string& where) {
    size_t words = (bits + 31) / 32;
    Limbs v(words, 0);
    size_t pos = 0;
    for (size_t k = s.size(); k-- > 0;) {
        char c = s[k];
        int nib;
        if (c >= '0' && c <= '9') nib = c - '0';
        else if (c >= 'a' && c <= 'f') nib = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F') nib = c - 'A' + 10;
        else if (c == '_') continue;
        else fail(where + ": not a hex digit '" + std::string(1, c) + "' in \"" + s + "\"");
        for (int b = 0; b < 4; ++b, ++pos) {
            if ((nib >> b) & 1) {
                if (pos >= bits) fail(where + ": \"" + s + "\" does not fit " + std::to_string(bits) + " bits");
                v[pos / 32] |= 1u << (pos % 32);
            }
        }
    }
    return v;
}

// Reads a `$readmemh`-style file: one hex word per line; blank lines and `//` comments skipped.
std::vector<Limbs> read_hex_file(const std::string& path, size_t bits) {
    std::ifstream in(path);
    if (!in) fail(path + ": cannot open");
    std::vector<Limbs> words;
    std::string line;
    size_t lineno = 0;
    while (std::getline(in, line)) {
        ++lineno;
        size_t c = line.find("//");
        if (c != std::string::npos) line.erase(c);
        size_t b = line.find_first_not_of(" \t\r");
        if (b == std::string::npos) continue;
        size_t e = line.find_last_not_of(" \t\r");
        words.push_back(parse_hex(line.substr(b, e - b + 1), bits, path + ":" + std::to_string(lineno)));
    }
    return words;
}

int64_t sign_extend(uint64_t x, size_t bits) {
    x &= bits >= 64 ? ~0ull : (1ull << bits) - 1;
    if (bits < 64 && ((x >> (bits - 1)) & 1)) return static_cast<int64_t>(x) - (1ll << bits);
    return static_cast<int64_t>(x);
}

// `+key=value` arguments (the same plusargs the Icarus testbench takes).
struct Knobs {
    std::map<std::string, std::string> kv;
    explicit Knobs(int argc, char** argv) {
        for (int i = 1; i < argc; ++i) {
            std::string a = argv[i];
            if (a.size() < 2 || a[0] != '+') fail("unexpected argument " + a + " (knobs are +key=value)");
            size_t eq = a.find('=');
            if (eq == std::string::npos) fail("knob " + a + " has no value (use +key=value)");
            kv[a.substr(1, eq - 1)] = a.substr(eq + 1);
        }
    }
    std::string str(const std::string& k, const std::string& dflt) const {
        auto it = kv.find(k);
        return it == kv.end() ? dflt : it->second;
    }
    uint64_t num(const std::string& k, uint64_t dflt) const {
        auto it = kv.find(k);
        if (it == kv.end()) return dflt;
        char* end = nullptr;
        uint64_t v = std::strtoull(it->second.c_str(), &end, 10);
        if (it->second.empty() || *end) fail("knob +" + k + "=" + it->second + " is not a number");
        return v;
    }
    uint64_t need(const std::string& k) const {
        if (!kv.count(k)) fail("missing knob +" + k + "=...");
        return num(k, 0);
    }
};

class Harness {
  public:
    explicit Harness(const Knobs& k)
        : n_(k.need("N")),
          wb_(k.need("WB")),
          pb_(k.need("PB")),
          aw_(k.need("AW")),
          m_(k.need("M")),
          pixels_(k.need("PIXELS")),
          images_(k.need("IMAGES")),
          learn_(k.num("learn", 0) != 0),
          load_weights_(k.num("load_weights", 1) != 0),
          dump_every_(k.num("dump_every", 0) != 0),
          trace_on_(k.num("trace", 0) != 0),
          stall_(k.num("stall", 0)),
          max_cycles_(k.num("max_cycles", 50000000)),
          tb_(k.num("TB", 0)),
          load_theta_(k.num("load_theta", 0) != 0),
          p_(k.num("P", n_)),
          word_(p_ * wb_),
          words_((word_ + 31) / 32),
          ctx_(new VerilatedContext) {
        // Tracing must be switched on before the model is built.
        bool vcd = k.num("vcd", 0) != 0;
        if (vcd) ctx_->traceEverOn(true);
        dut_.reset(new Vdut{ctx_.get()});
        check_widths();
        weights_path_ = k.str("weights", "weights.mem");
        theta_path_ = k.str("theta", "theta.mem");
        images_path_ = k.str("images", "images.mem");
        out_ = std::fopen(k.str("results", "results.txt").c_str(), "w");
        if (!out_) fail("cannot write the results file");
        if (trace_on_) {
            trace_ = std::fopen(k.str("trace_file", "trace.txt").c_str(), "w");
            if (!trace_) fail("cannot write the trace file");
        }
        if (vcd) {
#if VM_TRACE
            vcd_.reset(new VerilatedVcdC);
            dut_->trace(vcd_.get(), 99);
            vcd_->open(k.str("vcd_file", "dump.vcd").c_str());
#else
            fail("+vcd=1 needs a model built with tracing (sim/verilator/Makefile VCD=1)");
#endif
        }
    }

    ~Harness() {
        if (out_) std::fclose(out_);
        if (trace_) std::fclose(trace_);
#if VM_TRACE
        if (vcd_) vcd_->close();
#endif
        dut_->final();
    }

    // False when the core misbehaved (an `error` line names the image and what went wrong).
    bool run() {
        // A core generated with initial weights holds them from the start; the weights file is
        // then neither needed nor read.
        std::vector<Limbs> weights;
        if (load_weights_) {
            weights = read_hex_file(weights_path_, word_);
            if (weights.size() != m_)
                fail(weights_path_ + ": " + std::to_string(weights.size()) + " words, expected M = " + std::to_string(m_));
        }
        std::vector<Limbs> pixels = read_hex_file(images_path_, 8);
        if (pixels.size() != images_ * pixels_)
            fail(images_path_ + ": " + std::to_string(pixels.size()) + " pixels, expected " +
                 std::to_string(images_) + " images x " + std::to_string(pixels_));

        std::vector<Limbs> theta;
        if (load_theta_) {
            theta = read_hex_file(theta_path_, tb_);
            if (theta.size() != n_)
                fail(theta_path_ + ": " + std::to_string(theta.size()) + " values, expected N = " + std::to_string(n_));
        }

        idle_inputs();
        settle();
        if (load_weights_) load_weights(weights);
        if (load_theta_) load_theta(theta);
        for (uint64_t img = 0; img < images_; ++img) {
            if (!present(img, pixels)) return false;
            if (dump_every_) {
                std::fprintf(out_, "weights after=%llu\n", ull(img));
                dump_weights();
            }
        }
        std::fprintf(out_, "weights final\n");
        dump_weights();
        std::fprintf(out_, "end images=%llu sim_cycles=%llu\n", ull(images_), ull(sim_cycles_));
        return true;
    }

  private:
    static unsigned long long ull(uint64_t v) { return static_cast<unsigned long long>(v); }

    // The run-time widths must match the ports the model was generated with.
    void check_widths() {
        struct Port {
            const char* name;
            size_t storage, bits;
        } ports[] = {
            {"host_wdata", port_bits(dut_->host_wdata), word_},
            {"host_rdata", port_bits(dut_->host_rdata), word_},
            {"host_addr", port_bits(dut_->host_addr), aw_},
            {"pot_out", port_bits(dut_->pot_out), pb_},
            {"threshold", port_bits(dut_->threshold), pb_},
            {"spike_mask", port_bits(dut_->spike_mask), n_},
        };
        for (const Port& p : ports) {
            size_t lo = p.storage <= 8 ? 1 : p.storage <= 16 ? 9 : p.storage <= 32 ? 17 : p.storage <= 64 ? 33 : p.storage - 31;
            if (p.bits < lo || p.bits > p.storage)
                fail(std::string("port ") + p.name + " is stored in " + std::to_string(p.storage) +
                     " bits, which cannot hold the configured width " + std::to_string(p.bits) +
                     " (N, WB, PB, AW knobs disagree with the Verilog)");
        }
        if (aw_ > 32 || pb_ > 64) fail("AW must be <= 32 and PB <= 64");
#if SNN_THETA
        if (tb_ < 1 || tb_ > 31 || port_bits(dut_->theta_out) < tb_)
            fail("+TB must give the theta ports' width (1..31)");
#else
        if (tb_ != 0 || load_theta_) fail("+TB/+load_theta given, but this core has no theta ports");
#endif
        if ((1ull << aw_) < m_) fail("AW is too small to address M inputs");
    }

    void idle_inputs() {
        dut_->start = 0;
        dut_->learn = 0;
        dut_->pix_data = 0;
        dut_->pix_valid = 0;
        dut_->host_we = 0;
        dut_->host_addr = 0;
        put(dut_->host_wdata, Limbs(words_, 0));
        dut_->pot_sel = 0;
#if SNN_THETA
        dut_->theta_we = 0;
        dut_->theta_wdata = 0;
#endif
    }

    // Settles the combinational logic with the inputs of this cycle, so outputs can be sampled.
    // Time advances as in the Verilog testbench (settle 1 ns; rise 4 ns later, fall 5 ns after
    // that), so VCDs of both simulators line up.
    void settle() {
        time_ += 1;
        dut_->eval();
        dump();
    }

    // One rising and one falling edge; the inputs must have been set and settled.
    // The falling edge is evaluated only for the VCD: the core uses rising edges alone, and the
    // next settle() evaluates the lowered clock together with the next inputs (a third of the
    // evaluations saved).
    void tick() {
        time_ += 4;
        dut_->clock = 1;
        dut_->eval();
        dump();
        time_ += 5;
        dut_->clock = 0;
#if VM_TRACE
        if (vcd_) {
            dut_->eval();
            dump();
        }
#endif
        ++sim_cycles_;
    }

    void dump() {
#if VM_TRACE
        if (vcd_) vcd_->dump(time_);
#endif
    }

    void load_weights(const std::vector<Limbs>& weights) {
        for (uint64_t a = 0; a < m_; ++a) {
            dut_->host_we = 1;
            dut_->host_addr = static_cast<uint32_t>(a);
            put(dut_->host_wdata, weights[a]);
            settle();
            tick();
        }
        idle_inputs();
        settle();
    }

    // theta[j] through the host port, one neuron per cycle (Idle).
    void load_theta(const std::vector<Limbs>& theta) {
#if SNN_THETA
        for (uint64_t j = 0; j < n_; ++j) {
            dut_->theta_we = 1;
            dut_->pot_sel = static_cast<NeuronIndex>(j);
            put(dut_->theta_wdata, theta[j]);
            settle();
            tick();
        }
        idle_inputs();
        settle();
#else
        (void)theta;
#endif
    }

    // host_rdata is the word at the previous cycle's host_addr: M + 1 cycles read M words.
    void dump_weights() {
        for (uint64_t a = 0; a <= m_; ++a) {
            dut_->host_addr = static_cast<uint32_t>(a < m_ ? a : 0);
            settle();
            if (a > 0) {
                Limbs w = get(dut_->host_rdata, words_);
                mask_to(w, word_);
                std::fprintf(out_, "%s\n", hex(w, word_).c_str());
            }
            tick();
        }
        idle_inputs();
        settle();
    }

    // One image; false (after writing an `error` line) when the core misbehaved.
    bool present(uint64_t img, const std::vector<Limbs>& pixels) {
        std::fprintf(out_, "image %llu learn=%d\n", ull(img), learn_ ? 1 : 0);
        settle();
        if (dut_->busy) return error(img, "busy before start");
        dut_->start = 1;
        dut_->learn = learn_;
        settle();
        tick();
        dut_->start = 0;
        dut_->learn = 0;

        uint64_t taken = 0, busy = 0, cycle = 0;
        bool done = false;
        while (!done) {
            if (cycle >= max_cycles_) return error(img, "no done within max_cycles=" + std::to_string(max_cycles_));
            // The stall knob drops pix_valid on every stall-th cycle to exercise the scan's wait.
            bool valid = stall_ == 0 || cycle % stall_ != stall_ - 1;
            dut_->pix_valid = valid;
            dut_->pix_data = taken < pixels_ ? pixels[img * pixels_ + taken][0] : 0;
            settle();
            if (trace_)
                std::fprintf(trace_, "%llu %llu %u %u\n", ull(img), ull(cycle), unsigned(dut_->state), unsigned(dut_->t));
            if (dut_->busy) ++busy;
            if (dut_->spike_valid) {
                Limbs mask = get(dut_->spike_mask, (n_ + 31) / 32);
                mask_to(mask, n_);
                std::fprintf(out_, "spike t=%u mask=%s\n", unsigned(dut_->spike_t), hex(mask, n_).c_str());
            }
            if (dut_->pix_ready && valid) {
                if (taken == pixels_) return error(img, "pix_ready after all " + std::to_string(pixels_) + " pixels were taken");
                ++taken;
            }
            done = dut_->done;
            tick();
            ++cycle;
        }
        dut_->pix_valid = 0;
        dut_->pix_data = 0;
        settle();
        if (taken != pixels_)
            return error(img, "done after " + std::to_string(taken) + " of " + std::to_string(pixels_) + " pixels");
        std::fprintf(out_,
                     "result winner_valid=%u winner=%u inhibit_step=%u cycles=%llu threshold=%lld peak=%u "
                     "busy=%llu\n",
                     unsigned(dut_->winner_valid), unsigned(dut_->winner), unsigned(dut_->inhibit_step),
                     ull(dut_->cycles), static_cast<long long>(sign_extend(dut_->threshold, pb_)),
                     unsigned(dut_->peak), ull(busy));
        for (uint64_t j = 0; j < n_; ++j) {
            dut_->pot_sel = static_cast<NeuronIndex>(j);
            settle();
            // With lane groups the potential comes from the state memory, a clock later.
            if (p_ < n_) {
                tick();
                settle();
            }
            std::fprintf(out_, "pot %llu %lld\n", ull(j), static_cast<long long>(sign_extend(dut_->pot_out, pb_)));
#if SNN_THETA
            std::fprintf(out_, "theta %llu %llu\n", ull(j), ull(dut_->theta_out));
#endif
        }
        dut_->pot_sel = 0;
        settle();
        return true;
    }

    bool error(uint64_t img, const std::string& what) {
        std::fprintf(out_, "error image=%llu cycle_total=%llu state=%u t=%u: %s\n", ull(img), ull(sim_cycles_),
                     unsigned(dut_->state), unsigned(dut_->t), what.c_str());
        return false;
    }

    const uint64_t n_, wb_, pb_, aw_, m_, pixels_, images_;
    const bool learn_, load_weights_, dump_every_, trace_on_;
    const uint64_t stall_, max_cycles_, tb_;
    const bool load_theta_;
    // Lanes per weight word (N without lane groups).
    const uint64_t p_;
    const size_t word_, words_;
    std::string weights_path_, images_path_, theta_path_;
    std::FILE* out_ = nullptr;
    std::FILE* trace_ = nullptr;
    uint64_t sim_cycles_ = 0;
    uint64_t time_ = 0;
    std::unique_ptr<VerilatedContext> ctx_;
    std::unique_ptr<Vdut> dut_;
#if VM_TRACE
    std::unique_ptr<VerilatedVcdC> vcd_;
#endif
};

}  // namespace

int main(int argc, char** argv) {
    Knobs knobs(argc, argv);
    auto t0 = std::chrono::steady_clock::now();
    bool ok;
    {
        Harness h(knobs);
        ok = h.run();
    }
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::fprintf(stderr, "snn harness: %.3f s\n", secs);
    return ok ? 0 : 1;
}

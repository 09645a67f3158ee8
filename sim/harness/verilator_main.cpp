// Verilator C++ harness for a clocked design: one stimulus line per clock cycle in, one output
// line per cycle out. Used by snn_hdl::verilog::Cosim (build with `verilator --cc --exe`; the
// notes explain why not `--binary`).
//
//   cosim_verilator STIMULUS OUTPUT [TRACE.vcd]
//
// STIMULUS: one line per cycle, the input values in hex separated by spaces, in the order of
// HARNESS_INPUTS. For each line the harness applies the inputs with the clock low, raises the
// clock, writes the outputs (HARNESS_OUTPUTS order, zero-padded hex) as one line of OUTPUT, and
// lowers the clock. The design-specific part comes from "harness_ports.h", generated beside
// this file:
//   #include "Vtop.h"
//   #define HARNESS_MODEL Vtop
//   #define HARNESS_CLOCK clock
//   #define HARNESS_INPUTS(X) X(waddr, 10) X(wdata, 100)
//   #define HARNESS_OUTPUTS(X) X(rdata, 100)
#include <verilated.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "harness_ports.h"

#if VM_TRACE
#include <verilated_vcd_c.h>
#endif

namespace {

// Value of one hex digit, or -1.
int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Parses `hex` into a port of at most 64 bits (CData, SData, IData, QData).
template <typename T>
bool set_port(T& port, const std::string& hex, int width) {
    if (hex.empty() || hex.size() > 16) return false;
    std::uint64_t value = 0;
    for (char c : hex) {
        int digit = hex_value(c);
        if (digit < 0) return false;
        value = (value << 4) | static_cast<std::uint64_t>(digit);
    }
    if (width < 64 && (value >> width) != 0) return false;
    port = static_cast<T>(value);
    return true;
}

// Parses `hex` into a wide port (VlWide: 32-bit words, least significant first).
template <std::size_t N>
bool set_port(VlWide<N>& port, const std::string& hex, int width) {
    for (std::size_t w = 0; w < N; ++w) port[w] = 0;
    int bit = 0;
    for (auto it = hex.rbegin(); it != hex.rend(); ++it, bit += 4) {
        int value = hex_value(*it);
        if (value < 0) return false;
        std::uint32_t digit = static_cast<std::uint32_t>(value);
        if (digit == 0) continue;
        if (bit >= width || (bit + 4 > width && (digit >> (width - bit)) != 0)) return false;
        port[bit / 32] |= digit << (bit % 32);
    }
    return true;
}

std::string hex_digits(const std::uint32_t* words, int width) {
    static const char kHex[] = "0123456789abcdef";
    std::string s;
    for (int d = (width + 3) / 4 - 1; d >= 0; --d) {
        int bit = 4 * d;
        s.push_back(kHex[(words[bit / 32] >> (bit % 32)) & 0xf]);
    }
    return s;
}

template <typename T>
std::string get_port(const T& port, int width) {
    std::uint64_t v = static_cast<std::uint64_t>(port);
    std::uint32_t words[2] = {static_cast<std::uint32_t>(v), static_cast<std::uint32_t>(v >> 32)};
    return hex_digits(words, width);
}

template <std::size_t N>
std::string get_port(const VlWide<N>& port, int width) {
    std::uint32_t words[N];
    for (std::size_t w = 0; w < N; ++w) words[w] = port[w];
    return hex_digits(words, width);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: %s STIMULUS OUTPUT [TRACE.vcd]\n", argv[0]);
        return 2;
    }
    auto context = std::make_unique<VerilatedContext>();
    auto top = std::make_unique<HARNESS_MODEL>(context.get());
    std::ifstream in(argv[1]);
    std::FILE* out = std::fopen(argv[2], "w");
    if (!in || out == nullptr) {
        std::fprintf(stderr, "cannot open %s or %s\n", argv[1], argv[2]);
        return 2;
    }
#if VM_TRACE
    std::unique_ptr<VerilatedVcdC> trace;
    if (argc > 3) {
        context->traceEverOn(true);
        trace = std::make_unique<VerilatedVcdC>();
        top->trace(trace.get(), 99);
        trace->open(argv[3]);
    }
    auto dump = [&]() {
        if (trace) trace->dump(context->time());
    };
#else
    auto dump = []() {};
#endif
    auto step = [&]() {
        top->eval();
        dump();
        context->timeInc(1);
    };

    top->HARNESS_CLOCK = 0;
    step();
    std::string line;
    long cycle = 0;
    while (std::getline(in, line)) {
        std::istringstream fields(line);
        std::string field;
#define HARNESS_SET(name, width)                                                       \
    if (!(fields >> field) || !set_port(top->name, field, width)) {                   \
        std::fprintf(stderr, "cycle %ld: bad or missing value for %s\n", cycle, #name); \
        return 1;                                                                      \
    }
        HARNESS_INPUTS(HARNESS_SET)
        step();
        top->HARNESS_CLOCK = 1;
        step();
        std::string row;
#define HARNESS_GET(name, width) row += (row.empty() ? "" : " ") + get_port(top->name, width);
        HARNESS_OUTPUTS(HARNESS_GET)
        std::fprintf(out, "%s\n", row.c_str());
        top->HARNESS_CLOCK = 0;
        step();
        ++cycle;
    }
    top->final();
    std::fclose(out);
#if VM_TRACE
    if (trace) trace->close();
#endif
    return 0;
}

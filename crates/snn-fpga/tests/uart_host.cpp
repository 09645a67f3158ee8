// Plays the host on the serial line of snn_fpga_top (Verilator model "Vdut"), cycle by cycle.
//
//   Vdut DIV IN SEGMENTS OUT MAX_CYCLES
//
// IN: the bytes to send, one hex byte per line. SEGMENTS: lines "count wait": send the next
// `count` bytes of IN, then wait until `wait` answer bytes have arrived in total (the protocol
// is request / response; a request sent while the FPGA answers would be lost). OUT: one line
// per received byte (hex), or "framing" for a bad stop bit, and "timeout" if MAX_CYCLES pass.
// DIV is the clock cycles per bit. Inputs change while the clock is low, away from the edge.
#include "Vdut.h"
#include <cstdio>
#include <cstdlib>
#include <vector>

int main(int argc, char** argv) {
  if (argc != 6) {
    fprintf(stderr, "usage: %s DIV IN SEGMENTS OUT MAX_CYCLES\n", argv[0]);
    return 2;
  }
  const long div = atol(argv[1]);
  const long max_cycles = atol(argv[5]);
  std::vector<int> in;
  std::vector<std::pair<long, long>> segs;
  FILE* f = fopen(argv[2], "r");
  unsigned b;
  while (f && fscanf(f, "%x", &b) == 1) in.push_back((int)b);
  if (f) fclose(f);
  f = fopen(argv[3], "r");
  long c, w;
  while (f && fscanf(f, "%ld %ld", &c, &w) == 2) segs.push_back({c, w});
  if (f) fclose(f);
  FILE* out = fopen(argv[4], "w");
  if (!out || in.empty() || segs.empty()) {
    fprintf(stderr, "cannot read the inputs or open the output\n");
    return 2;
  }

  Vdut* d = new Vdut;
  d->uart_rx = 1;
  d->clock = 0;
  d->eval();
  size_t seg = 0, pos = 0;  // current segment; next byte of IN to send
  long sent_in_seg = 0;
  long tx_t = -1;           // cycles into the byte being sent, -1: none
  long received = 0;
  long rx_t = -1;           // cycles since the start bit's falling edge, -1: idle
  int rx_byte = 0, prev_tx = 1;
  long cycle = 0;
  for (; cycle < max_cycles && seg < segs.size(); cycle++) {
    // Host -> FPGA.
    if (tx_t < 0 && sent_in_seg < segs[seg].first) tx_t = 0;
    if (tx_t >= 0) {
      long bit = tx_t / div;
      d->uart_rx = bit == 0 ? 0 : bit <= 8 ? (in[pos] >> (bit - 1)) & 1 : 1;
      if (++tx_t == 10 * div) {
        tx_t = -1;
        pos++;
        sent_in_seg++;
      }
    }
    d->clock = 1;
    d->eval();
    d->clock = 0;
    d->eval();
    // FPGA -> host: sample in the middle of each bit.
    int tx = d->uart_tx;
    if (rx_t < 0) {
      if (prev_tx == 1 && tx == 0) rx_t = 0;
    } else {
      rx_t++;
      long k = rx_t - div / 2;
      if (k > 0 && k % div == 0) {
        long bit = k / div;
        if (bit <= 8) {
          rx_byte |= tx << (bit - 1);
        } else {
          if (tx != 1) fprintf(out, "framing\n");
          fprintf(out, "%02x\n", rx_byte);
          received++;
          rx_byte = 0;
          rx_t = -1;
        }
      }
    }
    prev_tx = tx;
    if (tx_t < 0 && sent_in_seg == segs[seg].first && received >= segs[seg].second) {
      seg++;
      sent_in_seg = 0;
    }
  }
  if (seg < segs.size()) fprintf(out, "timeout\n");
  fclose(out);
  d->final();
  delete d;
  printf("%ld cycles\n", cycle);
  return 0;
}

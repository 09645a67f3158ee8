// Icarus testbench for snn_core: the Verilog twin of sim/verilator/main.cpp.
//
// Both harnesses read the same run directory and write byte-identical results files (same
// lines, same number formats), so the two simulators can be diffed and one Rust reader
// (crates/snn-rtlsim) parses both. Formats and knobs: sim/README.md.
//
// Port widths are parameters (set with iverilog -P by scripts/sim-icarus.sh from the run's
// plusargs); the run-time knobs arrive as plusargs and the width knobs are checked against the
// parameters. The clock is driven procedurally (settle 1 ns, rise at +5, fall at +10) instead of
// free-running, so potentials can be read through the combinational pot_out without a clock edge,
// exactly as the C++ harness does.
//
// A core with homeostasis (ports theta_we, theta_wdata, theta_out) is compiled with
// -DSNN_THETA and -P tb_snn_core.TB=...: theta.mem is then loaded through those ports before
// the first image (+load_theta=1) and every neuron's theta is printed after every image.
//
// Compile: iverilog -g2005 -s tb_snn_core -P tb_snn_core.N=10 ... [-DDUT=top] tb_snn_core.v core.v
`timescale 1ns / 1ns
`ifndef DUT
`define DUT snn_core
`endif

module tb_snn_core;
  parameter N = 10;
  parameter WB = 10;
  parameter PB = 20;
  parameter AW = 10;
  parameter M = 784;
  parameter TB = 16;
  // Neuron index bits (pot_sel, winner): 8 up to 255 neurons, wider above.
  parameter NB = 8;
  // Lanes per weight word (N without lane groups); M is then the number of weight words (G * the
  // inputs) and AW the host address width.
  parameter P = N;
  localparam WORD = P * WB;

  // ---- DUT ports
  reg clock = 0;
  reg start = 0;
  reg learn = 0;
  reg [7:0] pix_data = 0;
  reg pix_valid = 0;
  reg host_we = 0;
  reg [AW-1:0] host_addr = 0;
  reg [WORD-1:0] host_wdata = 0;
  reg [NB-1:0] pot_sel = 0;
  wire pix_ready, busy, done, winner_valid, spike_valid;
  wire [WORD-1:0] host_rdata;
  wire [PB-1:0] pot_out, threshold;
  wire [NB-1:0] winner;
  wire [15:0] inhibit_step, peak, spike_t, t;
  wire [31:0] cycles;
  wire [N-1:0] spike_mask;
  wire [4:0] state;  // snn_arch::codes::STATE_BITS
  // Signed views, so %0d prints negative potentials as the C++ harness does.
  wire signed [PB-1:0] pot_s = pot_out;
  wire signed [PB-1:0] thr_s = threshold;
`ifdef SNN_THETA
  reg theta_we = 0;
  reg [TB-1:0] theta_wdata = 0;
  wire [TB-1:0] theta_out;
`endif

  `DUT dut (
    .clock(clock), .start(start), .learn(learn),
    .pix_data(pix_data), .pix_valid(pix_valid), .pix_ready(pix_ready),
    .host_we(host_we), .host_addr(host_addr), .host_wdata(host_wdata), .host_rdata(host_rdata),
    .pot_sel(pot_sel), .pot_out(pot_out),
`ifdef SNN_THETA
    .theta_we(theta_we), .theta_wdata(theta_wdata), .theta_out(theta_out),
`endif
    .busy(busy), .done(done), .winner(winner), .winner_valid(winner_valid),
    .inhibit_step(inhibit_step), .cycles(cycles), .threshold(threshold), .peak(peak),
    .spike_valid(spike_valid), .spike_mask(spike_mask), .spike_t(spike_t),
    .state(state), .t(t)
  );

  // ---- knobs
  reg [63:0] k_n, k_wb, k_pb, k_aw, k_m, pixels, images, learn_knob, dump_every, trace_on, stall;
  reg [63:0] max_cycles, vcd_on, load_on, k_tb, theta_on;
  reg [8*1024-1:0] theta_file, weights_file, images_file, results_file, trace_file, vcd_file;

  // ---- run state
  reg [WORD-1:0] wmem [0:M-1];
  reg [TB-1:0] tmem [0:N-1];
  integer out, trace_fd, img_fd, rc;
  reg failed = 0;
  reg [63:0] sim_cycles = 0;
  reg [63:0] img;

  task settle;
    #1;
  endtask

  // One rising and one falling edge after the inputs have settled.
  task tick;
    begin
      #4 clock = 1;
      #5 clock = 0;
      sim_cycles = sim_cycles + 1;
    end
  endtask

  task idle_inputs;
    begin
      start = 0;
      learn = 0;
      pix_data = 0;
      pix_valid = 0;
      host_we = 0;
      host_addr = 0;
      host_wdata = 0;
      pot_sel = 0;
`ifdef SNN_THETA
      theta_we = 0;
      theta_wdata = 0;
`endif
    end
  endtask

  task report_error(input [63:0] image, input [8*96-1:0] what);
    begin
      $fdisplay(out, "error image=%0d cycle_total=%0d state=%0d t=%0d: %0s", image, sim_cycles, state, t, what);
      failed = 1;
    end
  endtask

  task load_weights;
    reg [63:0] a;
    begin
      for (a = 0; a < M; a = a + 1) begin
        host_we = 1;
        host_addr = a;
        host_wdata = wmem[a];
        settle;
        tick;
      end
      idle_inputs;
      settle;
    end
  endtask

  // theta[j] through the host port, one neuron per cycle (Idle).
  task load_theta;
    reg [63:0] j;
    begin
`ifdef SNN_THETA
      for (j = 0; j < N; j = j + 1) begin
        theta_we = 1;
        pot_sel = j;
        theta_wdata = tmem[j];
        settle;
        tick;
      end
      idle_inputs;
      settle;
`endif
    end
  endtask

  // host_rdata is the word at the previous cycle's host_addr: M + 1 cycles read M words.
  task dump_weights;
    reg [63:0] a;
    begin
      for (a = 0; a <= M; a = a + 1) begin
        host_addr = (a < M) ? a : 0;
        settle;
        if (a > 0) $fdisplay(out, "%h", host_rdata);
        tick;
      end
      idle_inputs;
      settle;
    end
  endtask

  // The pixel the host offers next; read from the images file once per taken pixel.
  reg [7:0] next_pix;
  task read_pixel(input [63:0] image);
    begin
      rc = $fscanf(img_fd, "%h", next_pix);
      if (rc != 1) report_error(image, "images file ended early or holds a non-hex pixel");
    end
  endtask

  task present(input [63:0] image);
    reg [63:0] taken, busy_n, cyc, j;
    reg valid, is_done;
    begin
      $fdisplay(out, "image %0d learn=%0d", image, learn_knob != 0);
      settle;
      if (busy) report_error(image, "busy before start");
      if (!failed) begin
        start = 1;
        learn = learn_knob != 0;
        settle;
        tick;
        start = 0;
        learn = 0;
        taken = 0;
        busy_n = 0;
        cyc = 0;
        is_done = 0;
        if (pixels > 0) read_pixel(image);
        while (!is_done && !failed) begin
          if (cyc >= max_cycles) begin
            report_error(image, "no done within max_cycles");
          end else begin
            // The stall knob drops pix_valid on every stall-th cycle to exercise the scan's wait.
            valid = (stall == 0) || (cyc % stall != stall - 1);
            pix_valid = valid;
            pix_data = (taken < pixels) ? next_pix : 8'd0;
            settle;
            if (trace_on != 0) $fdisplay(trace_fd, "%0d %0d %0d %0d", image, cyc, state, t);
            if (busy) busy_n = busy_n + 1;
            if (spike_valid) $fdisplay(out, "spike t=%0d mask=%h", spike_t, spike_mask);
            if (pix_ready && valid) begin
              if (taken == pixels) report_error(image, "pix_ready after all pixels were taken");
              else begin
                taken = taken + 1;
                if (taken < pixels) read_pixel(image);
              end
            end
            is_done = done;
            tick;
            cyc = cyc + 1;
          end
        end
      end
      if (!failed) begin
        pix_valid = 0;
        pix_data = 0;
        settle;
        if (taken != pixels) report_error(image, "done before all pixels were taken");
      end
      if (!failed) begin
        $fdisplay(out, "result winner_valid=%0d winner=%0d inhibit_step=%0d cycles=%0d threshold=%0d peak=%0d busy=%0d",
                  winner_valid, winner, inhibit_step, cycles, thr_s, peak, busy_n);
        for (j = 0; j < N; j = j + 1) begin
          pot_sel = j;
          settle;
          // With lane groups the potential comes from the state memory, a clock later.
          if (P < N) begin
            tick;
            settle;
          end
          $fdisplay(out, "pot %0d %0d", j, pot_s);
`ifdef SNN_THETA
          $fdisplay(out, "theta %0d %0d", j, theta_out);
`endif
        end
        pot_sel = 0;
        settle;
      end
    end
  endtask

  task knob_num(input [8*16-1:0] fmt, output [63:0] v, input [63:0] dflt);
    if (!$value$plusargs(fmt, v)) v = dflt;
  endtask

  task knob_str(input [8*16-1:0] fmt, output [8*1024-1:0] v, input [8*1024-1:0] dflt);
    if (!$value$plusargs(fmt, v)) v = dflt;
  endtask

  initial begin : main
    knob_num("N=%d", k_n, N);
    knob_num("WB=%d", k_wb, WB);
    knob_num("PB=%d", k_pb, PB);
    knob_num("AW=%d", k_aw, AW);
    knob_num("M=%d", k_m, M);
    knob_num("PIXELS=%d", pixels, M);
    knob_num("IMAGES=%d", images, 0);
    knob_num("learn=%d", learn_knob, 0);
    knob_num("load_weights=%d", load_on, 1);
    knob_num("dump_every=%d", dump_every, 0);
    knob_num("trace=%d", trace_on, 0);
    knob_num("stall=%d", stall, 0);
    knob_num("max_cycles=%d", max_cycles, 50000000);
    knob_num("vcd=%d", vcd_on, 0);
    knob_num("TB=%d", k_tb, 0);
    knob_num("load_theta=%d", theta_on, 0);
    knob_str("theta=%s", theta_file, "theta.mem");
    knob_str("weights=%s", weights_file, "weights.mem");
    knob_str("images=%s", images_file, "images.mem");
    knob_str("results=%s", results_file, "results.txt");
    knob_str("trace_file=%s", trace_file, "trace.txt");
    knob_str("vcd_file=%s", vcd_file, "dump.vcd");

    out = $fopen(results_file, "w");
    if (out == 0) begin
      $display("snn testbench: cannot write %0s", results_file);
      $finish;
    end
    if (k_n != N || k_wb != WB || k_pb != PB || k_aw != AW || k_m != M) begin
      $fdisplay(out, "error image=0 cycle_total=0 state=0 t=0: knobs N=%0d WB=%0d PB=%0d AW=%0d M=%0d disagree with the compiled parameters N=%0d WB=%0d PB=%0d AW=%0d M=%0d",
                k_n, k_wb, k_pb, k_aw, k_m, N, WB, PB, AW, M);
      failed = 1;
    end
`ifdef SNN_THETA
    if (!failed && k_tb != TB) begin
      $fdisplay(out, "error image=0 cycle_total=0 state=0 t=0: knob TB=%0d disagrees with the compiled TB=%0d", k_tb, TB);
      failed = 1;
    end
`else
    if (!failed && (k_tb != 0 || theta_on != 0)) begin
      $fdisplay(out, "error image=0 cycle_total=0 state=0 t=0: +TB/+load_theta given, but this core has no theta ports");
      failed = 1;
    end
`endif
    if (trace_on != 0) trace_fd = $fopen(trace_file, "w");
    if (vcd_on != 0) begin
      $dumpfile(vcd_file);
      $dumpvars(0, tb_snn_core);
    end

    // A core generated with initial weights holds them from the start; the weights file is then
    // neither needed nor read.
    if (!failed && load_on != 0) begin
      $readmemh(weights_file, wmem);
      // A short file leaves the last words unknown; the C++ harness rejects it the same way.
      if (^wmem[M-1] === 1'bx) report_error(0, "weights file is missing words or holds non-hex digits");
    end
    if (!failed && theta_on != 0) begin
      $readmemh(theta_file, tmem);
      if (^tmem[N-1] === 1'bx) report_error(0, "theta file is missing values or holds non-hex digits");
    end
    if (!failed) begin
      img_fd = $fopen(images_file, "r");
      if (img_fd == 0) report_error(0, "cannot open the images file");
    end
    if (!failed) begin
      idle_inputs;
      settle;
      if (load_on != 0) load_weights;
      if (theta_on != 0) load_theta;
      for (img = 0; img < images && !failed; img = img + 1) begin
        present(img);
        if (!failed && dump_every != 0) begin
          $fdisplay(out, "weights after=%0d", img);
          dump_weights;
        end
      end
    end
    if (!failed) begin
      $fdisplay(out, "weights final");
      dump_weights;
      $fdisplay(out, "end images=%0d sim_cycles=%0d", images, sim_cycles);
    end
    $fclose(out);
    if (trace_on != 0) $fclose(trace_fd);
    $finish;
  end
endmodule

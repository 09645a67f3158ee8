#!/usr/bin/env python3
"""Independent reference of the seed's multi-layer experiment (SPEC sections 2-6 and 12).

Written from ../shared/SPEC.md alone, in plain Python floats, sharing no code with the Rust
models: it decodes the PNGs itself, computes the receptive field, the rate code, the variable
threshold, the presentation (integrate, WTA, fire, STDP in the SPEC's per-input order) and the
penalty, layer by layer, the inputs of layer l being the output spike trains of layer l-1.

    scripts/reference/multilayer.py [--leak D] IMAGE.png... > trace.json

prints, for each image, its pixels, each layer's winner and spike counts, the last layer's weights and
checksums of every layer's rows (sum and sum of (i+1) * w), which
crates/snn-core/tests/layers.rs compares with the golden float model (seed preset, layers =
[16, 8], the seed's depression rule `abs_w_min`; `--leak 0` as well, where the sparse trains
of layer 1 make layer 2 fire and learn). Initial weights come from `initial()` below,
which the test reproduces, since the models' seeded generator is not the point here.
"""
import json
import math
import struct
import sys
import zlib

# SPEC section 1, the seed's constants.
T, P_REST, P_MIN, LEAK, T_REF = 200, 0.0, -500.0, 0.15, 30
W_MIN, W_MAX = -1.2, 1.5
SIGMA, A_PLUS, TAU_PLUS, A_MINUS, TAU_MINUS = 0.1, 0.8, 8.0, 0.3, 5.0
WINDOW = (2, 20)
PENALTY, DIVISOR = 0.06, 3
POT_RANGE, RATE_RANGE, NUMERATOR = (-1.069, 2.781), (1.0, 20.0), 600.0
DEPRESSION_BOUND = abs(W_MIN)  # the seed's rule (SPEC section 6, "seed compatibility")
LAYERS = [16, 8]
KERNEL = [
    [-0.5, -0.125, 0.125, -0.125, -0.5],
    [-0.125, 0.125, 0.625, 0.125, -0.125],
    [0.125, 0.625, 1.0, 0.625, 0.125],
    [-0.125, 0.125, 0.625, 0.125, -0.125],
    [-0.5, -0.125, 0.125, -0.125, -0.5],
]


def read_gray_png(path):
    """8-bit grayscale, non-interlaced PNG -> (height, width, row-major pixels)."""
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path}: not a PNG"
    pos, idat = 8, b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert (depth, colour, interlace) == (8, 0, 0), f"{path}: not 8-bit gray"
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw, pixels, prev = zlib.decompress(idat), [], [0] * width
    for r in range(height):
        line = raw[r * (width + 1):(r + 1) * (width + 1)]
        f, cur = line[0], list(line[1:])
        for c in range(width):
            a = cur[c - 1] if c else 0
            b, up_left = prev[c], (prev[c - 1] if c else 0)
            if f == 1:
                cur[c] = (cur[c] + a) & 255
            elif f == 2:
                cur[c] = (cur[c] + b) & 255
            elif f == 3:
                cur[c] = (cur[c] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - up_left
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - up_left)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else up_left)
                cur[c] = (cur[c] + pred) & 255
        pixels += cur
        prev = cur
    return height, width, pixels


def trains_of_image(h, w, px):
    """SPEC sections 2-3: each input's spike times. The potential sum(kernel * pixel / 255) is
    computed exactly as the integer sum of (8 * kernel) * pixel over 2040."""
    trains = []
    for r in range(h):
        for c in range(w):
            s = 0
            for m in range(5):
                for n in range(5):
                    rr, cc = r + m - 2, c + n - 2
                    if 0 <= rr < h and 0 <= cc < w:
                        s += int(KERNEL[m][n] * 8) * px[rr * w + cc]
            pot = s / 2040
            if pot <= 0:
                trains.append([])
                continue
            (x0, x1), (r0, r1) = POT_RANGE, RATE_RANGE
            rate = r0 if pot <= x0 else r1 if pot >= x1 else (r1 - r0) / (x1 - x0) * (pot - x0) + r0
            period = math.ceil(NUMERATOR / rate)
            trains.append(list(range(period, T + 1, period)))
    return trains


def update(w, d):
    """SPEC section 6 for an input spike at distance d (negative: before the output spike)."""
    if d < 0:
        x = A_MINUS * math.exp(d / TAU_MINUS)
        return w + SIGMA * x * (W_MAX - w)
    x = -A_PLUS * math.exp(-d / TAU_PLUS)
    return w + SIGMA * x * (w - DEPRESSION_BOUND)


def present(weights, trains):
    """SPEC section 5 with learning, for one layer; returns (winner, output trains)."""
    n, m = len(weights), len(trains)
    spikes_at = [set() for _ in range(T + 1)]
    for i, tr in enumerate(trains):
        for t in tr:
            spikes_at[t].add(i)
    threshold = max(len(s) for s in spikes_at) / DIVISOR
    pot, t_rest, shown = [P_REST] * n, [-1] * n, [0.0] * n
    winner, out = None, [[] for _ in range(n)]
    for t in range(1, T + 1):
        active = sorted(spikes_at[t])
        for j in range(n):
            if t_rest[j] < t:
                pot[j] += sum(weights[j][i] for i in active)
                if pot[j] > P_REST:
                    pot[j] -= LEAK
                shown[j] = pot[j]
        if winner is None and max(shown) > threshold:
            winner = shown.index(max(shown))
            for j in range(n):
                if j != winner:
                    pot[j] = P_MIN
        for j in range(n):
            if pot[j] >= threshold:
                out[j].append(t)
                pot[j], t_rest[j] = P_REST, t + T_REF
                row = weights[j]
                for i in range(m):
                    for d in [-d for d in range(WINDOW[0], WINDOW[1] + 1)] + list(range(WINDOW[0], WINDOW[1] + 1)):
                        if 1 <= t + d <= T and i in spikes_at[t + d]:
                            row[i] = update(row[i], d)
            elif pot[j] < P_MIN:
                pot[j] = P_REST
    if winner is not None:
        row = weights[winner]
        for i in range(m):
            if not trains[i]:
                row[i] = max(row[i] - PENALTY, W_MIN)
    return winner, out


def initial(layer, neurons, inputs):
    """Initial weights in [0, 0.4), a fixed arithmetic pattern (the test builds the same)."""
    return [[0.4 * ((7919 * (j * inputs + i) + 104729 * (layer + 1)) % 1000) / 1000
             for i in range(inputs)] for j in range(neurons)]


def main(args):
    global LEAK
    if args[:1] == ["--leak"]:
        LEAK, args = float(args[1]), args[2:]
    paths = args
    h, w, _ = read_gray_png(paths[0])
    sizes, fan_in = [], h * w
    for n in LAYERS:
        sizes.append((n, fan_in))
        fan_in = n
    weights = [initial(l, n, m) for l, (n, m) in enumerate(sizes)]
    images = []
    for path in paths:
        hh, ww, px = read_gray_png(path)
        assert (hh, ww) == (h, w), f"{path}: size differs"
        trains = trains_of_image(h, w, px)
        record = {"image": path.split("/")[-1], "pixels": px, "layers": []}
        for l, layer in enumerate(weights):
            winner, trains = present(layer, trains)
            record["layers"].append({
                "winner": winner,
                "spike_counts": [len(s) for s in trains],
                "row_sums": [sum(r) for r in layer],
                "row_moments": [sum((i + 1) * x for i, x in enumerate(r)) for r in layer],
            })
        record["last_weights"] = [list(r) for r in weights[-1]]
        images.append(record)
    json.dump({"layers": LAYERS, "leak": LEAK, "images": images}, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main(sys.argv[1:])

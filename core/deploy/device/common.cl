// Bitshift OpenCL C 1.2 kernels: what every kernel file shares. The arithmetic follows the
// contract of Bitshift's integer reference executor (DESIGN.md, "the arithmetic contract") so
// that every layer's output equals the golden vectors byte for byte. Activations are int32
// values, [n][c][h][w] row-major, batch outermost.
//
// FPGA toolchains get their attributes through BS_ATTR; define BITSHIFT_INTEL_FPGA or
// BITSHIFT_XILINX_FPGA (e.g. -DBITSHIFT_INTEL_FPGA in the build options). With a fixed work-group
// size the host pads the global size to a multiple of it; every kernel bounds-checks its ids.
#ifndef BS_WORK_GROUP_X
#define BS_WORK_GROUP_X 16
#endif
#ifndef BS_SIMD_WORK_ITEMS
#define BS_SIMD_WORK_ITEMS 4
#endif
#if defined(BITSHIFT_INTEL_FPGA)
#define BS_ATTR                                                  \
  __attribute__((reqd_work_group_size(BS_WORK_GROUP_X, 1, 1))) \
  __attribute__((num_simd_work_items(BS_SIMD_WORK_ITEMS)))
#elif defined(BITSHIFT_XILINX_FPGA)
#define BS_ATTR                                                  \
  __attribute__((reqd_work_group_size(BS_WORK_GROUP_X, 1, 1))) \
  __attribute__((xcl_zero_global_work_offset))
#else
#define BS_ATTR
#endif

// The weight value of element i of a layer's stored codes (weight_storage.h, the same bytes as
// weights.bin): its code, or the table entry it indexes when the layer has a table (non-uniform
// weights). `format` and `has_table` are the same for every work-item.
inline int bs_weight(__global const uchar* restrict w, __global const int* restrict table,
                     int format, int has_table, int i) {
  const int code = BS_WEIGHT_CODE(BS_WEIGHT_BITS(w, format, i), format, has_table);
  return has_table ? table[code] : code;
}

// The contract's requantization: y = clamp((scaled + half) >> shift, lo, hi) in 64 bits, where
// scaled = acc·m (+ acc2·m2) + offset. OpenCL C defines >> on negative values as arithmetic,
// so this rounds half up, once.
inline int bs_requantize(long scaled, int shift, int lo, int hi) {
  const long rounded = (scaled + (shift > 0 ? (1L << (shift - 1)) : 0L)) >> shift;
  return (int)clamp(rounded, (long)lo, (long)hi);
}

// A conv or linear output from its int32 accumulator (bias included): requantized with output
// channel c's (m, shift, offset), or the accumulator itself for wide outputs (logits, inputs of
// an add). The accumulator fits int32: prove_accumulator_bounds checks every layer.
inline int bs_finish(int acc, int c, int requantized, __global const int* restrict m,
                     __global const int* restrict shift, __global const long* restrict offset,
                     int lo, int hi) {
  if (!requantized) return acc;
  return bs_requantize((long)acc * m[c] + offset[c], shift[c], lo, hi);
}

// The part of pool window (oy, ox) inside an in_h x in_w map: its top-left input position
// (iy0, ix0), possibly in the padding, and the rows [ky0, ky1) and columns [kx0, kx1) of the
// window that lie inside the map (padding takes no part in max or sum pools).
typedef struct {
  int iy0, ix0, ky0, ky1, kx0, kx1;
} bs_window;

// The int32 sum of the window's positions inside the map (proven to fit by the export).
inline int bs_window_sum(__global const int* plane, bs_window win, int in_w) {
  int sum = 0;
  for (int ky = win.ky0; ky < win.ky1; ++ky)
    for (int kx = win.kx0; kx < win.kx1; ++kx) sum += plane[(win.iy0 + ky) * in_w + win.ix0 + kx];
  return sum;
}

inline bs_window bs_pool_window(int oy, int ox, int in_h, int in_w, int kernel_h, int kernel_w,
                                int stride_h, int stride_w, int pad_top, int pad_left) {
  bs_window w;
  w.iy0 = oy * stride_h - pad_top, w.ix0 = ox * stride_w - pad_left;
  w.ky0 = max(0, -w.iy0), w.ky1 = min(kernel_h, in_h - w.iy0);
  w.kx0 = max(0, -w.ix0), w.kx1 = min(kernel_w, in_w - w.ix0);
  return w;
}

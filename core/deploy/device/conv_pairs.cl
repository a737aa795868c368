// Conv2d for the common case (groups 1, input values and weights within 16 bits) on 16-bit
// pairs: a 32-bit lane holds the values of two input channels, so one multiply-add of pairs
// (x86's vpmaddwd) does two MACs with exact int32 products. The host picks this path per layer
// when the input layer's proven range fits int16 and every weight fits ±32767, so that
// a·w + a'·w' cannot overflow int32; otherwise it runs bs_conv.
//
// bs_stage_pairs first writes the input as [n][c/2][hp][wp] pairs with the zero padding
// materialised (low half = even channel, high half = odd channel or 0; pad_top rows above,
// pad_left columns left of the map), so that bs_conv_pairs reads without bounds checks. Weights
// are [blocks][c/2][kh][kw][16] pairs (bs_unpack_conv_pairs),
// 16 output channels a block. One work-item computes 16 output channels × BS_CONV_TILE
// consecutive output positions of one row; dimension 0 is the tile, 1 the row and 2 is
// sample·block. BS_CONV_TILE is chosen by the host per model (least padding waste).
//
// A pair conv (or a residual add, add.cl) read by another pair conv can write that conv's staged
// input itself (`next`, next_pairs > 0), so the reader skips bs_stage_pairs; write_values = 0
// then skips the [n][c][h][w] output when nothing else reads it (inference; verification reads
// every layer).
#ifndef BS_CONV_TILE
#define BS_CONV_TILE 7
#endif

__kernel BS_ATTR void bs_stage_pairs(__global const int* restrict x, __global int* restrict s,
                                     int c, int h, int w, int pairs, int hp, int wp, int pad_top,
                                     int pad_left, int batch) {
  const int py = get_global_id(0), z = get_global_id(1);  // z = n·pairs + pair
  if (py >= hp || z >= batch * pairs) return;
  const int n = z / pairs, c0 = 2 * (z % pairs), iy = py - pad_top;
  __global int* out = s + (z * hp + py) * wp;
  if (iy < 0 || iy >= h) {
    for (int px = 0; px < wp; ++px) out[px] = 0;
    return;
  }
  __global const int* even = x + ((n * c + c0) * h + iy) * w;
  __global const int* odd = even + h * w;
  for (int px = 0; px < pad_left; ++px) out[px] = 0;
  if (c0 + 1 < c)
    for (int ix = 0; ix < w; ++ix)
      out[pad_left + ix] = as_int(((uint)even[ix] & 0xFFFFu) | ((uint)odd[ix] << 16));
  else
    for (int ix = 0; ix < w; ++ix) out[pad_left + ix] = as_int((uint)even[ix] & 0xFFFFu);
  for (int px = pad_left + w; px < wp; ++px) out[px] = 0;
}

// Lane j: w_lo·x_lo + w_hi·x_hi, each 16-bit half sign-extended, for 16 output channels and one
// input pair x. On x86 the compiler builtin is used: LLVM does not recognise the portable form as
// vpmaddwd when one side is a broadcast. Define BS_PORTABLE_MADD to force the portable form,
// BS_NO_AVX512_MADD to use the 256-bit form on an AVX-512 machine (tests, comparisons).
#if defined(__AVX512BW__) && !defined(BS_PORTABLE_MADD) && !defined(BS_NO_AVX512_MADD)
typedef short bs_short32 __attribute__((ext_vector_type(32)));
inline int16 bs_madd_pairs(int16 w, int x) {
  return __builtin_ia32_pmaddwd512(__builtin_astype(w, bs_short32),
                                   __builtin_astype((int16)(x), bs_short32));
}
#elif defined(__AVX2__) && !defined(BS_PORTABLE_MADD)
inline int16 bs_madd_pairs(int16 w, int x) {
  const short16 xs = as_short16((int8)(x));
  return (int16)(__builtin_ia32_pmaddwd256(as_short16(w.lo), xs),
                 __builtin_ia32_pmaddwd256(as_short16(w.hi), xs));
}
#else
inline int16 bs_madd_pairs(int16 w, int x) {
  const int16 w_lo = ((w & 0xFFFF) ^ 0x8000) - 0x8000, w_hi = w >> 16;  // sign-extended halves
  const int x_lo = ((x & 0xFFFF) ^ 0x8000) - 0x8000, x_hi = x >> 16;
  return w_lo * x_lo + w_hi * x_hi;
}
#endif

__kernel BS_ATTR void bs_conv_pairs(
    __global const int* restrict s, __global int* restrict y, __global const int* restrict wv,
    __global const int* restrict bias, __global const int* restrict m,
    __global const int* restrict shift, __global const long* restrict offset,
    int requantized, int lo, int hi, int pairs, int hp, int wp, int out_c, int out_h, int out_w,
    int kh, int kw, int sh, int sw, int dh, int dw, int batch, int write_values,
    __global int* restrict next, int next_pairs, int next_hp, int next_wp, int next_pad_top,
    int next_pad_left) {
  const int tile = get_global_id(0), oy = get_global_id(1), z = get_global_id(2);
  const int blocks = (out_c + 15) / 16, tiles = (out_w + BS_CONV_TILE - 1) / BS_CONV_TILE;
  if (tile >= tiles || oy >= out_h || z >= batch * blocks) return;
  const int n = z / blocks, b = z % blocks, ox0 = tile * BS_CONV_TILE, oc0 = b * 16;
  const int16 start = vload16(0, bias + oc0);
  int16 acc[BS_CONV_TILE];
  for (int t = 0; t < BS_CONV_TILE; ++t) acc[t] = start;
  __global const int* plane = s + (n * pairs * hp + oy * sh) * wp + ox0 * sw;
  __global const int* ws = wv + b * pairs * kh * kw * 16;
  for (int p = 0; p < pairs; ++p, plane += hp * wp)
    for (int ky = 0; ky < kh; ++ky) {
      __global const int* row = plane + ky * dh * wp;
      for (int kx = 0; kx < kw; ++kx, ws += 16) {
        const int16 w = vload16(0, ws);
#pragma unroll
        for (int t = 0; t < BS_CONV_TILE; ++t) acc[t] += bs_madd_pairs(w, row[t * sw + kx * dw]);
      }
    }
  // bs_finish on 16 channels at once (the host pads m, shift and offset to whole blocks).
  if (requantized) {
    const long16 mv = convert_long16(vload16(0, m + oc0)), sv = convert_long16(vload16(0, shift + oc0));
    const long16 add = vload16(0, offset + oc0) + select((long16)(0), (long16)(1) << max(sv - 1, (long16)(0)), sv > 0);
    for (int t = 0; t < BS_CONV_TILE; ++t)
      acc[t] = convert_int16(clamp((convert_long16(acc[t]) * mv + add) >> sv, (long16)(lo), (long16)(hi)));
  }
  const bool whole = oc0 + 16 <= out_c && ox0 + BS_CONV_TILE <= out_w;
  if (next_pairs > 0) {
    // The input of the next (pair) conv, staged as bs_stage_pairs would: channel pairs of this
    // block into the interior of its padded planes (the host zeroed the padding once).
    int packed[BS_CONV_TILE][8];
    for (int t = 0; t < BS_CONV_TILE; ++t)
      vstore8(as_int8((as_uint8(acc[t].even) & 0xFFFFu) | (as_uint8(acc[t].odd) << 16)), 0,
              packed[t]);
    const int next_plane = next_hp * next_wp;
    __global int* ns = next + ((n * next_pairs + oc0 / 2) * next_hp + oy + next_pad_top) * next_wp +
                       ox0 + next_pad_left;
    if (whole) {
#pragma unroll
      for (int q = 0; q < 8; ++q, ns += next_plane)
#pragma unroll
        for (int t = 0; t < BS_CONV_TILE; ++t) ns[t] = packed[t][q];
    } else {
      for (int q = 0; q < 8 && oc0 / 2 + q < next_pairs; ++q, ns += next_plane)
        for (int t = 0; t < BS_CONV_TILE && ox0 + t < out_w; ++t) ns[t] = packed[t][q];
    }
  }
  if (!write_values) return;
  int out[BS_CONV_TILE][16];
  for (int t = 0; t < BS_CONV_TILE; ++t) vstore16(acc[t], 0, out[t]);
  __global int* ys = y + ((n * out_c + oc0) * out_h + oy) * out_w + ox0;
  const int out_plane = out_h * out_w;
  if (whole) {
    // A whole block and tile: every index is a constant once unrolled (a third faster).
#pragma unroll
    for (int j = 0; j < 16; ++j, ys += out_plane)
#pragma unroll
      for (int t = 0; t < BS_CONV_TILE; ++t) ys[t] = out[t][j];
    return;
  }
  for (int j = 0; j < 16 && oc0 + j < out_c; ++j, ys += out_plane)
    for (int t = 0; t < BS_CONV_TILE && ox0 + t < out_w; ++t) ys[t] = out[t][j];
}

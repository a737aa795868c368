// Conv2d (groups; any kh×kw window: stride, zero pads, dilation) over int32 values. Weights are
// decoded and transposed by bs_unpack_weights to [in/groups][kh][kw][out_pad], out_pad = out
// rounded up to BS_OC_VEC. Each work-item computes BS_OC_VEC consecutive output channels of one
// output position as one vector: dimension 0 is x, 1 is y and 2 is sample·block
// (n·blocks + b). Each input value read is one scalar times a vector of weights; padding is
// a select, so every work-item runs the same loops. Per-channel vectors (bias, m, shift,
// offset) hold out_pad entries (zeros past out).
#ifndef BS_OC_VEC
#define BS_OC_VEC 16
#endif
#if BS_OC_VEC == 16
#define bs_ivec int16
#define bs_vload vload16
#define bs_vstore vstore16
#elif BS_OC_VEC == 8
#define bs_ivec int8
#define bs_vload vload8
#define bs_vstore vstore8
#else
#error "BS_OC_VEC must be 8 or 16"
#endif

__kernel BS_ATTR void bs_conv(
    __global const int* restrict x, __global int* restrict y, __global const int* restrict wv,
    __global const int* restrict bias, __global const int* restrict m,
    __global const int* restrict shift, __global const long* restrict offset,
    int requantized, int lo, int hi,
    int in_c, int in_h, int in_w, int out_c, int out_h, int out_w,
    int kh, int kw, int sh, int sw, int pad_top, int pad_left, int dh, int dw, int groups,
    int batch) {
  const int ox = get_global_id(0), oy = get_global_id(1), z = get_global_id(2);
  const int blocks = (out_c + BS_OC_VEC - 1) / BS_OC_VEC, out_pad = blocks * BS_OC_VEC;
  if (ox >= out_w || oy >= out_h || z >= batch * blocks) return;
  const int n = z / blocks, oc0 = (z % blocks) * BS_OC_VEC;
  const int cin_g = in_c / groups, cout_g = out_c / groups;
  const int iy0 = oy * sh - pad_top, ix0 = ox * sw - pad_left;
  const int plane = in_h * in_w;
  int out[BS_OC_VEC];

  if (groups == 1) {
    bs_ivec acc = bs_vload(0, bias + oc0);
    __global const int* xs = x + n * in_c * plane;
    __global const int* ws = wv + oc0;
    for (int ic = 0; ic < in_c; ++ic, xs += plane) {
      for (int ky = 0; ky < kh; ++ky) {
        const int iy = iy0 + ky * dh;
        const bool row_in = iy >= 0 && iy < in_h;
        for (int kx = 0; kx < kw; ++kx, ws += out_pad) {
          const int ix = ix0 + kx * dw;
          const int v = row_in && ix >= 0 && ix < in_w ? xs[iy * in_w + ix] : 0;
          acc += bs_vload(0, ws) * v;
        }
      }
    }
    bs_vstore(acc, 0, out);
  } else {
    // Grouped (e.g. depthwise): each channel reads its own group's inputs, over the taps whose
    // input lies inside the map.
    const int ky0 = max(0, (-iy0 + dh - 1) / dh), ky1 = min(kh, (in_h - iy0 + dh - 1) / dh);
    const int kx0 = max(0, (-ix0 + dw - 1) / dw), kx1 = min(kw, (in_w - ix0 + dw - 1) / dw);
    for (int j = 0; j < BS_OC_VEC && oc0 + j < out_c; ++j) {
      const int oc = oc0 + j;
      __global const int* xs = x + (n * in_c + oc / cout_g * cin_g) * plane;
      int acc = bias[oc];
      for (int ic = 0; ic < cin_g; ++ic, xs += plane)
        for (int ky = ky0; ky < ky1; ++ky)
          for (int kx = kx0; kx < kx1; ++kx)
            acc += wv[((ic * kh + ky) * kw + kx) * out_pad + oc] *
                   xs[(iy0 + ky * dh) * in_w + ix0 + kx * dw];
      out[j] = acc;
    }
  }
  for (int j = 0; j < BS_OC_VEC && oc0 + j < out_c; ++j)
    y[((n * out_c + oc0 + j) * out_h + oy) * out_w + ox] =
        bs_finish(out[j], oc0 + j, requantized, m, shift, offset, lo, hi);
}

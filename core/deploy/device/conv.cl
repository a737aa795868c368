// Conv2d (groups, stride, zero padding, any square kernel) over int32 values, weights
// [out][in/groups][k][k]. One work-item per output value: dimension 0 is x, 1 is y and 2 is
// sample·channel (n·out_c + oc), so neighbouring work-items read neighbouring inputs.
// Per-channel vectors (bias, m, shift, offset) hold out_c entries.
__kernel BS_ATTR void bs_conv(
    __global const int* restrict x, __global int* restrict y,
    __global const uchar* restrict w8, __global const int* restrict w32,
    __global const int* restrict table, int w_format, int has_table,
    __global const int* restrict bias, __global const int* restrict m,
    __global const int* restrict shift, __global const long* restrict offset,
    int requantized, int lo, int hi,
    int in_c, int in_h, int in_w, int out_c, int out_h, int out_w,
    int k, int stride, int padding, int groups, int batch) {
  const int ox = get_global_id(0), oy = get_global_id(1), z = get_global_id(2);
  if (ox >= out_w || oy >= out_h || z >= batch * out_c) return;
  const int n = z / out_c, oc = z % out_c;
  const int cin_g = in_c / groups, g = oc / (out_c / groups);
  const int iy0 = oy * stride - padding, ix0 = ox * stride - padding;
  // The part of the window inside the map; outside is padding with the zero point 0.
  const int ky0 = max(0, -iy0), ky1 = min(k, in_h - iy0);
  const int kx0 = max(0, -ix0), kx1 = min(k, in_w - ix0);

  __global const int* plane = x + (n * in_c + g * cin_g) * in_h * in_w;
  int wi = oc * cin_g * k * k;
  int acc = bias[oc];
  for (int ic = 0; ic < cin_g; ++ic, plane += in_h * in_w, wi += k * k) {
    for (int ky = ky0; ky < ky1; ++ky) {
      __global const int* row = plane + (iy0 + ky) * in_w + ix0;
      for (int kx = kx0; kx < kx1; ++kx)
        acc += bs_weight(w8, w32, table, w_format, has_table, wi + ky * k + kx) * row[kx];
    }
  }
  y[(z * out_h + oy) * out_w + ox] = bs_finish(acc, oc, requantized, m, shift, offset, lo, hi);
}

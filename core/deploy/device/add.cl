// Residual add: y = requantize(a·m[c] + b·m2[c] + offset[c]) with one shared shift[c], each
// input on its own scale (requantized values or wide int32 accumulators). One work-item per
// pair of channel planes (dimension 0 is the pair, 1 the sample), so the channels' constants are read once
// and the loops over the plane vectorise. With next_pairs > 0 it also writes the staged input of
// the pair conv that reads it (as bs_stage_pairs would; the host zeroed the padding once).
inline int bs_add_value(int a, int b, long ma, long mb, long add, int s, int lo, int hi) {
  return (int)clamp((a * ma + b * mb + add) >> s, (long)lo, (long)hi);
}

__kernel BS_ATTR void bs_add(__global const int* restrict a, __global const int* restrict b,
                             __global int* restrict y, __global const int* restrict m,
                             __global const int* restrict m2, __global const int* restrict shift,
                             __global const long* restrict offset, int lo, int hi,
                             int channels, int h, int w, int batch, __global int* restrict next,
                             int next_pairs, int next_hp, int next_wp, int next_pad_top,
                             int next_pad_left) {
  const int pairs = (channels + 1) / 2, p = get_global_id(0), n = get_global_id(1);
  if (p >= pairs || n >= batch) return;
  const int z = n * pairs + p;
  const int c0 = 2 * p, c1 = min(c0 + 1, channels - 1);
  const int s0 = shift[c0], s1 = shift[c1];
  const long ma0 = m[c0], mb0 = m2[c0], add0 = offset[c0] + (s0 > 0 ? (1L << (s0 - 1)) : 0L);
  const long ma1 = m[c1], mb1 = m2[c1], add1 = offset[c1] + (s1 > 0 ? (1L << (s1 - 1)) : 0L);
  const int plane = h * w;
  __global const int* a0 = a + (n * channels + c0) * plane;
  __global const int* b0 = b + (n * channels + c0) * plane;
  __global int* y0 = y + (n * channels + c0) * plane;
  for (int i = 0; i < plane; ++i) y0[i] = bs_add_value(a0[i], b0[i], ma0, mb0, add0, s0, lo, hi);
  if (c1 == c0 && next_pairs == 0) return;
  // Without a second channel, y1 aliases y0 (every load stays in the buffer) and stages 0.
  __global int* y1 = c1 != c0 ? y0 + plane : y0;
  const uint high = c1 != c0 ? 0xFFFFu : 0u;
  if (c1 != c0)
    for (int i = 0; i < plane; ++i)
      y1[i] = bs_add_value(a0[plane + i], b0[plane + i], ma1, mb1, add1, s1, lo, hi);
  if (next_pairs == 0) return;
  __global int* ns = next + (z * next_hp + next_pad_top) * next_wp + next_pad_left;
  for (int row = 0; row < h; ++row, ns += next_wp, y0 += w, y1 += w)
    for (int x = 0; x < w; ++x)
      ns[x] = as_int(((uint)y0[x] & 0xFFFFu) | (((uint)y1[x] & high) << 16));
}

// Threshold: count = #{i : x ≥ t[c·n + i]} over channel c's n ascending thresholds, then
// y = requantize(count·m[c] + offset[c], shift 0). One work-item per value of the batch.
__kernel BS_ATTR void bs_threshold(__global const int* restrict x, __global int* restrict y,
                                   __global const int* restrict t, __global const int* restrict m,
                                   __global const long* restrict offset, int n, int channels,
                                   int plane, int lo, int hi, int count) {
  const int i = get_global_id(0);
  if (i >= count) return;
  const int c = (i / plane) % channels;
  const int v = x[i];
  __global const int* tc = t + c * n;
  int reached = 0;
  for (int k = 0; k < n; ++k) reached += v >= tc[k];
  y[i] = bs_requantize((long)reached * m[c] + offset[c], 0, lo, hi);
}

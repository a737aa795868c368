// Average pool dividing each window by its positions inside the map (count_include_pad=False),
// one work-item per output value: dimension 0 is x, 1 is y and 2 is sample·channel. The window's
// sum times the multiplier for its count (table[count − 1]), requantized:
// y = requantize(sum·table[count − 1] + offset[c], shift[c], lo, hi).

// The sum fits int32: prove_int_ranges checks max|x|·kh·kw.
__kernel BS_ATTR void bs_avgpool(__global const int* restrict x, __global int* restrict y,
                                 __global const int* restrict table,
                                 __global const int* restrict shift,
                                 __global const long* restrict offset, int lo, int hi,
                                 int channels, int in_h, int in_w, int out_h, int out_w,
                                 int kernel_h, int kernel_w, int stride_h, int stride_w,
                                 int pad_top, int pad_left, int batch) {
  const int ox = get_global_id(0), oy = get_global_id(1), z = get_global_id(2);
  if (ox >= out_w || oy >= out_h || z >= batch * channels) return;
  const bs_window win = bs_pool_window(oy, ox, in_h, in_w, kernel_h, kernel_w, stride_h, stride_w,
                                       pad_top, pad_left);
  const int sum = bs_window_sum(x + z * in_h * in_w, win, in_w);
  const int count = (win.ky1 - win.ky0) * (win.kx1 - win.kx0);
  const int c = z % channels;
  y[(z * out_h + oy) * out_w + ox] =
      bs_requantize((long)sum * table[count - 1] + offset[c], shift[c], lo, hi);
}

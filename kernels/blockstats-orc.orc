# SPDX-License-Identifier: LGPL-2.1-or-later
# ORC kernels for exact per-column block sums (gst-blockwise).
#
# Each call adds one image row into per-column uint32 accumulator arrays;
# the C side (blockstats-orc-path.c) zeroes them at the top of a block row and reduces
# them per block into 64-bit sums.
#
# 16-bit kernels read each 32-bit element as a pair of pixels: "x2 mullw" and
# "x2 mulhuw" give the low and high 16 bits of the exact 32-bit products, and
# the two pixels of a pair are folded into one uint32 column (and, shr, add).
# Sum of squares = (hi << 16) + lo, reduced in C with 64-bit integers.  Exact
# while 2 * 65535 * rows < 2^32, i.e. for every block height up to 4096.
# The _be variants swap bytes first, so big-endian planes are read in place.
# Programs stay below ~30 instructions (ORC's compiler has a fixed table).

.function bw_orc_u16_sums_a
.dest 4 sx uint32_t
.dest 4 sy uint32_t
.dest 4 sxxl uint32_t
.dest 4 sxxh uint32_t
.source 4 x uint32_t
.source 4 y uint32_t
.const 4 m16 0xffff
.temp 4 t1
.temp 4 t2
.temp 4 p

andl t1, x, m16
shrul t2, x, 16
addl t1, t1, t2
addl sx, sx, t1
andl t1, y, m16
shrul t2, y, 16
addl t1, t1, t2
addl sy, sy, t1
x2 mullw p, x, x
andl t1, p, m16
shrul t2, p, 16
addl t1, t1, t2
addl sxxl, sxxl, t1
x2 mulhuw p, x, x
andl t1, p, m16
shrul t2, p, 16
addl t1, t1, t2
addl sxxh, sxxh, t1

.function bw_orc_u16_sums_b
.dest 4 syyl uint32_t
.dest 4 syyh uint32_t
.dest 4 sxyl uint32_t
.dest 4 sxyh uint32_t
.source 4 x uint32_t
.source 4 y uint32_t
.const 4 m16 0xffff
.temp 4 t1
.temp 4 t2
.temp 4 p

x2 mullw p, y, y
andl t1, p, m16
shrul t2, p, 16
addl t1, t1, t2
addl syyl, syyl, t1
x2 mulhuw p, y, y
andl t1, p, m16
shrul t2, p, 16
addl t1, t1, t2
addl syyh, syyh, t1
x2 mullw p, x, y
andl t1, p, m16
shrul t2, p, 16
addl t1, t1, t2
addl sxyl, sxyl, t1
x2 mulhuw p, x, y
andl t1, p, m16
shrul t2, p, 16
addl t1, t1, t2
addl sxyh, sxyh, t1

.function bw_orc_u16_be_sums_a
.dest 4 sx uint32_t
.dest 4 sy uint32_t
.dest 4 sxxl uint32_t
.dest 4 sxxh uint32_t
.source 4 x uint32_t
.source 4 y uint32_t
.const 4 m16 0xffff
.temp 4 t1
.temp 4 t2
.temp 4 p
.temp 4 xs
.temp 4 ys

x2 swapw xs, x
x2 swapw ys, y
andl t1, xs, m16
shrul t2, xs, 16
addl t1, t1, t2
addl sx, sx, t1
andl t1, ys, m16
shrul t2, ys, 16
addl t1, t1, t2
addl sy, sy, t1
x2 mullw p, xs, xs
andl t1, p, m16
shrul t2, p, 16
addl t1, t1, t2
addl sxxl, sxxl, t1
x2 mulhuw p, xs, xs
andl t1, p, m16
shrul t2, p, 16
addl t1, t1, t2
addl sxxh, sxxh, t1

.function bw_orc_u16_be_sums_b
.dest 4 syyl uint32_t
.dest 4 syyh uint32_t
.dest 4 sxyl uint32_t
.dest 4 sxyh uint32_t
.source 4 x uint32_t
.source 4 y uint32_t
.const 4 m16 0xffff
.temp 4 t1
.temp 4 t2
.temp 4 p
.temp 4 xs
.temp 4 ys

x2 swapw xs, x
x2 swapw ys, y
x2 mullw p, ys, ys
andl t1, p, m16
shrul t2, p, 16
addl t1, t1, t2
addl syyl, syyl, t1
x2 mulhuw p, ys, ys
andl t1, p, m16
shrul t2, p, 16
addl t1, t1, t2
addl syyh, syyh, t1
x2 mullw p, xs, ys
andl t1, p, m16
shrul t2, p, 16
addl t1, t1, t2
addl sxyl, sxyl, t1
x2 mulhuw p, xs, ys
andl t1, p, m16
shrul t2, p, 16
addl t1, t1, t2
addl sxyh, sxyh, t1

# 8-bit kernels: each 16-bit element is a pair of pixels, widened to two
# 16-bit lanes of a 32-bit word; products of two bytes fit 16 bits, so the
# same fold (and, shr, add) sums each pair into one uint32 column.
.function bw_orc_u8_sums_a
.dest 4 sx uint32_t
.dest 4 sy uint32_t
.dest 4 sxx uint32_t
.dest 4 syy uint32_t
.source 2 x uint16_t
.source 2 y uint16_t
.const 4 m16 0xffff
.temp 4 xw
.temp 4 yw
.temp 4 t1
.temp 4 t2
.temp 4 p

x2 convubw xw, x
x2 convubw yw, y
andl t1, xw, m16
shrul t2, xw, 16
addl t1, t1, t2
addl sx, sx, t1
andl t1, yw, m16
shrul t2, yw, 16
addl t1, t1, t2
addl sy, sy, t1
x2 mullw p, xw, xw
andl t1, p, m16
shrul t2, p, 16
addl t1, t1, t2
addl sxx, sxx, t1
x2 mullw p, yw, yw
andl t1, p, m16
shrul t2, p, 16
addl t1, t1, t2
addl syy, syy, t1

.function bw_orc_u8_sums_b
.dest 4 sxy uint32_t
.source 2 x uint16_t
.source 2 y uint16_t
.const 4 m16 0xffff
.temp 4 xw
.temp 4 yw
.temp 4 t1
.temp 4 t2
.temp 4 p

x2 convubw xw, x
x2 convubw yw, y
x2 mullw p, xw, yw
andl t1, p, m16
shrul t2, p, 16
addl t1, t1, t2
addl sxy, sxy, t1

/* qr_decode.h — reading QR codes back in tests with a real decoder: zbarimg
 * (Debian's zbar-tools) on an image file, and our SVG drawn as pixels first
 * (zbarimg reads no SVG here). Failures fail the calling test. */
#ifndef TCARD_TEST_QR_DECODE_H
#define TCARD_TEST_QR_DECODE_H

/* The text zbarimg reads in file (malloc'd, without the trailing newline), or
 * NULL when it finds no code. */
char *test_zbar_decode(const char *file);
/* Draws the dark-module runs of an SVG made by server/qr.c (one path of
 * "M x yhNv1h-Nz" runs), scale pixels a module, into a PGM file. */
void test_svg_to_pgm_file(const char *svg, unsigned scale, const char *file);

#endif

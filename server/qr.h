/* qr.h — QR code images (libqrencode, error correction level M, 8-bit mode):
 * SVG as text and PNG through libpng, black modules on white with a quiet zone. */
#ifndef TCARD_QR_H
#define TCARD_QR_H

#include <stddef.h>

#define QR_MODULE_MIN 1 /* pixels (PNG) or user units (SVG) per module */
#define QR_MODULE_MAX 40
#define QR_MARGIN_MIN 0 /* quiet zone in modules; 4 is the standard */
#define QR_MARGIN_MAX 16

/* The code of text as an SVG document (malloc'd, *len bytes, NUL terminated),
 * or NULL (out of memory, text too long for a QR code). */
char *qr_svg(const char *text, unsigned module, unsigned margin, size_t *len);
/* The code of text as a PNG image (malloc'd, *len bytes), or NULL. */
unsigned char *qr_png(const char *text, unsigned module, unsigned margin, size_t *len);
/* The QR version (1..40) text needs at level M, or 0 when it does not fit. */
int qr_version_of(const char *text);

#endif

/* qr.c — QR code images of a text (the verification URL of a certificate,
 * doc/qr-token.md): libqrencode at level M in 8-bit mode, drawn as SVG text
 * (one path of the dark modules over a white square that includes the quiet
 * zone) or as a 1-bit grayscale PNG written to memory through libpng. */
#include "qr.h"

#include "buf.h"

#include <png.h>
#include <qrencode.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

/* A version 40 code at the largest module and margin is 209 × 40 = 8360
 * pixels square; its SVG path is at most a few hundred kilobytes. */
#define QR_SVG_MAX ((size_t)4 * 1024 * 1024)
#define QR_PNG_MAX ((size_t)16 * 1024 * 1024)

static QRcode *qr_encode(const char *text)
{
	if (text == NULL || *text == '\0')
		return NULL;
	/* Version 0: the smallest that fits; case sensitive 8-bit data. */
	return QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
}

static int qr_dark(const QRcode *code, int x, int y)
{
	return code->data[y * code->width + x] & 1;
}

int qr_version_of(const char *text)
{
	QRcode *code = qr_encode(text);
	int version;

	if (code == NULL)
		return 0;
	version = code->version;
	QRcode_free(code);
	return version;
}

static int qr_bounds_ok(unsigned module, unsigned margin)
{
	return module >= QR_MODULE_MIN && module <= QR_MODULE_MAX && margin <= QR_MARGIN_MAX;
}

char *qr_svg(const char *text, unsigned module, unsigned margin, size_t *len)
{
	QRcode *code;
	struct buf out;
	unsigned side;
	char *svg = NULL;
	int x, y, run;

	if (!qr_bounds_ok(module, margin) || (code = qr_encode(text)) == NULL)
		return NULL;
	side = (unsigned)code->width + 2 * margin; /* in modules */
	buf_init(&out, QR_SVG_MAX);
	/* User units are modules, so every module edge falls on a whole unit;
	 * width and height scale it to module units each. */
	if (buf_printf(&out,
	               "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\""
	               " width=\"%u\" height=\"%u\" viewBox=\"0 0 %u %u\""
	               " shape-rendering=\"crispEdges\">"
	               "<rect width=\"%u\" height=\"%u\" fill=\"#fff\"/><path fill=\"#000\" d=\"",
	               side * module, side * module, side, side, side, side) != 0)
		goto done;
	/* One subpath per horizontal run of dark modules. */
	for (y = 0; y < code->width; y++)
		for (x = 0; x < code->width; x = run) {
			if (!qr_dark(code, x, y)) {
				run = x + 1;
				continue;
			}
			for (run = x; run < code->width && qr_dark(code, run, y); run++)
				;
			if (buf_printf(&out, "M%u %uh%dv1h-%dz", (unsigned)x + margin,
			               (unsigned)y + margin, run - x, run - x) != 0)
				goto done;
		}
	if (buf_puts(&out, "\"/></svg>\n") != 0)
		goto done;
	*len = out.len;
	svg = buf_detach(&out);
done:
	buf_release(&out);
	QRcode_free(code);
	return svg;
}

static void qr_png_write(png_structp png, png_bytep data, png_size_t length)
{
	struct buf *out = png_get_io_ptr(png);

	if (buf_append(out, data, length) != 0)
		png_error(png, "image too large or out of memory");
}

static void qr_png_flush(png_structp png)
{
	(void)png;
}

/* Everything png_write_* may abandon through longjmp lives here, so nothing
 * changed after setjmp sits in a non-volatile local. */
struct qr_png_state {
	QRcode *code;
	struct buf out;
	unsigned char *row;
};

/* Draws the code into st->out; 0, or -1 after a libpng error. */
static int qr_png_draw(struct qr_png_state *st, unsigned module, unsigned margin)
{
	const QRcode *code = st->code;
	unsigned side = ((unsigned)code->width + 2 * margin) * module; /* pixels */
	size_t stride = (side + 7) / 8;
	png_structp png;
	png_infop info = NULL;
	unsigned py, px;
	volatile int ok = -1; /* set after setjmp */

	png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	if (png == NULL)
		return -1;
	info = png_create_info_struct(png);
	st->row = malloc(stride);
	if (info == NULL || st->row == NULL)
		goto done;
	if (setjmp(png_jmpbuf(png)))
		goto done;
	png_set_write_fn(png, &st->out, qr_png_write, qr_png_flush);
	png_set_IHDR(png, info, side, side, 1, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
	             PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_write_info(png, info);
	for (py = 0; py < side; py++) {
		unsigned my = py / module; /* module row, quiet zone included */

		/* 1-bit gray: a set bit is white. */
		memset(st->row, 0xFF, stride);
		for (px = 0; px < side; px++) {
			unsigned mx = px / module;

			if (mx >= margin && my >= margin && mx - margin < (unsigned)code->width &&
			    my - margin < (unsigned)code->width &&
			    qr_dark(code, (int)(mx - margin), (int)(my - margin)))
				st->row[px / 8] &= (unsigned char)~(0x80u >> (px % 8));
		}
		png_write_row(png, st->row);
	}
	png_write_end(png, NULL);
	ok = 0;
done:
	png_destroy_write_struct(&png, info != NULL ? &info : NULL);
	return ok;
}

unsigned char *qr_png(const char *text, unsigned module, unsigned margin, size_t *len)
{
	struct qr_png_state st = {NULL, {NULL, 0, 0, 0}, NULL};
	unsigned char *png = NULL;

	if (!qr_bounds_ok(module, margin) || (st.code = qr_encode(text)) == NULL)
		return NULL;
	buf_init(&st.out, QR_PNG_MAX);
	if (qr_png_draw(&st, module, margin) == 0) {
		*len = st.out.len;
		png = (unsigned char *)buf_detach(&st.out);
	}
	buf_release(&st.out);
	free(st.row);
	QRcode_free(st.code);
	return png;
}

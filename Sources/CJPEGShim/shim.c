#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <jpeglib.h>
#include "cjpegshim.h"

typedef struct {
    struct jpeg_error_mgr base;
    jmp_buf jump;
    int strict;
    char message[JMSG_LENGTH_MAX];
} cwb_error_mgr;

static void cwb_error_exit(j_common_ptr cinfo) {
    cwb_error_mgr *err = (cwb_error_mgr *)cinfo->err;
    (*cinfo->err->format_message)(cinfo, err->message);
    longjmp(err->jump, 1);
}

// Warnings (level -1) are how libjpeg reports a stream cut short or corrupt entropy data;
// in strict mode they stop decoding instead of yielding a silently padded picture.
static void cwb_emit_message(j_common_ptr cinfo, int level) {
    cwb_error_mgr *err = (cwb_error_mgr *)cinfo->err;
    if (level < 0) {
        cinfo->err->num_warnings++;
        if (err->strict) {
            (*cinfo->err->format_message)(cinfo, err->message);
            longjmp(err->jump, 1);
        }
    }
}

static void cwb_output_message(j_common_ptr cinfo) { (void)cinfo; }

static void copy_message(char *dst, size_t dst_size, const char *src) {
    if (dst == NULL || dst_size == 0) return;
    snprintf(dst, dst_size, "%s", src);
}

static void install(cwb_error_mgr *err, int strict) {
    jpeg_std_error(&err->base);
    err->base.error_exit = cwb_error_exit;
    err->base.emit_message = cwb_emit_message;
    err->base.output_message = cwb_output_message;
    err->strict = strict;
    err->message[0] = 0;
}

int cwb_jpeg_decode(const unsigned char *data, size_t size, long long max_pixels, int strict,
                    unsigned char **pixels, int *width, int *height, int *components,
                    char *message, size_t message_size) {
    struct jpeg_decompress_struct cinfo;
    cwb_error_mgr err;
    unsigned char *volatile buffer = NULL;
    *pixels = NULL;
    install(&err, strict);
    cinfo.err = &err.base;
    if (setjmp(err.jump)) {
        copy_message(message, message_size, err.message);
        jpeg_destroy_decompress(&cinfo);
        free(buffer);
        return -1;
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, data, (unsigned long)size);
    jpeg_read_header(&cinfo, TRUE);
    *components = cinfo.num_components;
    if ((long long)cinfo.image_width * (long long)cinfo.image_height > max_pixels) {
        snprintf(message, message_size, "image of %ux%u pixels exceeds the limit of %lld pixels",
                 cinfo.image_width, cinfo.image_height, max_pixels);
        jpeg_destroy_decompress(&cinfo);
        return -1;
    }
    if (cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK) {
        snprintf(message, message_size, "CMYK JPEG images are not supported");
        jpeg_destroy_decompress(&cinfo);
        return -1;
    }
    cinfo.out_color_space = JCS_RGB;
    jpeg_start_decompress(&cinfo);
    size_t stride = (size_t)cinfo.output_width * 3;
    buffer = malloc(stride * cinfo.output_height);
    if (buffer == NULL) {
        snprintf(message, message_size, "out of memory for %ux%u pixels",
                 cinfo.output_width, cinfo.output_height);
        jpeg_destroy_decompress(&cinfo);
        return -1;
    }
    while (cinfo.output_scanline < cinfo.output_height) {
        JSAMPROW row = buffer + stride * cinfo.output_scanline;
        jpeg_read_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_decompress(&cinfo);
    *width = (int)cinfo.output_width;
    *height = (int)cinfo.output_height;
    jpeg_destroy_decompress(&cinfo);
    *pixels = buffer;
    return 0;
}

int cwb_jpeg_encode(const unsigned char *pixels, int width, int height, int components,
                    int quality, int chroma444, int progressive,
                    unsigned char **out, unsigned long *out_size,
                    char *message, size_t message_size) {
    struct jpeg_compress_struct cinfo;
    cwb_error_mgr err;
    *out = NULL;
    *out_size = 0;
    install(&err, 0);
    cinfo.err = &err.base;
    if (setjmp(err.jump)) {
        copy_message(message, message_size, err.message);
        jpeg_destroy_compress(&cinfo);
        free(*out);
        *out = NULL;
        return -1;
    }
    jpeg_create_compress(&cinfo);
    jpeg_mem_dest(&cinfo, out, out_size);
    cinfo.image_width = (JDIMENSION)width;
    cinfo.image_height = (JDIMENSION)height;
    cinfo.input_components = components;
    cinfo.in_color_space = components == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_set_defaults(&cinfo);
    jpeg_set_quality(&cinfo, quality, TRUE);
    if (chroma444 && components == 3) {
        for (int i = 0; i < cinfo.num_components; i++) {
            cinfo.comp_info[i].h_samp_factor = 1;
            cinfo.comp_info[i].v_samp_factor = 1;
        }
    }
    if (progressive) jpeg_simple_progression(&cinfo);
    jpeg_start_compress(&cinfo, TRUE);
    size_t stride = (size_t)width * (size_t)components;
    while (cinfo.next_scanline < cinfo.image_height) {
        JSAMPROW row = (JSAMPROW)(pixels + stride * cinfo.next_scanline);
        jpeg_write_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_compress(&cinfo);
    jpeg_destroy_compress(&cinfo);
    return 0;
}

void cwb_jpeg_free(void *pointer) { free(pointer); }

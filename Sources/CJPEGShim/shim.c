#include <stdio.h>
#include <jpeglib.h>
#include "cjpegshim.h"
int cwb_jpeg_lib_version(void) { return JPEG_LIB_VERSION; }

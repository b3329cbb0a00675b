#include <stdio.h>
#include <stddef.h>
#include <png.h>

/* main.c — the rachis executable: everything is in rachis_cli_main(). */
#include "cli.h"

int main(int argc, char **argv) { return rachis_cli_main(argc, argv); }

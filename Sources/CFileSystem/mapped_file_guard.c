#include "CFileSystem.h"
#include <signal.h>
#include <string.h>
#include <unistd.h>

/// What a SIGBUS means for kam: a mapped input file was cut short while a block of it was being
/// read (the reader maps UTF-8 inputs block by block and checks their size before each block,
/// but a file truncated after that check faults on access). Says so and ends the run with exit
/// 1; the run folder is written under a temporary name, so the previous outputs are untouched.
static void kam_on_sigbus(int signal) {
    (void)signal;
    static const char message[] =
        "kam: an input file was cut short while it was being read (SIGBUS on its mapping); the previous "
        "outputs are untouched. Run again once the export is complete.\n";
    ssize_t written = write(2, message, sizeof message - 1);
    (void)written;
    _exit(1);
}

void kam_install_sigbus_handler(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = kam_on_sigbus;
    sigemptyset(&action.sa_mask);
    sigaction(SIGBUS, &action, NULL);
}

/* A fake libnvidia-ml.so.1 for the detection tests: the functions nvidia-ml-py calls, answered from
 * environment variables read at call time.
 *
 *   FAKE_NVML_DRIVER        driver version string        (default "580.65.06")
 *   FAKE_NVML_CUDA          CUDA driver version as int   (default 13000 = 13.0)
 *   FAKE_NVML_COUNT         number of GPUs               (default 1)
 *   FAKE_NVML_GPU<i>_NAME   name of GPU i                (default "NVIDIA Fake GPU")
 *   FAKE_NVML_GPU<i>_CC     compute capability "M.m"     (default "8.6")
 *   FAKE_NVML_GPU<i>_UUID   UUID                         (default "GPU-fake-<i>")
 *   FAKE_NVML_FAIL          "<function>:<code>[,...]": that function returns the NVML error code
 *   FAKE_NVML_FAULT         "<function>:<fault>": that function (or "load", the library's constructor)
 *                           misbehaves: hang (sleeps forever), segv, abort, kill (SIGKILL itself),
 *                           exit (_exit(3)), spawn (forks a sleeping child that writes its pid to
 *                           FAKE_NVML_PIDFILE, then hangs)
 *   FAKE_NVML_MARK          file that gets a line each time nvmlInit runs (or the library loads)
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef int nvmlReturn_t;
typedef void *nvmlDevice_t;

static const char *env_or(const char *name, const char *fallback) {
    const char *value = getenv(name);
    return value ? value : fallback;
}

static nvmlReturn_t injected(const char *function) {
    const char *spec = getenv("FAKE_NVML_FAIL");
    size_t n = strlen(function);
    while (spec && *spec) {
        if (strncmp(spec, function, n) == 0 && spec[n] == ':') return atoi(spec + n + 1);
        spec = strchr(spec, ',');
        if (spec) spec++;
    }
    return 0;
}

static void mark(const char *what) {
    const char *path = getenv("FAKE_NVML_MARK");
    FILE *f = path ? fopen(path, "a") : NULL;
    if (f) { fprintf(f, "%s\n", what); fclose(f); }
}

static void fault(const char *function) {
    const char *spec = getenv("FAKE_NVML_FAULT");
    size_t n = strlen(function);
    if (!spec || strncmp(spec, function, n) != 0 || spec[n] != ':') return;
    const char *what = spec + n + 1;
    if (strcmp(what, "segv") == 0) { volatile int *null = NULL; *null = 1; }
    if (strcmp(what, "abort") == 0) abort();
    if (strcmp(what, "kill") == 0) kill(getpid(), SIGKILL);
    if (strcmp(what, "exit") == 0) _exit(3);
    if (strcmp(what, "spawn") == 0 && fork() == 0) {
        FILE *f = fopen(getenv("FAKE_NVML_PIDFILE"), "w");
        if (f) { fprintf(f, "%d\n", (int)getpid()); fclose(f); }
        for (;;) pause();
    }
    for (;;) pause(); /* hang, and spawn's parent */
}

__attribute__((constructor)) static void on_load(void) { mark("load"); fault("load"); }

static int gpu_index(nvmlDevice_t device) { return (int)(size_t)device - 1; }

static const char *gpu_field(nvmlDevice_t device, const char *field, const char *fallback) {
    char name[64];
    snprintf(name, sizeof name, "FAKE_NVML_GPU%d_%s", gpu_index(device), field);
    return env_or(name, fallback);
}

static nvmlReturn_t copy_out(const char *value, char *out, unsigned int length) {
    if (strlen(value) + 1 > length) return 7; /* NVML_ERROR_INSUFFICIENT_SIZE */
    strcpy(out, value);
    return 0;
}

#define FAIL_IF_ASKED(fn) do { fault(fn); nvmlReturn_t r = injected(fn); if (r) return r; } while (0)

nvmlReturn_t nvmlInitWithFlags(unsigned int flags) { (void)flags; mark("init"); FAIL_IF_ASKED("nvmlInitWithFlags"); return 0; }
nvmlReturn_t nvmlInit_v2(void) { mark("init"); FAIL_IF_ASKED("nvmlInitWithFlags"); return 0; }
nvmlReturn_t nvmlShutdown(void) { FAIL_IF_ASKED("nvmlShutdown"); return 0; }

const char *nvmlErrorString(nvmlReturn_t result) {
    switch (result) {
    case 3: return "Not Supported";
    case 9: return "Driver Not Loaded";
    case 12: return "Not Found";
    case 999: return "Unknown Error";
    default: return "Fake NVML error";
    }
}

nvmlReturn_t nvmlSystemGetDriverVersion(char *version, unsigned int length) {
    FAIL_IF_ASKED("nvmlSystemGetDriverVersion");
    return copy_out(env_or("FAKE_NVML_DRIVER", "580.65.06"), version, length);
}

nvmlReturn_t nvmlSystemGetCudaDriverVersion_v2(int *version) {
    FAIL_IF_ASKED("nvmlSystemGetCudaDriverVersion_v2");
    *version = atoi(env_or("FAKE_NVML_CUDA", "13000"));
    return 0;
}

nvmlReturn_t nvmlSystemGetCudaDriverVersion(int *version) {
    FAIL_IF_ASKED("nvmlSystemGetCudaDriverVersion");
    *version = atoi(env_or("FAKE_NVML_CUDA", "13000"));
    return 0;
}

nvmlReturn_t nvmlDeviceGetCount_v2(unsigned int *count) {
    FAIL_IF_ASKED("nvmlDeviceGetCount_v2");
    *count = (unsigned int)atoi(env_or("FAKE_NVML_COUNT", "1"));
    return 0;
}

nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned int index, nvmlDevice_t *device) {
    FAIL_IF_ASKED("nvmlDeviceGetHandleByIndex_v2");
    if (index >= (unsigned int)atoi(env_or("FAKE_NVML_COUNT", "1"))) return 2; /* INVALID_ARGUMENT */
    *device = (nvmlDevice_t)(size_t)(index + 1);
    return 0;
}

nvmlReturn_t nvmlDeviceGetName(nvmlDevice_t device, char *name, unsigned int length) {
    FAIL_IF_ASKED("nvmlDeviceGetName");
    return copy_out(gpu_field(device, "NAME", "NVIDIA Fake GPU"), name, length);
}

nvmlReturn_t nvmlDeviceGetUUID(nvmlDevice_t device, char *uuid, unsigned int length) {
    char fallback[32];
    FAIL_IF_ASKED("nvmlDeviceGetUUID");
    snprintf(fallback, sizeof fallback, "GPU-fake-%d", gpu_index(device));
    return copy_out(gpu_field(device, "UUID", fallback), uuid, length);
}

nvmlReturn_t nvmlDeviceGetCudaComputeCapability(nvmlDevice_t device, int *major, int *minor) {
    FAIL_IF_ASKED("nvmlDeviceGetCudaComputeCapability");
    if (sscanf(gpu_field(device, "CC", "8.6"), "%d.%d", major, minor) != 2) return 999;
    return 0;
}

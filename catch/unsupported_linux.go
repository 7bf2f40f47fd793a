//go:build linux && !(amd64 || arm64 || arm || ppc64le || s390x || riscv64)

package catch

// drainit's signal handler (handler_linux_*.s) exists for the architectures
// above only; building for another stops here, by name.
var _ = drainitBuildsOnlyFor_amd64_arm64_arm_ppc64le_s390x_riscv64

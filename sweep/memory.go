package sweep

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"unsafe"

	"github.com/barkeep-trading/barkeep/data"
)

// BarBytes is the memory one loaded bar holds: the data.Bar in the slice (96 bytes on 64-bit
// systems); its symbol string is shared with the other bars of its series, and the slice is
// sized from the store's count, so nothing else grows with the bars. BenchmarkMemoryPerBar
// measures it.
const BarBytes = int64(unsafe.Sizeof(data.Bar{}))

// RunBytes is the working memory of one run per bar it replays, at its peak when the result
// is complete: the equity curve (56 bytes a point) and the marks it is built from.
// BenchmarkMemoryPerBar measured 101 bytes; scoring adds only per-day figures.
const RunBytes = 104

// baseBytes is what a sweep needs whatever its size: the program, its runtime and the store's
// buffers while the bars load.
const baseBytes = 64 << 20

// Need is the memory a sweep of bars with jobs parallel runs holds at its peak: the bars once,
// and a run's working memory for each job.
func Need(bars int64, jobs int) int64 {
	return baseBytes + bars*BarBytes + int64(max(jobs, 1))*bars*RunBytes
}

// ReturnBytes is what each combination keeps per trading day until the sweep's end: its daily
// return (a float64), from which summary.json's Deflated Sharpe Ratio and PBO are computed and
// daily_returns.csv is written. It does not depend on the jobs: every combination keeps its own.
const ReturnBytes = 8

// Kept is the memory the daily returns of runs combinations over days trading days hold at
// the end of a sweep.
func Kept(runs int, days int64) int64 { return int64(max(runs, 0)) * max(days, 0) * ReturnBytes }

// MemoryError is a sweep refused because it cannot fit in the memory available, which would
// make the machine swap for hours rather than fail.
type MemoryError struct {
	Bars      int64
	Jobs      int
	Kept      int64 // bytes of daily returns kept for every combination, as Kept
	Need      int64 // bytes, as Need(Bars, Jobs) + Kept
	Available int64 // bytes
	// FitJobs is the most parallel runs that fit, 0 when even one does not.
	FitJobs int
}

func (e *MemoryError) Error() string {
	kept := ""
	if e.Kept > 0 {
		kept = fmt.Sprintf(", plus %s of daily returns kept for the combinations", sizeString(e.Kept))
	}
	return fmt.Sprintf("a sweep of %d bars with %d parallel runs needs about %s of memory (%d B a bar, plus %d B a bar for each run%s), but %s is available",
		e.Bars, e.Jobs, sizeString(e.Need), BarBytes, RunBytes, kept, sizeString(e.Available))
}

// CheckMemory returns a *MemoryError unless a sweep of bars with jobs parallel runs, keeping
// kept bytes of results (see Kept), fits in available bytes.
func CheckMemory(bars int64, jobs int, kept, available int64) error {
	need := Need(bars, jobs) + kept
	if need <= available {
		return nil
	}
	fit := 0
	for j := jobs - 1; j >= 1; j-- {
		if Need(bars, j)+kept <= available {
			fit = j
			break
		}
	}
	return &MemoryError{Bars: bars, Jobs: jobs, Kept: kept, Need: need, Available: available, FitJobs: fit}
}

// AvailableMemory returns the memory the kernel can give without swapping (MemAvailable of
// /proc/meminfo), or less when the process runs in a cgroup (v2) with a memory limit, as in a
// container or a Kubernetes pod, where exceeding memory.max kills the process whatever the
// machine has free. It returns false where it cannot tell (systems other than Linux), where a
// sweep is then not checked.
func AvailableMemory() (int64, bool) {
	if runtime.GOOS != "linux" {
		return 0, false
	}
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0, false
	}
	avail, ok := memAvailable(b)
	if !ok {
		return 0, false
	}
	maxB, errMax := os.ReadFile("/sys/fs/cgroup/memory.max")
	curB, errCur := os.ReadFile("/sys/fs/cgroup/memory.current")
	if errMax == nil && errCur == nil {
		if room, limited := cgroupRoom(maxB, curB); limited {
			avail = min(avail, room)
		}
	}
	return avail, true
}

// cgroupRoom is what a cgroup v2 limit leaves: memory.max less memory.current, and false when
// there is no limit ("max") or the files cannot be read as numbers.
func cgroupRoom(maxFile, currentFile []byte) (int64, bool) {
	m := string(bytes.TrimSpace(maxFile))
	if m == "max" {
		return 0, false
	}
	limit, err := strconv.ParseInt(m, 10, 64)
	if err != nil || limit <= 0 {
		return 0, false
	}
	cur, err := strconv.ParseInt(string(bytes.TrimSpace(currentFile)), 10, 64)
	if err != nil || cur < 0 {
		return 0, false
	}
	return max(limit-cur, 0), true
}

// memAvailable reads the MemAvailable line of /proc/meminfo ("MemAvailable:   23536064 kB").
func memAvailable(meminfo []byte) (int64, bool) {
	sc := bufio.NewScanner(bytes.NewReader(meminfo))
	for sc.Scan() {
		f := bytes.Fields(sc.Bytes())
		if len(f) == 3 && string(f[0]) == "MemAvailable:" && string(f[2]) == "kB" {
			kb, err := strconv.ParseInt(string(f[1]), 10, 64)
			if err != nil || kb < 0 {
				return 0, false
			}
			return kb << 10, true
		}
	}
	return 0, false
}

// sizeString spells a size for people: "1.5 GB", "640 MB" (powers of 1024, as free(1) counts).
func sizeString(n int64) string {
	switch {
	case n >= 1<<30:
		return strconv.FormatFloat(float64(n)/(1<<30), 'f', 1, 64) + " GB"
	case n >= 1<<20:
		return strconv.FormatInt(n>>20, 10) + " MB"
	}
	return strconv.FormatInt(n>>10, 10) + " KB"
}

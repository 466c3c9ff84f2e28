package backtestcmd

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// backtestLine finds each backtest command in an example, up to the end of its YAML scalar
// or shell command.
var backtestLine = regexp.MustCompile(`(?s)exec backtest (.*?)(?:\n\s*[a-z]+:|\n\s*\n|\z|\n[^ \n-])`)

// exampleArgs are the arguments of every backtest command in file, shell continuations
// joined, quotes and variables as a shell would leave them for a plausible environment.
func exampleArgs(t *testing.T, file string, env map[string]string) [][]string {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var out [][]string
	for _, m := range backtestLine.FindAllStringSubmatch(string(b), -1) {
		s := strings.ReplaceAll(m[1], "\\\n", " ")
		s = strings.ReplaceAll(s, "\"", "")
		s = os.Expand(s, func(k string) string {
			k, _, _ = strings.Cut(k, ":")
			if v, ok := env[k]; ok {
				return v
			}
			t.Fatalf("%s: unknown variable %s", file, k)
			return ""
		})
		out = append(out, strings.Fields(s))
	}
	if len(out) == 0 {
		t.Fatalf("%s runs no backtest", file)
	}
	return out
}

// parses fails unless args are flags the command knows, with valid values.
func parses(t *testing.T, file string, args []string) *sweepFlags {
	t.Helper()
	var o options
	fs, sw := newFlags(&o)
	if err := fs.Parse(args); err != nil {
		t.Fatalf("%s: backtest %s: %v", file, strings.Join(args, " "), err)
	}
	return sw
}

// The cluster examples run commands this backtest accepts: their shard counts match the
// scheduler's, and the merge follows every shard. (They were never run on a cluster here.)
func TestShardExamplesParse(t *testing.T) {
	root := filepath.Join("..", "..", "examples")
	k8s := filepath.Join(root, "kubernetes")
	job, _ := os.ReadFile(filepath.Join(k8s, "sweep-job.yaml"))
	for _, want := range []string{"completionMode: Indexed", "completions: 4", "parallelism: 4", "JOB_COMPLETION_INDEX", "claimName: barkeep-data"} {
		if !strings.Contains(string(job), want) {
			t.Errorf("sweep-job.yaml lacks %q", want)
		}
	}
	if strings.Contains(string(job), "\t") {
		t.Error("sweep-job.yaml holds a tab, which YAML refuses")
	}
	for i, args := range exampleArgs(t, filepath.Join(k8s, "sweep-job.yaml"), map[string]string{"JOB_COMPLETION_INDEX": "3"}) {
		sw := parses(t, "sweep-job.yaml", args)
		if !sw.shard.set || sw.shard.s.N != 4 || sw.shard.s.I != 3 {
			t.Errorf("sweep-job.yaml command %d: shard %v, want 3/4", i, sw.shard)
		}
	}
	for _, args := range exampleArgs(t, filepath.Join(k8s, "merge-job.yaml"), nil) {
		if sw := parses(t, "merge-job.yaml", args); !sw.merge {
			t.Error("merge-job.yaml does not merge")
		}
	}
	slurm := filepath.Join(root, "slurm")
	sb, _ := os.ReadFile(filepath.Join(slurm, "sweep.sbatch"))
	sub, _ := os.ReadFile(filepath.Join(slurm, "submit.sh"))
	if !strings.Contains(string(sb), "#SBATCH --array=0-7") || !strings.Contains(string(sub), "--dependency=afterok:") {
		t.Error("the Slurm example lacks its array or the merge's dependency on it")
	}
	env := map[string]string{"STORE": "/s", "SWEEP": "/w", "HOME": "/h", "SLURM_CPUS_PER_TASK": "4", "SLURM_ARRAY_TASK_ID": "7", "SLURM_ARRAY_TASK_COUNT": "8"}
	for _, args := range exampleArgs(t, filepath.Join(slurm, "sweep.sbatch"), env) {
		if sw := parses(t, "sweep.sbatch", args); !sw.shard.set || sw.shard.s.I != 7 || sw.shard.s.N != 8 {
			t.Errorf("sweep.sbatch: shard %v, want 7/8", sw.shard)
		}
	}
	for _, args := range exampleArgs(t, filepath.Join(slurm, "merge.sbatch"), env) {
		if sw := parses(t, "merge.sbatch", args); !sw.merge {
			t.Error("merge.sbatch does not merge")
		}
	}
	for _, f := range []string{filepath.Join(k8s, "README.md"), filepath.Join(slurm, "README.md")} {
		b, err := os.ReadFile(f)
		if err != nil || !strings.Contains(string(b), "not been run on a") {
			t.Errorf("%s must say it was not run on a cluster here (%v)", f, err)
		}
	}
}

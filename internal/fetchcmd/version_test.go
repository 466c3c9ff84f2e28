package fetchcmd

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/barkeep-trading/barkeep/internal/cli"
)

func TestVersionHelpAndMistypedFlag(t *testing.T) {
	run := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := Run(context.Background(), args, &out, &errb, func(string) string { return "" })
		return code, out.String(), errb.String()
	}
	if code, stdout, stderr := run("--version"); code != 0 || stdout != "fetch "+cli.Version()+"\n" || stderr != "" {
		t.Errorf("--version: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	code, stdout, _ := run("--help")
	if code != 0 || !strings.Contains(stdout, "  --symbols string\n") || !strings.Contains(stdout, "  --version\n") {
		t.Errorf("--help: exit %d:\n%s", code, stdout)
	}
	for _, line := range strings.Split(stdout, "\n") {
		if strings.HasPrefix(line, "  -") && !strings.HasPrefix(line, "  --") {
			t.Errorf("--help names a flag with one dash: %q", line)
		}
	}
	code, stdout, stderr := run("--symbol", "AAPL")
	if code != cli.ExitUsage || stdout != "" || !strings.Contains(stderr, "unknown flag --symbol; did you mean --symbols?") {
		t.Errorf("mistyped flag: exit %d, stderr %q", code, stderr)
	}
}

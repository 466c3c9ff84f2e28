package cli

import (
	"runtime/debug"
	"strings"
)

// version is set at build time by `make build` with
// -ldflags "-X github.com/barkeep-trading/barkeep/internal/cli.version=...".
var version string

// modulePath is barkeep's module, found in the build information of a user's own program that
// builds the commands through package app.
const modulePath = "github.com/barkeep-trading/barkeep"

// Version names the build that reports and --version show: the -ldflags value when set, else
// barkeep's module version as a dependency (a user's module built with app), else the VCS
// revision Go stamped into the binary, else "dev".
func Version() string {
	if version != "" {
		return version
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "dev"
	}
	return versionFrom(bi)
}

func versionFrom(bi *debug.BuildInfo) string {
	for _, d := range bi.Deps {
		if d.Path == modulePath {
			if d.Replace != nil && d.Replace.Version != "" {
				return d.Replace.Version
			}
			if d.Version != "" && d.Version != "(devel)" {
				return d.Version
			}
		}
	}
	if bi.Main.Path == modulePath && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	var rev string
	var dirty bool
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if rev == "" {
		return "dev"
	}
	rev = rev[:min(len(rev), 7)]
	if dirty {
		rev += "-dirty"
	}
	return strings.TrimSpace(rev)
}

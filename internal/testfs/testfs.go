// Package testfs gives tests a real small filesystem that fills up: a tmpfs of a chosen size,
// so that "disk full" is the kernel's ENOSPC and not a simulation.
package testfs

import (
	"fmt"
	"os"
	"os/exec"
	"testing"
)

// Tiny mounts a tmpfs of size (as mount(8) reads it: "1m", "512k") on a new directory and
// unmounts it when the test ends. It skips the test where mounting is not allowed (not root,
// or no CAP_SYS_ADMIN).
func Tiny(t testing.TB, size string) string {
	t.Helper()
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here (%v: %s); the full-disk test needs root", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", "-l", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
		}
	})
	return dir
}

// Resize changes the size of a tmpfs mounted by Tiny.
func Resize(t testing.TB, dir, size string) {
	t.Helper()
	if out, err := exec.Command("mount", "-o", "remount,size="+size, dir).CombinedOutput(); err != nil {
		t.Fatalf("remount %s: %v: %s", dir, err, out)
	}
}

// Fill writes a file of zeros until the filesystem is full, and returns its path.
func Fill(t testing.TB, dir string) string {
	t.Helper()
	p := dir + "/filler"
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 64<<10)
	for {
		if _, err := f.Write(buf); err != nil {
			break
		}
	}
	if fi, err := f.Stat(); err != nil || fi.Size() == 0 {
		t.Fatal(fmt.Errorf("filler: %v", err))
	}
	return p
}

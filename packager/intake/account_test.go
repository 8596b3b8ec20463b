package intake

import (
	"os/user"
	"runtime"
	"runtime/debug"
	"testing"
)

func TestPasswdName(t *testing.T) {
	for _, c := range []struct{ entry, want string }{
		{"ana:x:1000:1000:Ana Pérez,Room 4,,:/home/ana:/bin/bash\n", "Ana Pérez"},
		{"ana:x:1000:1000::/home/ana:/bin/bash\n", "ana"},
		{"ana:x:1000:1000:,Room 4:/home/ana:/bin/bash\n", "ana"},
		{"ana:x:1000:1000:Ana\rPérez:/home/ana:/bin/bash\n", "ana"},
		{"ana:x:1000:1000:Ana:/home/ana:/bin/bash\nbob:x:1000:1000:Bob:/home/bob:/bin/sh\n", "Ana"},
		{"", ""},
		{"ana:x:1000", ""},
	} {
		if got := passwdName(c.entry); got != c.want {
			t.Errorf("passwdName(%q) = %q, want %q", c.entry, got, c.want)
		}
	}
}

// TestAccountAsTheCLibrary: where this test binary is linked with the C
// library (cgo, as under -race), os/user asks the name service switch,
// as casepack did before it was built without; account must name the
// account as it does.
func TestAccountAsTheCLibrary(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "darwin" {
		t.Skip("os/user asks the system itself here")
	}
	cgo := false
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			cgo = cgo || s.Key == "CGO_ENABLED" && s.Value == "1"
		}
	}
	if !cgo {
		t.Skip("os/user reads only /etc/passwd without cgo: nothing to compare with")
	}
	want := ""
	if u, err := user.Current(); err == nil {
		want = displayName(u.Name, u.Username)
	}
	if got := account(); got != want {
		t.Errorf("account() = %q, os/user through the C library gives %q", got, want)
	}
}

package intake

import (
	"errors"
	"os"
	"os/exec"
	"os/user"
	"runtime"
	"strconv"
	"strings"
)

// account is the name the custody events give the account that runs
// casepack when no --actor is given: its full name (the account's GECOS
// field up to the first comma), else its login name; "" if the system
// knows no such account.
//
// The account is looked up with getent, which asks the system's name
// service switch (/etc/passwd, and LDAP, SSSD or systemd accounts where
// nsswitch.conf names them), as Go's os/user did when casepack was linked
// with the C library. `make build` links it without (a static binary:
// the C library's pages are no longer mapped at every start), and os/user
// without the C library reads only /etc/passwd: for an account from a
// directory it would give $USER, not the person's name, and the custody
// record would change with how casepack was built. Where getent is
// missing (or on Windows and macOS, whose os/user asks the system
// itself), os/user decides.
func account() string {
	if runtime.GOOS != "windows" && runtime.GOOS != "darwin" {
		out, err := exec.Command("getent", "passwd", strconv.Itoa(os.Getuid())).Output()
		var exit *exec.ExitError
		switch {
		case err == nil:
			return passwdName(string(out))
		case errors.As(err, &exit) && exit.ExitCode() == 2:
			// getent's "no such key": os/user with the C library
			// failed for such an account too.
			return ""
		}
	}
	u, err := user.Current()
	if err != nil {
		return ""
	}
	return displayName(u.Name, u.Username)
}

// passwdName is account's name from a passwd entry as getent prints it
// (name:password:uid:gid:gecos:home:shell); "" if it is not one.
func passwdName(entry string) string {
	line, _, _ := strings.Cut(entry, "\n")
	f := strings.SplitN(line, ":", 7)
	if len(f) < 7 {
		return ""
	}
	full, _, _ := strings.Cut(f[4], ",")
	return displayName(full, f[0])
}

// displayName is the full name, unless it is empty or would break a line
// of the record, else the login name.
func displayName(full, login string) string {
	if full != "" && !strings.ContainsAny(full, "\r\n") {
		return full
	}
	return login
}

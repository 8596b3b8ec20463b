package serve

import (
	"crypto/subtle"
	"net"
	"net/http"
	"strings"
)

// contentSecurityPolicy admits only the app's own script and style files:
// no inline script or style, nothing from another origin, no framing.
// Text from a case can therefore never run as code in the page, even if
// escaping failed.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " +
	"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// guard wraps every request: the security headers, the Host check, the
// login (token for cookie), the session and, for every request that can
// change anything, the CSRF token and the Origin check.
func (s *Server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		// same-origin, not no-referrer: under no-referrer a browser sends
		// "Origin: null" with a form's POST, and the Origin check below
		// could not tell the app's own forms from anyone's.
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		h.Set("Cache-Control", "no-store")

		if !s.hostAllowed(r.Host) {
			// A page from another site that rebinds its name to this
			// machine's address arrives with its own name in Host.
			http.Error(w, "casepack: this address is not the one casepack serve printed; open that one", http.StatusMisdirectedRequest)
			return
		}
		if r.URL.Path == "/login" {
			s.login(w, r)
			return
		}
		if strings.HasPrefix(r.URL.Path, "/static/") && r.Method == http.MethodGet {
			next.ServeHTTP(w, r) // the app's own CSS and JS carry nothing secret
			return
		}
		if !s.hasSession(r) {
			s.renderStatus(w, r, http.StatusUnauthorized, "Open the address casepack serve printed",
				"This page is only for the person who started casepack serve. Open the address it printed in the terminal (it starts with "+s.origin+"/login).")
			return
		}
		switch r.Method {
		case http.MethodGet, http.MethodHead:
		case http.MethodPost:
			if !s.sameOrigin(r) {
				http.Error(w, "casepack: a request from another site was refused", http.StatusForbidden)
				return
			}
			// A multipart form carries its token in its first field,
			// checked by the handler before any file is read (upload.go);
			// every other POST carries it in a header or a form field.
			if !isMultipart(r) && !s.csrfOK(csrfValue(r)) {
				http.Error(w, "casepack: the form is out of date or came from elsewhere; reload the page and try again", http.StatusForbidden)
				return
			}
		default:
			w.Header().Set("Allow", "GET, HEAD, POST")
			http.Error(w, "casepack: method not allowed", http.StatusMethodNotAllowed)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) hostAllowed(host string) bool {
	if s.hosts[strings.ToLower(host)] {
		return true
	}
	if !s.anyIPHost {
		return false
	}
	// Listening on every interface: any IP literal with our port, never a
	// name (a name is what DNS rebinding controls).
	h, p, err := net.SplitHostPort(host)
	if err != nil || p != s.port() {
		return false
	}
	return net.ParseIP(h) != nil
}

func (s *Server) port() string {
	_, p, _ := net.SplitHostPort(s.ln.Addr().String())
	return p
}

// sameOrigin: a browser sends Origin with every POST; it must be this
// app's own. A POST without Origin (not a browser) still needs the session
// cookie and the CSRF token.
func (s *Server) sameOrigin(r *http.Request) bool {
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" {
		return false
	}
	o := r.Header.Get("Origin")
	if o == "" {
		return true
	}
	rest, ok := strings.CutPrefix(strings.ToLower(o), "http://")
	return ok && s.hostAllowed(rest) && strings.EqualFold(rest, r.Host)
}

func csrfValue(r *http.Request) string {
	if v := r.Header.Get("X-CSRF-Token"); v != "" {
		return v
	}
	if err := r.ParseForm(); err != nil {
		return ""
	}
	return r.PostForm.Get("csrf")
}

func (s *Server) csrfOK(v string) bool {
	return v != "" && subtle.ConstantTimeCompare([]byte(v), []byte(s.csrf)) == 1
}

func isMultipart(r *http.Request) bool {
	return strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data")
}

func (s *Server) hasSession(r *http.Request) bool {
	c, err := r.Cookie(s.cookie)
	return err == nil && subtle.ConstantTimeCompare([]byte(c.Value), []byte(s.session)) == 1
}

// login exchanges the printed token for the session cookie and sends the
// browser on to an address without the token, so that it stays out of
// the address bar and of what is shared from it.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	t := r.URL.Query().Get("token")
	if r.Method != http.MethodGet || subtle.ConstantTimeCompare([]byte(t), []byte(s.token)) != 1 {
		s.renderStatus(w, r, http.StatusUnauthorized, "This address is not valid",
			"The address must be the one casepack serve printed in the terminal this time; an address from an earlier run no longer works.")
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: s.cookie, Value: s.session, Path: "/",
		HttpOnly: true, SameSite: http.SameSiteStrictMode,
	})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

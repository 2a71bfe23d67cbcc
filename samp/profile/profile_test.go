package profile

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Lockfiles as the real hubs write them (peers.md §1), secrets replaced.
const jsampLock = `# SAMP Standard Profile lockfile written Wed Nov 25 14:09:57 UTC 2026
# Note contact URL hostname may be configured using jsamp.localhost property
samp.secret=abc123
samp.hub.xmlrpc.url=http://127.0.0.1:46401/xmlrpc
samp.profile.version=1.3
hub.impl=org.astrogrid.samp.hub.Hub$1
profile.impl=org.astrogrid.samp.xmlrpc.StandardHubProfile
profile.start.date=Wed Nov 25 14:09:57 UTC 2026
`

const astropyLock = `# SAMP lockfile written on 2026-11-25T14:13:16.100314
# Standard Profile required keys
samp.secret=0d2c8a

samp.hub.xmlrpc.url=http\://127.0.0.1\:38127
samp.profile.version=1.3
hub.id=5b82422e-e8da-11f1-b70e-02fc00000001
hub.label=Hub 5b82422e-e8da-11f1-b70e-02fc00000001
`

func TestParseLockfile(t *testing.T) {
	tests := []struct {
		name, text, url, secret, wantErr string
		extra                            map[string]string
	}{
		{name: "jsamp", text: jsampLock, url: "http://127.0.0.1:46401/xmlrpc", secret: "abc123",
			extra: map[string]string{"hub.impl": "org.astrogrid.samp.hub.Hub$1"}},
		{name: "astropy with escaped colons and blank line", text: astropyLock, url: "http://127.0.0.1:38127", secret: "0d2c8a",
			extra: map[string]string{"hub.label": "Hub 5b82422e-e8da-11f1-b70e-02fc00000001"}},
		{name: "CRLF and spaces", text: "samp.secret = s\r\nsamp.hub.xmlrpc.url= http://localhost:1/ \r\n", url: "http://localhost:1/", secret: "s"},
		{name: "value with equals", text: "samp.secret=a=b\nsamp.hub.xmlrpc.url=http://h/x?a=b\n", url: "http://h/x?a=b", secret: "a=b"},
		{name: "missing secret", text: "samp.hub.xmlrpc.url=http://h/\n", wantErr: "samp.secret"},
		{name: "missing url", text: "samp.secret=x\n", wantErr: "samp.hub.xmlrpc.url"},
		{name: "empty", text: "", wantErr: "required key"},
		{name: "not http", text: "samp.secret=x\nsamp.hub.xmlrpc.url=ftp://h/\n", wantErr: "not an http URL"},
		{name: "garbage line", text: "samp.secret=x\nhello world\n", wantErr: "line 2"},
		{name: "bad key", text: "sa mp=x\n", wantErr: "line 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			info, err := ParseLockfile(strings.NewReader(tt.text))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one mentioning %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if info.XMLRPCURL != tt.url || info.Secret != tt.secret {
				t.Errorf("got url %q secret %q, want %q %q", info.XMLRPCURL, info.Secret, tt.url, tt.secret)
			}
			for k, v := range tt.extra {
				if info.Extra[k] != v {
					t.Errorf("extra %s = %q, want %q", k, info.Extra[k], v)
				}
			}
		})
	}
}

func TestLocateFrom(t *testing.T) {
	tests := []struct {
		name, env, home, url, path, ignored, wantErr string
	}{
		{name: "home", home: "/home/u", url: "file:///home/u/.samp", path: "/home/u/.samp"},
		{name: "file triple slash", env: "std-lockurl:file:///tmp/x.lock", url: "file:///tmp/x.lock", path: "/tmp/x.lock"},
		{name: "file single slash", env: "std-lockurl:file:/tmp/x.lock", url: "file:/tmp/x.lock", path: "/tmp/x.lock"},
		{name: "file localhost", env: "std-lockurl:file://localhost/tmp/x.lock", url: "file://localhost/tmp/x.lock", path: "/tmp/x.lock"},
		{name: "http loopback", env: "std-lockurl:http://127.0.0.1:8001/lock", url: "http://127.0.0.1:8001/lock"},
		{name: "http localhost", env: "std-lockurl:http://localhost:8001/lock", url: "http://localhost:8001/lock"},
		{name: "other profile ignored", env: "web-appname:foo", home: "/h", url: "file:///h/.samp", path: "/h/.samp", ignored: "web-appname:foo"},
		{name: "remote http refused", env: "std-lockurl:http://example.org/lock", wantErr: "loopback"},
		{name: "remote file refused", env: "std-lockurl:file://otherhost/tmp/x", wantErr: "another host"},
		{name: "relative file refused", env: "std-lockurl:file:x.lock", wantErr: "absolute"},
		{name: "bad scheme", env: "std-lockurl:ftp://127.0.0.1/x", wantErr: "scheme"},
		{name: "no home", wantErr: "no home"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			loc, err := LocateFrom(tt.env, tt.home)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one mentioning %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if loc.URL != tt.url || loc.Path != tt.path || loc.Ignored != tt.ignored {
				t.Errorf("got %+v, want url %q path %q ignored %q", loc, tt.url, tt.path, tt.ignored)
			}
			if loc.FromEnv != strings.HasPrefix(tt.env, StdLockURLPrefix) {
				t.Errorf("FromEnv = %v", loc.FromEnv)
			}
		})
	}
}

func TestWriteReadLockfile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "lock")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	in := &LockInfo{Secret: "s3cr3t", XMLRPCURL: "http://127.0.0.1:1234/xmlrpc",
		Extra: map[string]string{"hub.impl": "voagent", "a.b": "c d"}}
	if err := WriteLockfile(path, in); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", st.Mode().Perm())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
	loc, err := ParseLockURL(FileURL(path))
	if err != nil {
		t.Fatal(err)
	}
	out, err := ReadLockfile(context.Background(), loc)
	if err != nil {
		t.Fatal(err)
	}
	if out.Secret != in.Secret || out.XMLRPCURL != in.XMLRPCURL || out.ProfileVersion != ProfileVersion ||
		out.Extra["hub.impl"] != "voagent" || out.Extra["a.b"] != "c d" {
		t.Errorf("round trip: got %+v", out)
	}

	// RemoveLockfile leaves a lockfile written by another hub alone.
	if err := RemoveLockfile(path, "other-secret"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("lockfile of another hub removed: %v", err)
	}
	if err := RemoveLockfile(path, in.Secret); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadLockfile(context.Background(), loc); !errors.Is(err, ErrNoLockfile) {
		t.Fatalf("after removal: err = %v, want ErrNoLockfile", err)
	}
	if err := RemoveLockfile(path, in.Secret); err != nil {
		t.Errorf("removing a missing lockfile: %v", err)
	}
}

func TestWriteLockfileRejectsBadInfo(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lock")
	for _, info := range []*LockInfo{
		{XMLRPCURL: "http://127.0.0.1:1/"},
		{Secret: "x\nsamp.secret=y", XMLRPCURL: "http://127.0.0.1:1/"},
		{Secret: "x", XMLRPCURL: "http://127.0.0.1:1/", Extra: map[string]string{"bad key": "v"}},
	} {
		if err := WriteLockfile(path, info); err == nil {
			t.Errorf("WriteLockfile(%+v) succeeded", info)
		}
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a rejected lockfile was written: %v", err)
	}
}

func TestReadLockfileHTTP(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/lock":
			w.Write([]byte(jsampLock))
		case "/big":
			w.Write([]byte(strings.Repeat("#", MaxLockfileBytes+10)))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	ctx := context.Background()
	loc, err := ParseLockURL(srv.URL + "/lock")
	if err != nil {
		t.Fatal(err)
	}
	info, err := ReadLockfile(ctx, loc)
	if err != nil {
		t.Fatal(err)
	}
	if info.Secret != "abc123" {
		t.Errorf("secret %q", info.Secret)
	}
	loc.URL = srv.URL + "/missing"
	if _, err := ReadLockfile(ctx, loc); !errors.Is(err, ErrNoLockfile) {
		t.Errorf("missing: err = %v", err)
	}
	loc.URL = srv.URL + "/big"
	if _, err := ReadLockfile(ctx, loc); err == nil || !strings.Contains(err.Error(), "larger") {
		t.Errorf("oversized: err = %v", err)
	}
}

func TestWatch(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "lock")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch, err := Watch(ctx, Location{URL: FileURL(path), Path: path})
	if err != nil {
		t.Fatal(err)
	}
	expect := func(what string) {
		t.Helper()
		select {
		case <-ch:
		case <-time.After(10 * time.Second):
			t.Fatalf("no event after %s", what)
		}
	}
	// Another file in the directory is not reported.
	os.WriteFile(filepath.Join(dir, "other"), []byte("x"), 0o600)
	if err := WriteLockfile(path, &LockInfo{Secret: "s", XMLRPCURL: "http://127.0.0.1:1/"}); err != nil {
		t.Fatal(err)
	}
	expect("create")
	// drain coalesced events, then remove
	for len(ch) > 0 {
		<-ch
	}
	os.Remove(path)
	expect("remove")
}

func FuzzParseLockfile(f *testing.F) {
	f.Add(jsampLock)
	f.Add(astropyLock)
	f.Add("samp.secret=\nsamp.hub.xmlrpc.url=http://\n")
	f.Fuzz(func(t *testing.T, text string) {
		info, err := ParseLockfile(strings.NewReader(text))
		if err != nil {
			return
		}
		// Whatever parses must survive a write and re-read unchanged.
		data, err := info.Marshal()
		if err != nil {
			return
		}
		again, err := ParseLockfile(strings.NewReader(string(data)))
		if err != nil {
			t.Fatalf("re-reading written lockfile: %v\n%s", err, data)
		}
		if again.Secret != info.Secret || again.XMLRPCURL != info.XMLRPCURL {
			t.Fatalf("round trip changed values: %+v vs %+v", info, again)
		}
	})
}

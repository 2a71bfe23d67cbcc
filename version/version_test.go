package version

import "testing"

func TestString(t *testing.T) {
	defer func(v, c string) { Version, Commit = v, c }(Version, Commit)
	tests := []struct{ version, commit, want string }{
		{"1.2.3", "0123456789abcdef0123", "1.2.3 (commit 0123456789ab)"},
		{"1.2.3", "abc", "1.2.3 (commit abc)"},
	}
	for _, tt := range tests {
		Version, Commit = tt.version, tt.commit
		if got := String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
	}
}

package connection

import (
	"strings"
	"testing"
)

func TestMatchMType(t *testing.T) {
	tests := []struct {
		pattern, mtype string
		want           bool
	}{
		{"*", "table.load.votable", true},
		{"table.*", "table.load.votable", true},
		{"table.load.*", "table.load.votable", true},
		{"table.*", "table", false},
		{"table.*", "tables.load", false},
		{"table.load.votable", "table.load.votable", true},
		{"table.load.votable", "table.load.fits", false},
		{"tab*", "table.load", false},
		{"", "table", false},
	}
	for _, tt := range tests {
		if got := MatchMType(tt.pattern, tt.mtype); got != tt.want {
			t.Errorf("MatchMType(%q, %q) = %v, want %v", tt.pattern, tt.mtype, got, tt.want)
		}
	}
}

func TestMessageFromValue(t *testing.T) {
	tests := []struct {
		name    string
		v       any
		mtype   string
		wantErr string
	}{
		{name: "ok", v: map[string]any{"samp.mtype": "a.b", "samp.params": map[string]any{"x": "1"}}, mtype: "a.b"},
		{name: "no params", v: map[string]any{"samp.mtype": "a.b"}, mtype: "a.b"},
		{name: "extra key", v: map[string]any{"samp.mtype": "a.b", "x-ext": "1"}, mtype: "a.b"},
		{name: "not a map", v: "hello", wantErr: "not a map"},
		{name: "no mtype", v: map[string]any{"samp.params": map[string]any{}}, wantErr: "samp.mtype"},
		{name: "mtype list", v: map[string]any{"samp.mtype": []any{"a"}}, wantErr: "samp.mtype"},
		{name: "params string", v: map[string]any{"samp.mtype": "a", "samp.params": "x"}, wantErr: "samp.params"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := MessageFromValue(tt.v)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || m.MType != tt.mtype || m.Params == nil {
				t.Fatalf("got %+v, %v", m, err)
			}
			// Round trip keeps everything.
			back, err := MessageFromValue(m.Map())
			if err != nil || back.MType != m.MType || len(back.Extra) != len(m.Extra) {
				t.Fatalf("round trip: %+v, %v", back, err)
			}
		})
	}
}

func TestResponseMap(t *testing.T) {
	tests := []struct {
		name    string
		r       Response
		errText string // expected samp.errortxt, "" for none
	}{
		{name: "ok", r: OK(nil)},
		{name: "error", r: ErrorResponse("boom"), errText: "boom"},
		{name: "warning without info", r: Response{Status: StatusWarning}, errText: "unspecified samp.warning"},
		{name: "error without text", r: Response{Status: StatusError, Error: &ErrInfo{Code: "7"}}, errText: "unspecified samp.error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := tt.r.Map()
			if _, ok := m["samp.result"].(map[string]any); !ok {
				t.Errorf("no samp.result map: %v", m)
			}
			em, has := m["samp.error"].(map[string]any)
			if (tt.errText != "") != has {
				t.Fatalf("samp.error presence wrong: %v", m)
			}
			if has && em["samp.errortxt"] != tt.errText {
				t.Errorf("errortxt %v, want %q", em["samp.errortxt"], tt.errText)
			}
			back, err := ResponseFromValue(m)
			if err != nil || back.Status != m["samp.status"] {
				t.Errorf("round trip: %+v, %v", back, err)
			}
			if (back.Err() != nil) != (back.Status == StatusError) {
				t.Errorf("Err() = %v for %s", back.Err(), back.Status)
			}
		})
	}
	if _, err := ResponseFromValue(map[string]any{"samp.result": map[string]any{}}); err == nil {
		t.Error("response without status accepted")
	}
	if _, err := ResponseFromValue([]any{}); err == nil {
		t.Error("list accepted as response")
	}
}

func TestScalars(t *testing.T) {
	if i, err := ParseInt(Int(-42)); err != nil || i != -42 {
		t.Errorf("int round trip: %d %v", i, err)
	}
	if f, err := ParseFloat(Float(10.684708)); err != nil || f != 10.684708 {
		t.Errorf("float round trip: %v %v", f, err)
	}
	for in, want := range map[string]bool{"1": true, "0": false, "2": true, "true": true, "false": false} {
		if b, err := ParseBool(in); err != nil || b != want {
			t.Errorf("ParseBool(%q) = %v, %v", in, b, err)
		}
	}
	for _, bad := range []any{"x", []any{}, nil, "NaN", "Inf"} {
		if _, err := ParseFloat(bad); err == nil {
			t.Errorf("ParseFloat(%v) accepted", bad)
		}
	}
	if _, err := ParseInt("1.5"); err == nil {
		t.Error("ParseInt(1.5) accepted")
	}
	if Bool(true) != "1" || Bool(false) != "0" {
		t.Error("Bool")
	}
}

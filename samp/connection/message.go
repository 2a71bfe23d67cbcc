package connection

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Response statuses (SAMP 1.3 §3.9).
const (
	StatusOK      = "samp.ok"
	StatusWarning = "samp.warning"
	StatusError   = "samp.error"
)

// Message is a SAMP message: an MType and its parameters (SAMP values: string,
// []any, map[string]any).
type Message struct {
	MType  string
	Params map[string]any
	// Extra holds any other keys of the message map (extension keys).
	Extra map[string]any
}

// NewMessage returns a message with the given MType and parameters.
func NewMessage(mtype string, params map[string]any) Message {
	if params == nil {
		params = map[string]any{}
	}
	return Message{MType: mtype, Params: params}
}

// Map returns the message as the SAMP map sent over the wire.
func (m Message) Map() map[string]any {
	out := make(map[string]any, 2+len(m.Extra))
	for k, v := range m.Extra {
		out[k] = v
	}
	out["samp.mtype"] = m.MType
	params := m.Params
	if params == nil {
		params = map[string]any{}
	}
	out["samp.params"] = params
	return out
}

// Param returns the string parameter name, or "" when it is absent or not a
// string.
func (m Message) Param(name string) string {
	s, _ := m.Params[name].(string)
	return s
}

// MessageFromValue converts a received SAMP value into a Message, checking
// that it is a map with a string samp.mtype and (if present) a map
// samp.params.
func MessageFromValue(v any) (Message, error) {
	mp, ok := v.(map[string]any)
	if !ok {
		return Message{}, fmt.Errorf("message is a %s, not a map", kind(v))
	}
	var m Message
	mt, ok := mp["samp.mtype"].(string)
	if !ok || mt == "" {
		return Message{}, errors.New("message has no samp.mtype string")
	}
	m.MType = mt
	switch p := mp["samp.params"].(type) {
	case nil:
		m.Params = map[string]any{}
	case map[string]any:
		m.Params = p
	default:
		return Message{}, fmt.Errorf("message %s: samp.params is a %s, not a map", mt, kind(p))
	}
	for k, v := range mp {
		if k != "samp.mtype" && k != "samp.params" {
			if m.Extra == nil {
				m.Extra = map[string]any{}
			}
			m.Extra[k] = v
		}
	}
	return m, nil
}

// ErrInfo is the samp.error map of a response.
type ErrInfo struct {
	ErrorTxt string // samp.errortxt (required)
	UserTxt  string // samp.usertxt
	DebugTxt string // samp.debugtxt
	Code     string // samp.code
}

// Response is the answer to a SAMP call.
type Response struct {
	Status string
	Result map[string]any
	// Error is set for samp.error and samp.warning responses.
	Error *ErrInfo
}

// OK returns a samp.ok response with result (nil means empty).
func OK(result map[string]any) Response {
	if result == nil {
		result = map[string]any{}
	}
	return Response{Status: StatusOK, Result: result}
}

// ErrorResponse returns a samp.error response with the given error text.
func ErrorResponse(text string) Response {
	return Response{Status: StatusError, Result: map[string]any{}, Error: &ErrInfo{ErrorTxt: text}}
}

// IsOK reports whether the status is samp.ok.
func (r Response) IsOK() bool { return r.Status == StatusOK }

// Err returns nil for samp.ok and samp.warning, and an error carrying the
// error text for samp.error (or an unknown status).
func (r Response) Err() error {
	switch r.Status {
	case StatusOK, StatusWarning:
		return nil
	case StatusError:
		if r.Error != nil && r.Error.ErrorTxt != "" {
			return fmt.Errorf("samp.error: %s", r.Error.ErrorTxt)
		}
		return errors.New("samp.error (no error text)")
	default:
		return fmt.Errorf("unknown response status %q", r.Status)
	}
}

// Map returns the response as the SAMP map sent over the wire. A samp.error
// or samp.warning response always carries a samp.error map with
// samp.errortxt: hubs drop replies that lack it.
func (r Response) Map() map[string]any {
	status := r.Status
	if status == "" {
		status = StatusOK
	}
	result := r.Result
	if result == nil {
		result = map[string]any{}
	}
	out := map[string]any{"samp.status": status, "samp.result": result}
	if r.Error != nil || status != StatusOK {
		e := ErrInfo{}
		if r.Error != nil {
			e = *r.Error
		}
		if e.ErrorTxt == "" {
			e.ErrorTxt = "unspecified " + status
		}
		em := map[string]any{"samp.errortxt": e.ErrorTxt}
		if e.UserTxt != "" {
			em["samp.usertxt"] = e.UserTxt
		}
		if e.DebugTxt != "" {
			em["samp.debugtxt"] = e.DebugTxt
		}
		if e.Code != "" {
			em["samp.code"] = e.Code
		}
		out["samp.error"] = em
	}
	return out
}

// ResponseFromValue converts a received SAMP value into a Response.
func ResponseFromValue(v any) (Response, error) {
	mp, ok := v.(map[string]any)
	if !ok {
		return Response{}, fmt.Errorf("response is a %s, not a map", kind(v))
	}
	st, _ := mp["samp.status"].(string)
	if st == "" {
		return Response{}, errors.New("response has no samp.status")
	}
	r := Response{Status: st}
	switch res := mp["samp.result"].(type) {
	case map[string]any:
		r.Result = res
	default:
		r.Result = map[string]any{}
	}
	if em, ok := mp["samp.error"].(map[string]any); ok {
		str := func(k string) string { s, _ := em[k].(string); return s }
		r.Error = &ErrInfo{ErrorTxt: str("samp.errortxt"), UserTxt: str("samp.usertxt"),
			DebugTxt: str("samp.debugtxt"), Code: str("samp.code")}
	}
	return r, nil
}

// RegInfo is what the hub returns from register.
type RegInfo struct {
	PrivateKey string // samp.private-key
	HubID      string // samp.hub-id
	SelfID     string // samp.self-id
}

func regInfoFromValue(v any) (RegInfo, error) {
	mp, ok := v.(map[string]any)
	if !ok {
		return RegInfo{}, fmt.Errorf("registration info is a %s, not a map", kind(v))
	}
	str := func(k string) string { s, _ := mp[k].(string); return s }
	r := RegInfo{PrivateKey: str("samp.private-key"), HubID: str("samp.hub-id"), SelfID: str("samp.self-id")}
	if r.PrivateKey == "" || r.SelfID == "" {
		return RegInfo{}, errors.New("registration info lacks samp.private-key or samp.self-id")
	}
	return r, nil
}

// MatchMType reports whether an MType matches a subscription pattern: the
// pattern is an MType, "*", or a prefix ending in ".*" ("table.*" matches
// "table.load.votable" but not "table").
func MatchMType(pattern, mtype string) bool {
	if pattern == "*" || pattern == mtype {
		return true
	}
	if prefix, ok := strings.CutSuffix(pattern, "*"); ok && strings.HasSuffix(prefix, ".") {
		return strings.HasPrefix(mtype, prefix)
	}
	return false
}

// Int encodes an integer as a SAMP int.
func Int(i int) string { return strconv.Itoa(i) }

// Float encodes a float as a SAMP float.
func Float(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// Bool encodes a boolean as a SAMP boolean ("1" or "0").
func Bool(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// ParseInt decodes a SAMP int parameter.
func ParseInt(v any) (int, error) {
	s, ok := v.(string)
	if !ok {
		return 0, fmt.Errorf("SAMP int is a %s, not a string", kind(v))
	}
	i, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return 0, fmt.Errorf("bad SAMP int %q: %w", s, err)
	}
	return i, nil
}

// ParseFloat decodes a SAMP float parameter (finite values only).
func ParseFloat(v any) (float64, error) {
	s, ok := v.(string)
	if !ok {
		return 0, fmt.Errorf("SAMP float is a %s, not a string", kind(v))
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		return 0, fmt.Errorf("bad SAMP float %q: %w", s, err)
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, fmt.Errorf("SAMP float %q is not finite", s)
	}
	return f, nil
}

// ParseBool decodes a SAMP boolean: a SAMP int, non-zero meaning true
// ("true"/"false" are tolerated).
func ParseBool(v any) (bool, error) {
	s, ok := v.(string)
	if !ok {
		return false, fmt.Errorf("SAMP boolean is a %s, not a string", kind(v))
	}
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true":
		return true, nil
	case "false", "":
		return false, nil
	}
	i, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return false, fmt.Errorf("bad SAMP boolean %q", s)
	}
	return i != 0, nil
}

func kind(v any) string {
	switch v.(type) {
	case nil:
		return "nothing"
	case string:
		return "string"
	case []any:
		return "list"
	case map[string]any:
		return "map"
	default:
		return fmt.Sprintf("%T", v)
	}
}

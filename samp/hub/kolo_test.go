package hub

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/rpc"
	"reflect"
	"strings"
	"testing"

	kolo "github.com/kolo/xmlrpc"
)

// TestKoloInterop: a third-party Go XML-RPC client, github.com/kolo/xmlrpc,
// talks to our hub as a SAMP client would: register, declareMetadata,
// declareSubscriptions, getMetadata, callAndWait answered by a second client,
// unregister; and malformed requests are answered with XML-RPC faults that
// kolo decodes, as the SAMP standard says (errors are faults).
func TestKoloInterop(t *testing.T) {
	h := startHub(t, Options{Logger: quietLogger(t)})
	info := readLock(t, h.Lockfile())
	kc, err := kolo.NewClient(info.XMLRPCURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer kc.Close()
	call := func(method string, params ...any) (any, error) {
		var out any
		err := kc.Call(method, params, &out)
		return out, err
	}

	v, err := call("samp.hub.register", info.Secret)
	if err != nil {
		t.Fatalf("register: %v", err)
	}
	reg, ok := v.(map[string]any)
	if !ok || reg["samp.hub-id"] != ID || reg["samp.self-id"] == "" || reg["samp.private-key"] == "" {
		t.Fatalf("registration info %#v", v)
	}
	key, self := reg["samp.private-key"].(string), reg["samp.self-id"].(string)

	meta := map[string]any{"samp.name": "kolo & <friends>", "samp.description.text": "a Go XML-RPC client"}
	if _, err := call("samp.hub.declareMetadata", key, meta); err != nil {
		t.Fatalf("declareMetadata: %v", err)
	}
	subs := map[string]any{"samp.app.ping": map[string]any{}, "kolo.test": map[string]any{}}
	if _, err := call("samp.hub.declareSubscriptions", key, subs); err != nil {
		t.Fatalf("declareSubscriptions: %v", err)
	}
	if got, err := call("samp.hub.getMetadata", key, self); err != nil || !reflect.DeepEqual(got, meta) {
		t.Errorf("getMetadata: %#v, %v; want %#v", got, err, meta)
	}
	// kolo decodes an empty <struct/> to a nil map: compare the MTypes.
	got, err := call("samp.hub.getSubscriptions", key, self)
	gm, _ := got.(map[string]any)
	if err != nil || len(gm) != len(subs) || !hasKey(gm, "samp.app.ping") || !hasKey(gm, "kolo.test") {
		t.Errorf("getSubscriptions: %#v, %v; want %#v", got, err, subs)
	}

	// callAndWait to a second client, which replies.
	b := newFakeClient(t, h, true)
	b.call("samp.hub.declareSubscriptions", b.key, map[string]any{"kolo.test": map[string]any{}})
	resp := map[string]any{"samp.status": "samp.ok", "samp.result": map[string]any{"answer": "42"}}
	go func() {
		r := <-b.got
		for mtypeOf(r) != "kolo.test" {
			r = <-b.got
		}
		b.try("samp.hub.reply", b.key, r.params[1], resp)
	}()
	m := map[string]any{"samp.mtype": "kolo.test", "samp.params": map[string]any{"x": "1"}}
	if got, err := call("samp.hub.callAndWait", key, b.id, m, "10"); err != nil || !reflect.DeepEqual(got, resp) {
		t.Errorf("callAndWait: %#v, %v; want %#v", got, err, resp)
	}
	// The hub answers its own ping.
	if got, err := call("samp.hub.ping"); err != nil {
		t.Errorf("ping: %#v, %v", got, err)
	}

	// Malformed calls: faults with a message saying what was wrong.
	for _, tc := range []struct {
		method string
		params []any
		want   string
	}{
		{"samp.hub.register", []any{"wrong secret"}, "wrong samp.secret"},
		{"samp.hub.register", nil, "takes 1 parameter"},
		{"samp.hub.declareMetadata", []any{"k:nope", meta}, "unknown private key"},
		{"samp.hub.declareSubscriptions", []any{key, "not a map"}, "must be a map"},
		{"samp.hub.callAndWait", []any{key, b.id, m, "soon"}, "timeout must be"},
		{"samp.hub.callAndWait", []any{key, "c999", m, "10"}, "no registered client"},
		{"samp.hub.notify", []any{key, b.id, map[string]any{"samp.params": map[string]any{}}}, "no valid samp.mtype"},
		{"samp.hub.nosuch", []any{key}, "unknown method"},
	} {
		// net/rpc, under kolo, turns the fault into an rpc.ServerError
		// holding kolo's FaultError text.
		_, err := call(tc.method, tc.params...)
		var se rpc.ServerError
		if !errors.As(err, &se) || !strings.HasPrefix(string(se), "Fault(-32") || !strings.Contains(string(se), tc.want) {
			t.Errorf("%s%v: %v, want a fault saying %q", tc.method, tc.params, err, tc.want)
		}
	}

	// Bodies no XML-RPC client would send, decoded by kolo's response
	// reader: a fault each, never a crash or an HTTP error page.
	for _, body := range []string{
		"",
		"not xml",
		"<methodCall><methodName>samp.hub.ping</methodName><params><param><value><struct><member>",
		"<methodCall><params/></methodCall>",
		`<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><methodCall><methodName>samp.hub.ping</methodName></methodCall>`,
	} {
		r, err := http.Post(info.XMLRPCURL, "text/xml", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(r.Body)
		r.Body.Close()
		var fault kolo.FaultError
		if err := kolo.Response(data).Err(); r.StatusCode != http.StatusOK || !errors.As(err, &fault) || fault.String == "" {
			t.Errorf("body %q: HTTP %d, kolo reads %v from %q", body, r.StatusCode, err, bytes.TrimSpace(data))
		}
	}

	if _, err := call("samp.hub.unregister", key); err != nil {
		t.Errorf("unregister: %v", err)
	}
	if _, err := call("samp.hub.getRegisteredClients", key); err == nil {
		t.Error("a private key still works after unregister")
	}
}

func hasKey(m map[string]any, k string) bool {
	_, ok := m[k]
	return ok
}

package hub

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/voagent/voagent/samp/xmlrpc"
)

// FuzzHandle feeds arbitrary XML-RPC calls to the hub's method dispatcher:
// every input must give a result or an error, never a panic. In the input,
// SECRET and KEY stand for the hub's secret and a registered client's key.
func FuzzHandle(f *testing.F) {
	for _, call := range []string{
		`<methodCall><methodName>samp.hub.register</methodName><params><param><value>SECRET</value></param></params></methodCall>`,
		`<methodCall><methodName>samp.hub.declareMetadata</methodName><params><param><value>KEY</value></param><param><value><struct><member><name>samp.name</name><value>x</value></member></struct></value></param></params></methodCall>`,
		`<methodCall><methodName>samp.hub.declareSubscriptions</methodName><params><param><value>KEY</value></param><param><value><struct><member><name>table.*</name><value><struct></struct></value></member></struct></value></param></params></methodCall>`,
		`<methodCall><methodName>samp.hub.getSubscribedClients</methodName><params><param><value>KEY</value></param><param><value>table.load.votable</value></param></params></methodCall>`,
		`<methodCall><methodName>samp.hub.notifyAll</methodName><params><param><value>KEY</value></param><param><value><struct><member><name>samp.mtype</name><value>samp.app.ping</value></member></struct></value></param></params></methodCall>`,
		`<methodCall><methodName>samp.hub.callAll</methodName><params><param><value>KEY</value></param><param><value>t</value></param><param><value><struct><member><name>samp.mtype</name><value>samp.app.ping</value></member><member><name>samp.params</name><value><struct/></value></member></struct></value></param></params></methodCall>`,
		`<methodCall><methodName>samp.hub.callAndWait</methodName><params><param><value>KEY</value></param><param><value>hub</value></param><param><value><struct><member><name>samp.mtype</name><value>samp.app.ping</value></member></struct></value></param><param><value>1</value></param></params></methodCall>`,
		`<methodCall><methodName>samp.hub.reply</methodName><params><param><value>KEY</value></param><param><value>c1_m1</value></param><param><value><struct/></value></param></params></methodCall>`,
		`<methodCall><methodName>samp.hub.getRegisteredClients</methodName><params><param><value>KEY</value></param></params></methodCall>`,
		`<methodCall><methodName>samp.hub.unregister</methodName><params><param><value>KEY</value></param></params></methodCall>`,
	} {
		f.Add([]byte(call))
	}
	h, err := New(Options{Lockfile: filepath.Join(f.TempDir(), "lock"), CallbackTimeout: 100 * time.Millisecond})
	if err != nil {
		f.Fatal(err)
	}
	defer h.Close()
	reg, err := h.register(h.secret)
	if err != nil {
		f.Fatal(err)
	}
	key := reg.(map[string]any)["samp.private-key"].(string)
	f.Fuzz(func(t *testing.T, data []byte) {
		data = bytes.ReplaceAll(data, []byte("SECRET"), []byte(h.secret))
		method, params, err := xmlrpc.DecodeCall(bytes.NewReader(data), 1<<16)
		if err != nil {
			return
		}
		for i, p := range params {
			if s, ok := p.(string); ok && s == "KEY" {
				params[i] = key
			}
		}
		if strings.HasSuffix(method, ".unregister") {
			return // keep the client that the other inputs use
		}
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		if _, err := h.handle(ctx, method, params); err != nil && err.Error() == "" {
			t.Fatal("an error without a message")
		}
	})
}

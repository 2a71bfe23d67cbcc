package xmlrpc

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// The files in testdata/recorded were recorded from a JSAMP 1.3.7 hub run
// with -Djsamp.xmlrpc.impl=xml-log while astropy 5.2.1 clients, jsamp
// hubtester and jsamp calcstorm talked through it ("astropy-call-*": sent by
// astropy clients; "jsamp-call-*": by JSAMP clients; "jsamp-hubcall-*": by
// the hub to clients; "jsamp-hubresponse-*": the hub's responses), plus
// python-* written by Python's xmlrpc.client (the marshaller of astropy's
// hub and callable clients).

func TestDecodeRecordedCalls(t *testing.T) {
	files, err := filepath.Glob("testdata/recorded/*call*.xml")
	if err != nil || len(files) < 40 {
		t.Fatalf("recorded calls: %d files, %v", len(files), err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			method, params, err := DecodeCall(bytes.NewReader(data), 1<<20)
			if err != nil {
				t.Fatalf("DecodeCall: %v", err)
			}
			// The file name carries the method name (without its prefix).
			parts := strings.Split(strings.TrimSuffix(filepath.Base(f), ".xml"), "-")
			want := strings.Join(parts[2:len(parts)-1], "-")
			if !strings.HasPrefix(parts[0], "python") && !strings.HasSuffix(method, "."+want) {
				t.Errorf("method %q, want *.%s", method, want)
			}
			checkSAMPValue(t, params)
			// Round trip: our encoding decodes to the same values.
			var buf bytes.Buffer
			if err := EncodeCall(&buf, method, params); err != nil {
				t.Fatalf("EncodeCall: %v", err)
			}
			m2, p2, err := DecodeCall(&buf, 0)
			if err != nil {
				t.Fatalf("decoding our own encoding: %v\n%s", err, buf.String())
			}
			if m2 != method || !reflect.DeepEqual(p2, params) {
				t.Errorf("round trip changed the call: %q %#v", m2, p2)
			}
		})
	}
}

// checkSAMPValue fails unless v is made of strings, lists and maps only.
func checkSAMPValue(t *testing.T, v any) {
	t.Helper()
	switch v := v.(type) {
	case string:
	case []any:
		for _, e := range v {
			checkSAMPValue(t, e)
		}
	case map[string]any:
		for _, e := range v {
			checkSAMPValue(t, e)
		}
	default:
		t.Fatalf("decoded a %T, not a SAMP value", v)
	}
}

func TestDecodeRecordedValues(t *testing.T) {
	tests := []struct {
		file   string
		method string
		params []any
	}{
		{"python-call-types.xml", "samp.client.receiveNotification",
			[]any{"1", "1", "2.5", "a&b", []any{"1", map[string]any{"k": "0"}}, "bytes"}},
		{"astropy-call-register-1.xml", "samp.hub.register", []any{"772b69e6e5c7938b"}},
		{"astropy-call-declareMetadata-1.xml", "samp.hub.declareMetadata", nil},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata/recorded", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			method, params, err := DecodeCall(bytes.NewReader(data), 0)
			if err != nil {
				t.Fatal(err)
			}
			if method != tt.method {
				t.Errorf("method %q, want %q", method, tt.method)
			}
			if tt.params != nil && !reflect.DeepEqual(params, tt.params) {
				t.Errorf("params %#v\nwant %#v", params, tt.params)
			}
		})
	}
	// jsamp hubtester sends every SAMP string character, with leading
	// whitespace, as an untyped <value>: it must come through unchanged.
	data, err := os.ReadFile("testdata/recorded/jsamp-hubcall-receiveCall-2.xml")
	if err != nil {
		t.Fatal(err)
	}
	_, params, err := DecodeCall(bytes.NewReader(data), 0)
	if err != nil {
		t.Fatal(err)
	}
	var all strings.Builder
	all.WriteString("\t\n")
	for c := 0x20; c <= 0x7f; c++ {
		all.WriteByte(byte(c))
	}
	if !containsString(params, all.String()) {
		t.Errorf("the hubtester string of all SAMP characters was not decoded intact")
	}
}

func containsString(v any, s string) bool {
	switch v := v.(type) {
	case string:
		return v == s
	case []any:
		for _, e := range v {
			if containsString(e, s) {
				return true
			}
		}
	case map[string]any:
		for _, e := range v {
			if containsString(e, s) {
				return true
			}
		}
	}
	return false
}

func TestDecodeRecordedResponses(t *testing.T) {
	tests := []struct {
		file      string
		want      any // nil: any SAMP value
		faultText string
	}{
		{"python-response-regmap.xml", map[string]any{"samp.hub-id": "cli#hub", "samp.self-id": "cli#1", "samp.private-key": "abcd"}, ""},
		{"python-response-none.xml", "", ""},
		{"python-response-list.xml", []any{"cli#hub", "cli#2"}, ""},
		{"python-fault.xml", nil, "Private-key abc not found."},
		{"jsamp-hubresponse-fault-1.xml", nil, "org.astrogrid.samp.client.SampException: Bad password"},
		{"jsamp-hubresponse-response-1.xml", "", ""},
		{"jsamp-hubresponse-response-2.xml", nil, ""},
		{"jsamp-hubresponse-response-3.xml", nil, ""},
		{"jsamp-hubresponse-response-4.xml", nil, ""},
		{"jsamp-hubresponse-response-5.xml", nil, ""},
		{"jsamp-hubresponse-response-6.xml", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata/recorded", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			v, err := DecodeResponse(bytes.NewReader(data), 1<<20)
			if tt.faultText != "" {
				var f *Fault
				if !errors.As(err, &f) || f.Message != tt.faultText || f.Code != 1 {
					t.Fatalf("got %v, %v; want fault %q", v, err, tt.faultText)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			checkSAMPValue(t, v)
			if tt.want != nil && !reflect.DeepEqual(v, tt.want) {
				t.Errorf("got %#v, want %#v", v, tt.want)
			}
		})
	}
}

func TestDecodeCallErrors(t *testing.T) {
	deep := strings.Repeat("<value><array><data>", DefaultMaxDepth+1) + strings.Repeat("</data></array></value>", DefaultMaxDepth+1)
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", "unexpected EOF"},
		{"not xml", "hello", "unexpected text"},
		{"wrong root", "<methodResponse/>", "want <methodCall>"},
		{"no name", "<methodCall></methodCall>", "want <methodName>"},
		{"empty name", "<methodCall><methodName> </methodName></methodCall>", "empty method name"},
		{"unclosed", "<methodCall><methodName>a</methodName><params>", "unexpected EOF"},
		{"mismatched", "<methodCall><methodName>a</methodName></params>", "element <methodCall> closed by </params>"},
		{"bad param", "<methodCall><methodName>a</methodName><params><value/></params></methodCall>", "want <param>"},
		{"text in params", "<methodCall><methodName>a</methodName><params>x<param/></params></methodCall>", "unexpected text"},
		{"unknown type", "<methodCall><methodName>a</methodName><params><param><value><blob/></value></param></params></methodCall>", "unknown value type <blob>"},
		{"bad int", "<methodCall><methodName>a</methodName><params><param><value><int>x1</int></value></param></params></methodCall>", `invalid <int> "x1"`},
		{"bad boolean", "<methodCall><methodName>a</methodName><params><param><value><boolean>2</boolean></value></param></params></methodCall>", "invalid <boolean>"},
		{"bad double", "<methodCall><methodName>a</methodName><params><param><value><double>1.x</double></value></param></params></methodCall>", "invalid <double>"},
		{"bad base64", "<methodCall><methodName>a</methodName><params><param><value><base64>!!</base64></value></param></params></methodCall>", "invalid <base64>"},
		{"member without name", "<methodCall><methodName>a</methodName><params><param><value><struct><member><value/></member></struct></value></param></params></methodCall>", "want <name>"},
		{"array without data", "<methodCall><methodName>a</methodName><params><param><value><array><value/></array></value></param></params></methodCall>", "want <data>"},
		{"text and element", "<methodCall><methodName>a</methodName><params><param><value>x<string>y</string></value></param></params></methodCall>", "text \"x\" before <string>"},
		{"two roots", "<methodCall><methodName>a</methodName></methodCall><methodCall/>", "after the root element"},
		{"doctype", `<!DOCTYPE x [<!ENTITY a "b">]><methodCall><methodName>a</methodName></methodCall>`, "directive"},
		{"entity", "<methodCall><methodName>&xxe;</methodName></methodCall>", "invalid character entity"},
		{"too deep", "<methodCall><methodName>a</methodName><params><param>" + deep + "</param></params></methodCall>", "nested deeper than 64"},
		{"encoding", `<?xml version="1.0" encoding="EBCDIC"?><methodCall/>`, "unsupported XML encoding"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := DecodeCall(strings.NewReader(tt.in), 1<<20)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestDecodeLimit(t *testing.T) {
	call := "<methodCall><methodName>a</methodName><params><param><value>" + strings.Repeat("x", 1000) + "</value></param></params></methodCall>"
	if _, _, err := DecodeCall(strings.NewReader(call), int64(len(call))); err != nil {
		t.Fatalf("a call of exactly the limit: %v", err)
	}
	_, _, err := DecodeCall(strings.NewReader(call+" "), int64(len(call)))
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("one byte over the limit: got %v, want ErrTooLarge", err)
	}
	_, _, err = DecodeCall(strings.NewReader(call), 100)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("got %v, want ErrTooLarge", err)
	}
}

func TestDecodeTolerated(t *testing.T) {
	tests := []struct {
		name, in string
		want     []any
	}{
		{"no params", "<methodCall><methodName>m</methodName></methodCall>", []any{}},
		{"empty params", "<methodCall><methodName>m</methodName><params/></methodCall>", []any{}},
		{"untyped blank kept", "<methodCall><methodName>m</methodName><params><param><value> a </value></param></params></methodCall>", []any{" a "}},
		{"empty value", "<methodCall><methodName>m</methodName><params><param><value/></param><param><value></value></param></params></methodCall>", []any{"", ""}},
		{"nil", "<methodCall><methodName>m</methodName><params><param><value><nil/></value></param></params></methodCall>", []any{""}},
		{"ex:nil", `<methodCall xmlns:ex="http://ws.apache.org/xmlrpc/namespaces/extensions"><methodName>m</methodName><params><param><value><ex:nil/></value></param></params></methodCall>`, []any{""}},
		{"i4 and i8", "<methodCall><methodName>m</methodName><params><param><value><i4> +7 </i4></value></param><param><value><i8>-12345678901234</i8></value></param></params></methodCall>", []any{"7", "-12345678901234"}},
		{"boolean words", "<methodCall><methodName>m</methodName><params><param><value><boolean>true</boolean></value></param></params></methodCall>", []any{"1"}},
		{"cdata and comments", "<?xml version='1.0'?><!-- c --><methodCall><methodName>m</methodName><params><param><value><string><![CDATA[<x>]]>&#13;&amp;</string></value></param></params></methodCall><!-- end -->\n", []any{"<x>\r&"}},
		{"empty array", "<methodCall><methodName>m</methodName><params><param><value><array><data/></array></value></param></params></methodCall>", []any{[]any{}}},
		{"latin1", "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><methodCall><methodName>m</methodName><params><param><value>\xe9</value></param></params></methodCall>", []any{"é"}},
		{"duplicate member", "<methodCall><methodName>m</methodName><params><param><value><struct><member><name>a</name><value>1</value></member><member><name>a</name><value>2</value></member></struct></value></param></params></methodCall>", []any{map[string]any{"a": "2"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, params, err := DecodeCall(strings.NewReader(tt.in), 1<<20)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(params, tt.want) {
				t.Errorf("got %#v, want %#v", params, tt.want)
			}
		})
	}
}

func TestEncodeValues(t *testing.T) {
	tests := []struct {
		name string
		in   any
		want any
	}{
		{"string escapes", "a<b>&c\r\n\t\x7f", "a<b>&c\r\n\t\x7f"},
		{"invalid chars replaced", "a\x00b\xffc\uFFFE", "a\uFFFDb\uFFFDc\uFFFD"},
		{"utf8 kept", "é€𝄞", "é€𝄞"},
		{"nil", nil, ""},
		{"conveniences", []any{1, int64(-2), 2.5, true, false, []string{"x"}, map[string]string{"k": "v"}},
			[]any{"1", "-2", "2.5", "1", "0", []any{"x"}, map[string]any{"k": "v"}}},
		{"nested", map[string]any{"samp.mtype": "x", "samp.params": map[string]any{"l": []any{"1", map[string]any{}}}},
			map[string]any{"samp.mtype": "x", "samp.params": map[string]any{"l": []any{"1", map[string]any{}}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := EncodeResponse(&buf, tt.in); err != nil {
				t.Fatal(err)
			}
			got, err := DecodeResponse(&buf, 0)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %#v, want %#v", got, tt.want)
			}
		})
	}
	var buf bytes.Buffer
	if err := EncodeCall(&buf, "m", []any{struct{}{}}); err == nil || !strings.Contains(err.Error(), "cannot encode struct {}") {
		t.Errorf("encoding a struct: got %v", err)
	}
	if buf.Len() != 0 {
		t.Errorf("a failed encoding wrote %d bytes", buf.Len())
	}
}

func TestEncodeFault(t *testing.T) {
	var buf bytes.Buffer
	if err := EncodeFault(&buf, 42, "bad <key> & such"); err != nil {
		t.Fatal(err)
	}
	_, err := DecodeResponse(&buf, 0)
	var f *Fault
	if !errors.As(err, &f) || f.Code != 42 || f.Message != "bad <key> & such" {
		t.Fatalf("got %v", err)
	}
}

// serve starts srv on a loopback listener with Serve (fasthttp) and returns
// its URL; the server is closed when the test ends.
func serve(t testing.TB, srv *Server) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	t.Cleanup(func() {
		srv.Close(context.Background())
		if err := <-done; !errors.Is(err, ErrServerClosed) {
			t.Errorf("Serve returned %v after Close", err)
		}
	})
	return "http://" + ln.Addr().String() + "/xmlrpc"
}

// TestServerAndClient runs the same calls through Serve (fasthttp) and
// through ServeHTTP (net/http).
func TestServerAndClient(t *testing.T) {
	t.Run("Serve", func(t *testing.T) {
		testServerAndClient(t, func(h HandlerFunc) string { return serve(t, NewServer(h, WithMaxBody(4096))) })
	})
	t.Run("ServeHTTP", func(t *testing.T) {
		testServerAndClient(t, func(h HandlerFunc) string {
			srv := httptest.NewServer(NewServer(h, WithMaxBody(4096)))
			t.Cleanup(srv.Close)
			return srv.URL
		})
	})
}

func testServerAndClient(t *testing.T, start func(HandlerFunc) string) {
	h := func(ctx context.Context, method string, params []any) (any, error) {
		switch method {
		case "echo":
			return params, nil
		case "fail":
			return nil, errors.New("it failed")
		case "fault":
			return nil, Faultf(7, "custom %s", "fault")
		case "panic":
			panic("boom")
		case "unencodable":
			return make(chan int), nil
		}
		return nil, Faultf(CodeMethodNotFound, "no method %s", method)
	}
	srvURL := start(h)
	c := NewClient(srvURL)
	ctx := context.Background()

	got, err := c.Call(ctx, "echo", "a", []any{"b"}, map[string]any{"c": "d"})
	if err != nil {
		t.Fatal(err)
	}
	if want := []any{"a", []any{"b"}, map[string]any{"c": "d"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("echo: got %#v", got)
	}
	faults := []struct {
		method string
		params []any
		code   int
		text   string
	}{
		{"fail", nil, CodeApplicationError, "it failed"},
		{"fault", nil, 7, "custom fault"},
		{"panic", nil, CodeInternalError, "internal error in panic: boom"},
		{"unencodable", nil, CodeInternalError, "cannot encode chan int"},
		{"nope", nil, CodeMethodNotFound, "no method nope"},
		{"echo", []any{strings.Repeat("x", 5000)}, CodeInvalidRequest, "exceeds size limit"},
		{"echo", []any{strings.Repeat("x", 50000)}, CodeInvalidRequest, "exceeds size limit"},
	}
	for _, tt := range faults {
		_, err := c.Call(ctx, tt.method, tt.params...)
		var f *Fault
		if !errors.As(err, &f) || f.Code != tt.code || !strings.Contains(f.Message, tt.text) {
			t.Errorf("%s: got %v, want fault %d %q", tt.method, err, tt.code, tt.text)
		}
	}

	// Malformed body: a parse-error fault, not a crash.
	resp, err := http.Post(srvURL, "text/xml", strings.NewReader("<methodCall><oops"))
	if err != nil {
		t.Fatal(err)
	}
	v, err := DecodeResponse(resp.Body, 0)
	resp.Body.Close()
	var f *Fault
	if !errors.As(err, &f) || f.Code != CodeParseError {
		t.Errorf("malformed: got %v, %v", v, err)
	}
	// GET is refused.
	resp, err = http.Get(srvURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET: status %d", resp.StatusCode)
	}
	// A cancelled context abandons the call.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := c.Call(cctx, "echo"); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled call: got %v", err)
	}
}

// addRecorded adds the small recorded payloads matching pattern as seeds.
func addRecorded(f *testing.F, pattern string) {
	files, _ := filepath.Glob(filepath.Join("testdata/recorded", pattern))
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil && len(data) < 8000 {
			f.Add(data)
		}
	}
}

func FuzzDecodeCall(f *testing.F) {
	addRecorded(f, "*.xml")
	f.Add([]byte("<methodCall><methodName>m</methodName><params><param><value><base64>AA==</base64></value></param></params></methodCall>"))
	f.Fuzz(func(t *testing.T, data []byte) {
		method, params, err := DecodeCall(bytes.NewReader(data), 1<<16)
		if err != nil {
			return
		}
		var buf bytes.Buffer
		if err := EncodeCall(&buf, method, params); err != nil {
			t.Fatalf("cannot encode a decoded call: %v", err)
		}
		m2, p2, err := DecodeCall(&buf, 0)
		if err != nil {
			t.Fatalf("cannot decode our own encoding: %v\n%s", err, buf.Bytes())
		}
		if !bytes.Contains(data, []byte("base64")) && (m2 != strings.TrimSpace(method) || !reflect.DeepEqual(p2, params)) {
			t.Fatalf("round trip changed %q %#v into %q %#v", method, params, m2, p2)
		}
	})
}

func FuzzDecodeResponse(f *testing.F) {
	addRecorded(f, "*response*.xml")
	f.Add([]byte("<methodResponse><fault><value><struct><member><name>faultCode</name><value><int>3</int></value></member></struct></value></fault></methodResponse>"))
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := DecodeResponse(bytes.NewReader(data), 1<<16)
		if err != nil {
			return
		}
		var buf bytes.Buffer
		if err := EncodeResponse(&buf, v); err != nil {
			t.Fatalf("cannot encode a decoded response: %v", err)
		}
		if _, err := DecodeResponse(&buf, 0); err != nil {
			t.Fatalf("cannot decode our own encoding: %v", err)
		}
	})
}

// benchCall is a typical SAMP callback: receiveCall with a table.load message.
var benchCall = []any{"k:0123456789abcdef", "c3", "c3_m17", map[string]any{
	"samp.mtype": "table.load.votable",
	"samp.params": map[string]any{
		"url": "file:///tmp/x.vot", "table-id": "t1", "name": "some table",
		"row-list": []any{"1", "2", "3", "4"},
	},
}}

func BenchmarkEncodeCall(b *testing.B) {
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		if err := EncodeCall(&buf, "samp.client.receiveCall", benchCall); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeCall(b *testing.B) {
	var buf bytes.Buffer
	if err := EncodeCall(&buf, "samp.client.receiveCall", benchCall); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, _, err := DecodeCall(bytes.NewReader(data), 1<<20); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkClientServer is one loopback call through Client and Server.
func BenchmarkClientServer(b *testing.B) {
	c := NewClient(serve(b, NewServer(func(ctx context.Context, method string, params []any) (any, error) {
		return "", nil
	})))
	ctx := context.Background()
	for b.Loop() {
		if _, err := c.Call(ctx, "samp.client.receiveCall", benchCall...); err != nil {
			b.Fatal(err)
		}
	}
}

// referenceParser decodes with encoding/xml's Decoder, the reference that
// the scanner must agree with.
func referenceParser(data []byte) *parser {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	d.CharsetReader = charsetReader
	return newParser(xmlTokenizer{d})
}

// FuzzScanner checks that the scanner decodes every call and response that
// encoding/xml accepts, to the same values. (The scanner may accept a few
// documents encoding/xml refuses, such as names with unusual non-ASCII
// characters; the structure checks are the same.)
func FuzzScanner(f *testing.F) {
	addRecorded(f, "*.xml")
	for _, s := range []string{
		"<?xml version='1.0' encoding='ISO-8859-1'?><methodCall><methodName>m</methodName><params><param><value>\xe9&#233;</value></param></params></methodCall>",
		"<methodCall xmlns:ex='u'><methodName>m</methodName><params><param><value><ex:nil/></value></param><param><value><![CDATA[a\r\nb]]>&#xD;</value></param></params></methodCall><!-- x -->",
		"<methodResponse><fault><value><struct><member><name>faultCode</name><value><i4>3</i4></value></member></struct></value></fault></methodResponse>",
		"<?xml version='1.1' encoding=\"utf-8\"?><methodCall><methodName>m</methodName></methodCall>",
		"<?xml version=\"1.0\" encoding=\"Latin1\"?><methodCall><methodName>\xe9</methodName></methodCall>",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m1, p1, err1 := newParser(newScanner(bytes.Clone(data))).call()
		m2, p2, err2 := referenceParser(data).call()
		if err2 == nil && err1 != nil {
			t.Fatalf("scanner error %v; encoding/xml accepts the call", err1)
		}
		if err1 == nil && err2 == nil && (m1 != m2 || !reflect.DeepEqual(p1, p2)) {
			t.Fatalf("scanner %q %#v, encoding/xml %q %#v", m1, p1, m2, p2)
		}
		v1, err1 := newParser(newScanner(bytes.Clone(data))).response()
		v2, err2 := referenceParser(data).response()
		if err2 == nil && err1 != nil {
			t.Fatalf("response: scanner error %v; encoding/xml accepts it", err1)
		}
		if err1 == nil && err2 == nil && !reflect.DeepEqual(v1, v2) {
			t.Fatalf("response: scanner %#v, encoding/xml %#v", v1, v2)
		}
	})
}

// BenchmarkDecodeCallEncodingXML decodes the same call with encoding/xml,
// for comparison with BenchmarkDecodeCall (the scanner).
func BenchmarkDecodeCallEncodingXML(b *testing.B) {
	var buf bytes.Buffer
	if err := EncodeCall(&buf, "samp.client.receiveCall", benchCall); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, _, err := referenceParser(data).call(); err != nil {
			b.Fatal(err)
		}
	}
}

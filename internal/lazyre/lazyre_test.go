package lazyre

import "testing"

func TestNew(t *testing.T) {
	re := New(`^a+b$`)
	if !re().MatchString("aab") || re().MatchString("ba") {
		t.Fatalf("%v does not match as ^a+b$", re())
	}
	if re() != re() {
		t.Error("compiled more than once")
	}
	defer func() {
		if recover() == nil {
			t.Error("an invalid expression does not panic on first use")
		}
	}()
	New(`(`)()
}

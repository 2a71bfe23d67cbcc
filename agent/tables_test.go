package agent

import "testing"

func TestTablesFindAndEvict(t *testing.T) {
	s := NewTables()
	s.max = 2
	s.Put(&Table{ID: "a", URL: "file:/a.vot"})
	s.Put(&Table{ID: "b", URL: "file:/b.vot"})
	if got, err := s.Find("", "file:/a.vot"); err != nil || got.ID != "a" {
		t.Fatalf("by url: %v %v", got, err)
	}
	s.Put(&Table{ID: "c", URL: "file:/c.vot"})
	if _, err := s.Find("a", ""); err == nil {
		t.Fatal("oldest table not evicted")
	}
	if got, err := s.Find("b", "file:/other"); err != nil || got.ID != "b" {
		t.Fatalf("by id: %v %v", got, err)
	}
	s.Put(&Table{ID: "b", URL: "file:/b2.vot"})
	if _, err := s.Find("", "file:/b.vot"); err == nil {
		t.Fatal("replaced table still found by its old url")
	}
	if s.Len() != 2 {
		t.Fatalf("len %d", s.Len())
	}
}

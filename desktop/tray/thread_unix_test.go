//go:build (linux || freebsd || openbsd || netbsd) && !android

package tray

import (
	"os"
	"runtime"
	"syscall"
	"testing"
	"time"
)

// mainMoved is whether the main goroutine ran on another thread than the
// process's first after a long system call (see TestMain).
var mainMoved bool

// TestMain runs on the main goroutine, so it can tell whether that
// goroutine is locked to its thread: with one processor and another
// goroutine ready, a 50 ms system call gives the processor to that
// goroutine's thread, and an unlocked main goroutine then comes back on
// whichever thread has the processor. A locked one only ever runs on the
// first thread.
func TestMain(m *testing.M) {
	prev := runtime.GOMAXPROCS(1)
	stop := make(chan struct{})
	go func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			for i := 0; i < 1e5; i++ {
			}
		}
	}()
	for range 20 {
		ts := syscall.Timespec{Nsec: int64(50 * time.Millisecond)}
		syscall.Nanosleep(&ts, nil)
		if syscall.Gettid() != syscall.Getpid() {
			mainMoved = true
			break
		}
	}
	close(stop)
	runtime.GOMAXPROCS(prev)
	os.Exit(m.Run())
}

func TestMainGoroutineNotLocked(t *testing.T) {
	if !mainMoved {
		t.Fatal("the main goroutine stayed on the first thread through 20 long system calls: it is locked to it (fyne.io/systray's init lock is not undone)")
	}
}

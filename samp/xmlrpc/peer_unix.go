//go:build unix

package xmlrpc

import "syscall"

// peerClosed peeks at the socket without blocking or consuming anything: an
// end of stream or a reset means the peer has gone.
func peerClosed(raw syscall.RawConn) bool {
	closed := false
	var buf [1]byte
	_ = raw.Control(func(fd uintptr) {
		n, _, err := syscall.Recvfrom(int(fd), buf[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		closed = (n == 0 && err == nil) || err == syscall.ECONNRESET
	})
	return closed
}
